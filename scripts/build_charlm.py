#!/usr/bin/env python3
"""Build cleaner/data/charlm.txt.gz and charlm.bin: character unigram and bigram counts.

Source: jieba's dictionary (``jieba/dict.txt`` in the ``jieba`` package on
PyPI, 0.42.1; MIT licence, (c) Sun Junyi), 349k words with corpus frequencies.
Each word contributes its frequency to the counts of its characters and of the
character pairs inside it. For Traditional Chinese every word is also converted
with OpenCC (``s2t``, Apache-2.0 data) and the converted word, where it differs,
adds the same counts, so one model scores both scripts.

The mojibake pass only needs to tell real text from garble, so counts are
rounded to two significant digits and bigrams seen fewer than ``MIN_BIGRAM``
times are left out to keep the file small.

Output format (UTF-8, gzip): a header line ``#charlm total=N``, then one entry
per line, ``<chars>\t<count>``: one character for a unigram, two for a bigram.

``charlm.bin`` holds the same counts in the form the pass loads (parsing the
text form and building its dictionaries cost 60 ms, paid by every process that
meets a damaged document): a text header (format, total, sizes, this source
and licence) ending with a blank line, then little-endian uint32 arrays, uncompressed (unpacking 1 MB
cost 5-10 ms; git and wheels compress the file anyway): the unigram
characters' code points and counts in the text form's order, and the bigrams'
keys ``ord(a) << 16 | ord(b)`` (sorted, for a binary search) and counts. Every
character of the model is in the BMP, which the build checks.

usage: python scripts/build_charlm.py   (needs: pip install jieba opencc)
       python scripts/build_charlm.py --binary-only   (charlm.bin from charlm.txt.gz)
"""

from __future__ import annotations

import gzip
import math
import os
import re
import sys
from collections import Counter
from pathlib import Path

# Run from a checkout (``python scripts/...``): the table format lives in the package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from cleaner.data import u32_bytes

OUT = Path(__file__).resolve().parent.parent / "cleaner" / "data" / "charlm.txt.gz"
OUT_BIN = OUT.with_name("charlm.bin")
BIN_MAGIC = "#charlm-bin 2"
MIN_BIGRAM = 30
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _converter():
    import opencc

    for name in ("s2t.json", "s2t"):
        try:
            return opencc.OpenCC(name)
        except Exception:  # the other binding spells config names differently
            continue
    raise RuntimeError("no OpenCC s2t config")


def round2(n: int) -> int:
    if n < 100:
        return n
    digits = int(math.log10(n)) - 1
    return round(n, -digits)


def read_text(path: Path = OUT) -> tuple[int, list[tuple[str, int]], list[tuple[str, int]]]:
    """(total, unigrams, bigrams) of the text form, each in its file order."""
    header, _, body = gzip.decompress(path.read_bytes()).decode("utf-8").partition("\n")
    total = int(header.split("total=")[1])
    fields = body.split()
    entries = [(k, int(n)) for k, n in zip(fields[0::2], fields[1::2])]
    return total, [e for e in entries if len(e[0]) == 1], [e for e in entries if len(e[0]) == 2]


def write_binary(total: int, unigrams: list[tuple[str, int]], bigrams: list[tuple[str, int]],
                 path: Path = OUT_BIN) -> None:
    chars = "".join(c for c, _ in unigrams) + "".join(ab for ab, _ in bigrams)
    assert all(ord(c) <= 0xFFFF for c in chars), "a key outside the BMP needs a wider key"
    keyed = sorted((ord(ab[0]) << 16 | ord(ab[1]), n) for ab, n in bigrams)
    payload = b"".join((u32_bytes(ord(c) for c, _ in unigrams), u32_bytes(n for _, n in unigrams),
                        u32_bytes(k for k, _ in keyed), u32_bytes(n for _, n in keyed)))
    header = (f"{BIN_MAGIC} total={total} unigrams={len(unigrams)} bigrams={len(bigrams)}\n"
              "# Character counts from jieba's dict.txt 0.42.1 (MIT, (c) Sun Junyi) and its\n"
              "# OpenCC s2t conversion (Apache-2.0 data); built by scripts/build_charlm.py.\n\n")
    path.write_bytes(header.encode("utf-8") + payload)
    print(f"{path}: {path.stat().st_size} bytes")


def main() -> None:
    if "--binary-only" in sys.argv[1:]:
        write_binary(*read_text())
        return
    import jieba

    path = Path(os.path.dirname(jieba.__file__)) / "dict.txt"
    words: list[tuple[str, int]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) >= 2 and parts[1].isdigit():
            words.append((parts[0], int(parts[1])))
    cc = _converter()
    # Convert in one call per chunk: OpenCC segments phrases itself.
    trad: list[str] = []
    chunk = 20000
    for i in range(0, len(words), chunk):
        trad.extend(cc.convert("\n".join(w for w, _ in words[i:i + chunk])).split("\n"))
    assert len(trad) == len(words)

    uni: Counter[str] = Counter()
    bi: Counter[str] = Counter()
    for (word, freq), tword in zip(words, trad):
        forms = (word,) if tword == word else (word, tword)
        for form in forms:
            chars = [c for c in form if HAN.match(c)]
            if len(chars) != len(form):
                continue
            for c in chars:
                uni[c] += freq
            for a, b in zip(chars, chars[1:]):
                bi[a + b] += freq
    total = sum(uni.values())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write(f"#charlm total={total}\n")
        for c, n in sorted(uni.items()):
            f.write(f"{c}\t{round2(n)}\n")
        for ab, n in sorted(bi.items()):
            if n >= MIN_BIGRAM:
                f.write(f"{ab}\t{round2(n)}\n")
    kept = sum(1 for n in bi.values() if n >= MIN_BIGRAM)
    print(f"{OUT}: {len(uni)} unigrams, {kept} of {len(bi)} bigrams, {OUT.stat().st_size} bytes")
    write_binary(*read_text())


if __name__ == "__main__":
    main()
