"""Throughput of the script and punctuation passes together, on real text, one core.

    python benchmarks/bench_script_punct.py [--mb 8] [--rounds 3] [--target hans] [--profile]

Texts: the five seeds as the earlier passes (decode, layout) hand them on, and
the 69 hand-cleaned pages of ../shared/corpus/cwced (real web text, mostly
Simplified). Each set is repeated until it holds at least ``--mb`` MB, then
every document goes through Script.apply and Punctuation.apply the way the
pipeline runs them (a Document per text, changes counted into ``fixes``).
Prints MB/s of UTF-8 input per set and over both, and the peak memory
(tracemalloc, measured in a second, untimed run). Floor: 30 MB/s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("CLEANER_SHARED", ROOT.parent / "shared"))

from cleaner.document import Document  # noqa: E402
from cleaner.passes.layout import Layout  # noqa: E402
from cleaner.passes.punctuation import Punctuation  # noqa: E402
from cleaner.passes.script import Script, ScriptOptions  # noqa: E402


def seed_texts() -> list[str]:
    layout = Layout()
    texts = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts.append(layout.apply(text, Document(id=path.stem, text=text)).text)
    return texts


def cwced_texts() -> list[str]:
    folder = SHARED / "corpus" / "cwced" / "cleaned"
    return [p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.glob("*.txt"))]


def run(texts: list[str], passes) -> None:
    for text in texts:
        doc = Document(id="bench", text=text)
        for p in passes:
            result = p.apply(text, doc)
            if result.changes or result.counts:
                counts = Counter(p.kind_of(c.code) for c in result.changes)
                counts.update(result.counts)
                for kind, n in counts.items():
                    doc.count(kind, n)
            text = result.text


def measure(name: str, texts: list[str], passes, mb: float, rounds: int) -> tuple[int, float]:
    size = sum(len(t.encode("utf-8")) for t in texts)
    repeat = max(1, int(mb * 1e6 / size) + 1)
    batch = texts * repeat
    run(texts, passes)  # warm up: converters, tables, compiled patterns
    # Best of several runs, as timeit does: other processes share the machine.
    elapsed = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        run(batch, passes)
        elapsed = min(elapsed, time.perf_counter() - start)
    total = size * repeat
    print(f"{name:>8}: {len(batch):6d} docs {total / 1e6:7.2f} MB  {elapsed:6.3f} s  {total / 1e6 / elapsed:6.1f} MB/s")
    return total, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=8.0, help="MB of input per text set")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs per set; the best counts")
    parser.add_argument("--target", default="hans")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    passes = [Script(ScriptOptions(target=args.target)), Punctuation()]
    sets = {"seeds": seed_texts()}
    if (SHARED / "corpus" / "cwced").is_dir():
        sets["cwced"] = cwced_texts()
    if args.profile:
        import cProfile
        cProfile.runctx("run(sets['seeds'] * 200, passes)", globals(), locals(), sort="tottime")
        return
    total = elapsed = 0.0
    for name, texts in sets.items():
        t, e = measure(name, texts, passes, args.mb, args.rounds)
        total += t
        elapsed += e
    print(f"{'all':>8}: {total / 1e6:7.2f} MB  {elapsed:6.3f} s  {total / 1e6 / elapsed:6.1f} MB/s (floor 30)")
    tracemalloc.start()
    for texts in sets.values():
        run(texts * 20, passes)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory (tracemalloc, one document at a time): {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
