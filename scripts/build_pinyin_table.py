"""Build cleaner/data/pinyin_readings.bin: the tone-marked readings of each character.

Source: pypinyin's single-character table (``pypinyin/pinyin_dict.json``, or
``pypinyin.pinyin_dict`` in older releases; mozillazg/python-pinyin, MIT
licence), which it takes from the Unihan database (kHanyuPinyin, kXHC1983,
kMandarin; Unicode licence). The mojibake pass asks it whether ``(yè)`` after
``業`` is that character's reading.

Why a copy: reading the JSON (42k entries) cost 12-19 ms in every process that
meets an annotation, and a page asks about a few hundred characters. This form
is read in well under a millisecond and searched in C.

Format: text lines (format, size, source and licence) ending with a blank line,
then little-endian uint32 arrays: the code points, sorted; the ``n + 1`` offsets
of each character's readings in the blob after them; the blob, the readings as
UTF-8, each ``"reading,reading"`` as pypinyin writes it.

Run: python scripts/build_pinyin_table.py   (needs pypinyin)
"""

from __future__ import annotations

import json
import os
import sys
from importlib.util import find_spec
from pathlib import Path

# Run from a checkout (``python scripts/...``): the table format lives in the package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from cleaner.data import u32_bytes

OUT = Path(__file__).resolve().parent.parent / "cleaner" / "data" / "pinyin_readings.bin"
MAGIC = "#pinyin-readings 1"


def pypinyin_table() -> dict[int, str]:
    """Code point -> "reading,reading", from the installed pypinyin."""
    spec = find_spec("pypinyin")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(folder, "pinyin_dict.json")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return {int(k): v for k, v in json.load(f).items()}
    from pypinyin.pinyin_dict import pinyin_dict

    return {int(k): v for k, v in pinyin_dict.items()}


def main() -> None:
    import pypinyin

    table = pypinyin_table()
    code_points = sorted(table)
    blobs = [table[cp].encode("utf-8") for cp in code_points]
    offsets = [0]
    for b in blobs:
        offsets.append(offsets[-1] + len(b))

    header = (f"{MAGIC} characters={len(code_points)} blob={offsets[-1]}\n"
              f"# Readings from pypinyin {pypinyin.__version__} (MIT, mozillazg/python-pinyin; data from\n"
              "# the Unicode Han Database, Unicode licence); built by scripts/build_pinyin_table.py.\n\n")
    OUT.write_bytes(header.encode("utf-8") + u32_bytes(code_points) + u32_bytes(offsets) + b"".join(blobs))
    print(f"{OUT}: {len(code_points)} characters, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
