"""Throughput of the script and punctuation passes together, on real text, one core.

    python benchmarks/bench_script_punct.py [--mb 8] [--rounds 3] [--target hans] [--profile]

Texts: the five seeds and the 69 hand-cleaned pages of ../shared/corpus/cwced
(real web text, mostly Simplified), as the passes before script hand them on
(decode, boilerplate, layout, and mojibake once it is registered). Each set is
repeated until it holds at least ``--mb`` MB; every document then goes through
Script.apply and Punctuation.apply the way the pipeline runs them (a Document
per text, changes counted into ``fixes``).

Prints MB/s of UTF-8 input per set, and for the real text as it comes (each
page and seed once, so each set weighs by its size), from the CPU time of
this process, best of ``--rounds`` (the machine is shared: wall time also
counts other processes' turns; it is printed beside it). Then the peak memory
(tracemalloc, in a second, untimed run). Floor: 30 MB/s.
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

from cleaner import Pipeline
from cleaner.config import config_from_mapping
from cleaner.document import Document
from cleaner.passes import DEFAULT_ORDER
from cleaner.passes.punctuation import Punctuation
from cleaner.passes.script import Script, ScriptOptions


def earlier_passes(texts: list[str]) -> list[str]:
    """The texts as the passes before script hand them on."""
    before = DEFAULT_ORDER[:DEFAULT_ORDER.index("script")]
    pipeline = Pipeline(config_from_mapping({"passes": list(before)}))
    return [pipeline.clean_text(text) for text in texts]


def seed_texts() -> list[str]:
    return earlier_passes([p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))])


def cwced_texts() -> list[str]:
    folder = SHARED / "corpus" / "cwced" / "cleaned"
    return earlier_passes([p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.glob("*.txt"))])


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


def measure(name: str, texts: list[str], passes, mb: float, rounds: int) -> float:
    """MB/s (CPU) over ``texts`` repeated to ``mb`` MB."""
    size = sum(len(t.encode("utf-8")) for t in texts)
    repeat = max(1, int(mb * 1e6 / size) + 1)
    batch = texts * repeat
    run(texts, passes)  # warm up: converters, tables, compiled patterns
    cpu = wall = float("inf")
    for _ in range(rounds):
        start, start_wall = time.process_time(), time.perf_counter()
        run(batch, passes)
        cpu = min(cpu, time.process_time() - start)
        wall = min(wall, time.perf_counter() - start_wall)
    total = size * repeat
    print(f"{name:>8}: {len(batch):6d} docs {total / 1e6:7.2f} MB  {cpu:6.3f} s CPU  "
          f"{total / 1e6 / cpu:6.1f} MB/s  (wall {total / 1e6 / wall:5.1f} MB/s)")
    return total / 1e6 / cpu


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
    size = seconds = 0.0
    for name, texts in sets.items():
        rate = measure(name, texts, passes, args.mb, args.rounds)
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        size += mb
        seconds += mb / rate
    print(f"{'real':>8}: {size:.2f} MB of real text, each page once: {size / seconds:6.1f} MB/s CPU (floor 30)")
    tracemalloc.start()
    for texts in sets.values():
        run(texts * 20, passes)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory (tracemalloc, one document at a time): {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
