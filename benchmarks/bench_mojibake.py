"""Mojibake pass: repair rate per mechanism, false changes on clean text, throughput.

usage: python benchmarks/bench_mojibake.py [--shared ../shared]

Repair rates come from clean real text (cwced gold pages) damaged here with each
mechanism, counted exact when the repaired text equals the original. Throughput
is MB (UTF-8) per second of ``fix_mojibake`` on one core, after the model loads.
"""

from __future__ import annotations

import json
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from cleaner.mojibake import lm as charlm
from cleaner.passes.mojibake import fix_mojibake


def sentences(shared: Path, n: int, seed: int) -> list[str]:
    out = []
    for page in sorted((shared / "corpus" / "cwced" / "cleaned").iterdir()):
        for s in page.read_text(encoding="utf-8").replace("\n", "。").split("。"):
            s = s.strip()
            if 12 <= len(s) <= 60 and all("\u4e00" <= c <= "\u9fff" or c in "，、" for c in s):
                out.append(s)
    return random.Random(seed).sample(out, min(n, len(out)))


def rate(pairs):
    pairs = list(pairs)
    exact = sum(fix_mojibake(garbled)[0] == want for garbled, want in pairs)
    return exact, len(pairs)


def main() -> None:
    shared = Path(sys.argv[sys.argv.index("--shared") + 1]) if "--shared" in sys.argv else ROOT.parent / "shared"
    import test_mojibake as gen  # the generators the tests use

    charlm.load()
    sents = sentences(shared, 400, 1)
    trad = gen._traditional(sents)
    print("repair rate per mechanism (exact recovery on damaged clean text):")

    def utf8_gbk():
        for s in sents:
            try:
                yield "前文。" + s.encode("utf-8").decode("gbk"), "前文。" + s
            except UnicodeDecodeError:
                pass

    def latin():
        for s in sents[:100]:
            yield s.encode("gbk").decode("latin-1"), s

    def lost_lead():
        for t in trad:
            j = next((j for j, c in enumerate(t) if j >= 2 and 0x40 <= c.encode("gbk")[1] <= 0x7E), None)
            if j is None or j > 12:
                continue
            try:
                g = gen._misread_from_second_byte(("。" + t[:j + 1]).encode("gbk")[1:])
            except UnicodeDecodeError:
                continue
            yield "前文?" + g + t[j + 1:], "前文。" + t

    def straddle():
        from cleaner.mojibake.pinyin import readings

        for t in trad:
            data = t.encode("gbk")
            for k in range(3, min(len(t) - 2, 20)):
                try:
                    c = data[2 * k - 1:2 * k + 1].decode("gbk")
                except UnicodeDecodeError:
                    continue
                if len(c) != 1 or not readings(c):
                    continue
                if not any(0x40 <= data[2 * j + 1] <= 0x7E for j in range(k, len(t))):
                    break
                syl = sorted(readings(c))[0]
                g = gen._decode_eating(data[:2 * k + 1] + b"(" + syl.encode("gbk") + b")" + data[2 * k + 1:])
                if g.count("?") == 1:
                    yield g, t
                break

    def pinyin():
        from cleaner.mojibake.pinyin import readings

        for t in trad[:100]:
            yield "".join(c + (f"({sorted(readings(c))[0]})" if i % 3 == 1 and readings(c) else "")
                          for i, c in enumerate(t)), t

    for name, pairs in (("M104 utf8_as_gbk", utf8_gbk()), ("M105 gbk_as_latin1", latin()),
                        ("M103 lost lead byte", lost_lead()), ("M102 straddled annotation", straddle()),
                        ("M101 pinyin annotation", pinyin())):
        exact, n = rate(pairs)
        print(f"  {name:28s} {exact}/{n} = {exact / max(n, 1):.1%}")

    clean = [p.read_text(encoding="utf-8") for p in sorted((shared / "corpus" / "cwced" / "cleaned").iterdir())]
    clean += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("00[0-3]*.txt"))]
    negative = [c["original"] for c in json.loads((shared / "corpus" / "ftfy" / "negative.json").read_text())]
    changed = sum(bool(fix_mojibake(t)[1]) for t in clean)
    neg_changed = sum(bool(fix_mojibake(t)[1]) for t in negative)
    print(f"false changes: {changed}/{len(clean)} clean Chinese documents, "
          f"{neg_changed}/{len(negative)} ftfy negative cases (ftfy's own answer changes 1 of them)")

    damaged = [p.read_text(encoding="utf-8") for p in (ROOT / "seeds").glob("004*.txt")]
    damaged += [(shared / "examples" / f).read_text(encoding="utf-8") for f in ("page-020.txt", "page-033.txt")]
    for label, docs, reps in (("clean", clean, 20), ("damaged", damaged, 5)):
        size = sum(len(d.encode("utf-8")) for d in docs) * reps
        t0 = time.perf_counter()
        for _ in range(reps):
            for d in docs:
                fix_mojibake(d)
        dt = time.perf_counter() - t0
        tracemalloc.start()  # measured apart: tracing slows Python down several times
        for d in docs:
            fix_mojibake(d)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        # damaged text is slow enough (model search per span) that MB/s needs three decimals
        print(f"throughput on {label} text: {size / dt / 1e6:.3f} MB/s, {dt / (reps * len(docs)) * 1e3:.1f} ms per document "
              f"({size / 1e6:.2f} MB, peak {peak / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
