"""How many characters the mojibake repair makes up, against labelled real damage.

    python benchmarks/mojibake_quality.py          # totals
    python benchmarks/mojibake_quality.py -v       # and each damaged stretch

Sources: ../shared/examples/page-033 (UTF-8 read as GBK line after line, with
the GBK pairs the decoder could not map gone; labels give the repaired lines)
and ../shared/examples/cjk-mojibake-wild.json (14 real cases with their fixes);
with ``--synthetic N``, also the first N pages of ../shared/corpus/cwced/cleaned
damaged the way page-033 was (UTF-8 read as GBK by a decoder that drops the
pairs it cannot map and shows an odd byte and the ASCII after it as ``?``).
Each repaired line is aligned with its label by characters (difflib); where
they differ, a character of the repair that is not U+FFFD was made up (worse
than U+FFFD: it reads as text), and a U+FFFD is an honest loss.
"""

from __future__ import annotations

import argparse
import difflib
import json
from pathlib import Path

from cleaner.passes.mojibake import fix_mojibake

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"
if not EXAMPLES.is_dir():
    EXAMPLES = Path("/work/shared/examples")


def compare(repaired: str, fixed: str, garbled: str) -> tuple[int, int, int, int, list[str]]:
    """(right, made up, left garbled, U+FFFD) characters of ``repaired`` against
    ``fixed``, and the differences. A differing stretch found as it is in
    ``garbled`` was left alone, not made up."""
    right = made_up = left = lost = 0
    diffs = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, repaired, fixed, autojunk=False).get_opcodes():
        if op == "equal":
            right += a2 - a1
            continue
        got = repaired[a1:a2]
        lost += got.count("\ufffd")
        if got.replace("\ufffd", "") in garbled:
            left += len(got) - got.count("\ufffd")
        else:
            made_up += len(got) - got.count("\ufffd")
        diffs.append(f"{got!r} for {fixed[b1:b2]!r} in ...{repaired[max(0, a1 - 4):a2 + 4]}...")
    return right, made_up, left, lost, diffs


def cases() -> list[tuple[str, str, str, str]]:
    """(name, garbled, repaired, fixed) for each labelled stretch."""
    out = []
    page = (EXAMPLES / "page-033.txt").read_text(encoding="utf-8")
    labels = json.loads((EXAMPLES / "page-033.labels.json").read_text(encoding="utf-8"))
    repaired_lines = fix_mojibake(page)[0].split("\n")
    for m in labels["mojibake"]:
        if m.get("fixed"):
            out.append((f"page-033:{m['line']}", m["garbled"], repaired_lines[m["line"] - 1], m["fixed"]))
    wild = json.loads((EXAMPLES / "cjk-mojibake-wild.json").read_text(encoding="utf-8"))
    for i, case in enumerate(wild):
        if case.get("fixed"):
            out.append((f"wild:{i}", case["mojibake"], fix_mojibake(case["mojibake"])[0], case["fixed"]))
    return out


CWCED = EXAMPLES.parent / "corpus" / "cwced" / "cleaned"


def garble(text: str) -> str:
    """``text`` as UTF-8 read as GBK the way page-033 was: a pair GBK cannot
    map vanishes, 0x80 shows as €, an odd byte eats the ASCII byte after it."""
    data = text.encode("utf-8")
    out, i = [], 0
    while i < len(data):
        b = data[i]
        if b < 0x80:
            out.append(chr(b))
            i += 1
        elif b == 0x80:
            out.append("€")
            i += 1
        elif i + 1 < len(data) and (0x40 <= data[i + 1] <= 0xFE and data[i + 1] != 0x7F):
            try:
                out.append(data[i:i + 2].decode("gbk"))
            except UnicodeDecodeError:
                pass  # vanished
            i += 2
        else:
            out.append("?")
            i += 2
    return "".join(out)


def synthetic(n: int) -> list[tuple[str, str, str, str]]:
    out = []
    for path in sorted(CWCED.glob("*.txt"))[:n]:
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()][:40]
        garbled = [garble(ln) for ln in lines]
        repaired = fix_mojibake("\n".join(garbled))[0].split("\n")
        out += [(f"synthetic:{path.stem[:8]}:{k}", g, r, ln)
                for k, (g, r, ln) in enumerate(zip(garbled, repaired, lines))]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N")
    args = parser.parse_args()
    totals: dict[str, list[int]] = {}
    for name, garbled, repaired, fixed in cases() + synthetic(args.synthetic):
        right, made_up, left, lost, diffs = compare(repaired, fixed, garbled)
        group = totals.setdefault(name.split(":")[0], [0, 0, 0, 0])
        for i, n in enumerate((right, made_up, left, lost)):
            group[i] += n
        if args.verbose:
            print(f"{name}: right {right}, made up {made_up}, left garbled {left}, U+FFFD {lost}")
            for d in diffs:
                print("   ", d)
    for group, (right, made_up, left, lost) in totals.items():
        print(f"{group}: right {right}, made up {made_up}, left garbled {left}, U+FFFD {lost}")


if __name__ == "__main__":
    main()
