"""Work done by one pass, counted in CPU instructions per MB of its input.

    python benchmarks/pass_instructions.py layout punctuation     # 10 MB corpus (the default passes)
    python benchmarks/pass_instructions.py --size-mb 2 layout

Timings on a shared machine move by 20 % from run to run; the number of
instructions a pass executes does not. Each pass's input is what it gets in the
default pipeline (the text before it, from ``Pipeline.clean_document``'s
trace), saved once under benchmarks/.corpus/; then the pass is run over all of
it under valgrind's callgrind, once with and once without the work, and the
difference is divided by the MB of input. Needs valgrind; slow (about half a
minute a pass for 10 MB), so it is a tool for comparing two versions of a
pass, not a test.
"""

from __future__ import annotations

import argparse
import json
import pickle
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def pass_inputs(size_mb: float, names: list[str]) -> Path:
    sys.path.insert(0, str(HERE))
    from bench_pipeline import build_corpus

    from cleaner import Pipeline
    from cleaner.document import Document

    corpus = build_corpus(size_mb, 0)
    path = corpus.with_suffix(f".inputs-{'-'.join(sorted(names))}.pickle")
    if path.exists() and path.stat().st_mtime > corpus.stat().st_mtime:
        return path
    pipeline = Pipeline()
    inputs: dict[str, list[str]] = {name: [] for name in names}
    for line in corpus.open("rb"):
        record = json.loads(line)
        trace: list = []
        pipeline.clean_document(Document(id=record["id"], text=record["text"]), trace)
        for step in trace:
            if step.name in inputs:
                inputs[step.name].append(step.before)
    path.write_bytes(pickle.dumps(inputs))
    return path


def run(path: str, name: str, rounds: int, warm_all: bool = False) -> None:
    """The child: ``rounds`` times the pass over its inputs."""
    from cleaner.document import Document
    from cleaner.pipeline import Pipeline

    texts = pickle.loads(Path(path).read_bytes())[name]
    step = Pipeline({"passes": [name]}).passes[0]
    # Imports, rule files, caches; with --warm-all, also what a pass builds when
    # some later text first needs it (a character class compiled lazily, an
    # OpenCC dictionary), which costs milliseconds once per process and would
    # otherwise be counted as work on a small corpus.
    for text in texts if warm_all else texts[:1]:
        step.apply(text, Document(id="warm-up", text=text))
    for _ in range(rounds):
        for text in texts:
            step.apply(text, Document(id="", text=text))


def instructions(path: Path, name: str, rounds: int, warm_all: bool = False) -> int:
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, __file__, "--child", str(path), name, str(rounds), *(["--warm-all"] if warm_all else [])],
        capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", proc.stderr).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("passes", nargs="*", default=["layout", "punctuation"])
    parser.add_argument("--size-mb", type=float, default=10)
    parser.add_argument("--warm-all", action="store_true",
                        help="run the pass over every input once before counting: steady-state work only")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run(args.child[0], args.child[1], int(args.child[2]), args.warm_all)
        return
    path = pass_inputs(args.size_mb, args.passes)
    inputs = pickle.loads(path.read_bytes())
    for name in args.passes:
        mb = sum(len(text.encode("utf-8")) for text in inputs[name]) / 1e6
        work = instructions(path, name, 1, args.warm_all) - instructions(path, name, 0, args.warm_all)
        print(f"{name:12s} {work / mb / 1e6:7.1f} M instructions/MB  ({mb:.1f} MB of input)")


if __name__ == "__main__":
    main()
