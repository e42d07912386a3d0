"""Build cleaner/data/t2s_fold.txt: the one-to-one Traditional -> Simplified character map
the boilerplate pass matches its rules on.

Source: OpenCC's t2s conversion (BYVoid/OpenCC, Apache-2.0 licence), through the
installed ``opencc`` module. Every ideograph in the CJK Unified (basic and extension A)
and Compatibility blocks is converted on its own; a character is kept when it maps to
exactly one other character. Phrase-level conversions are left out on purpose: the
table folds characters for matching, and a 1:1 map keeps every offset unchanged.

Output format: one line per pair, ``<traditional><simplified>``, sorted.
Run: python scripts/build_fold_table.py
"""

from __future__ import annotations

from pathlib import Path

import opencc

RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
OUT = Path(__file__).resolve().parent.parent / "cleaner" / "data" / "t2s_fold.txt"


def converter():
    for name in ("t2s.json", "t2s"):
        try:
            return opencc.OpenCC(name)
        except Exception:
            continue
    raise SystemExit("cannot load OpenCC's t2s configuration")


def main() -> None:
    cc = converter()
    chars = [chr(cp) for lo, hi in RANGES for cp in range(lo, hi + 1)]
    converted = cc.convert("\n".join(chars)).split("\n")
    assert len(converted) == len(chars)
    pairs = sorted(c + s for c, s in zip(chars, converted) if len(s) == 1 and s != c)
    OUT.write_text(
        "# Traditional -> Simplified single characters, from OpenCC t2s (Apache-2.0).\n"
        "# Built by scripts/build_fold_table.py; do not edit.\n" + "\n".join(pairs) + "\n",
        encoding="utf-8",
    )
    print(f"{len(pairs)} pairs -> {OUT}")


if __name__ == "__main__":
    main()
