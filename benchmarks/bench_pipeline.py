"""Throughput, memory and start-up of cleaner, against the plain ftfy + OpenCC baseline.

    python benchmarks/bench_pipeline.py                  # 50 MB corpus, everything
    python benchmarks/bench_pipeline.py --size-mb 10 --quick

The corpus is built deterministically (``--seed``) by recombining paragraphs of
../shared/corpus/cwced/cleaned (69 real pages) and the five seeds into news-sized
documents, and cached as JSONL under benchmarks/.corpus/. Every figure is
measured in a fresh subprocess, so peak memory (ru_maxrss) is that run's own:

- the default pipeline and each pass alone, in process (``Pipeline.clean`` per
  record, the library form): MB/s of UTF-8 input on one core, documents/s;
- the plain baseline: ``ftfy.fix_text`` then OpenCC t2s, record by record, with
  the installed ``opencc`` and, where a throwaway venv with
  opencc-python-reimplemented can be made (``--reimpl-venv``), with that;
- ``cleaner clean corpus.jsonl -o ...`` end to end with ``--workers 1`` and
  ``--workers 2``: wall time, speed-up, byte-identical output;
- one 24 MB document through ``cleaner clean``: peak RSS;
- ``cleaner --help``: start-up time (best of several runs).

Output is Markdown, ready for the README's Performance section.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".corpus"
SHARED = Path(os.environ.get("CLEANER_SHARED", ROOT.parent / "shared")).resolve()
SOURCES = [SHARED / "corpus" / "cwced" / "cleaned", ROOT / "seeds"]
MB = 1e6


# -- corpus ------------------------------------------------------------------

def _blocks() -> list[list[str]]:
    """Paragraph blocks (split on blank lines) of every source document, in a fixed order."""
    docs = []
    for folder in SOURCES:
        for path in sorted(folder.glob("*.txt")):
            text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
            blocks = [b for b in text.split("\n\n") if b.strip()]
            if blocks:
                docs.append(blocks)
    if not docs:
        sys.exit(f"bench: no source text under {', '.join(map(str, SOURCES))}")
    return docs


_SENTENCE = re.compile(r"[^。！？!?\n]*[。！？!?]+[”」』）)]?|[^。！？!?\n]+")


def _document(rng: random.Random, docs: list[list[str]], target: int) -> str:
    """Runs of consecutive paragraphs from random source pages, up to ``target`` bytes.

    The sentences of a one-line paragraph are shuffled: the corpus reuses each
    source paragraph dozens of times, and verbatim copies would all look like
    boilerplate to the cross-document repeated-line statistic, which a real
    corpus does not invite. Short lines (headings, credits) recur as they do.
    """
    parts: list[str] = []
    size = 0
    while size < target:
        blocks = rng.choice(docs)
        start = rng.randrange(len(blocks))
        for block in blocks[start:start + rng.randint(1, 8)]:
            if "\n" not in block.strip():
                sentences = _SENTENCE.findall(block)
                if len(sentences) > 1:
                    rng.shuffle(sentences)
                    block = "".join(sentences)
            parts.append(block)
            size += len(block.encode("utf-8")) + 2
    return "\n\n".join(parts)


def build_corpus(size_mb: float, seed: int) -> Path:
    path = CACHE / f"corpus-v2-{size_mb:g}mb-seed{seed}.jsonl"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    docs = _blocks()
    tmp = path.with_suffix(".tmp")
    written = 0
    with tmp.open("w", encoding="utf-8") as out:
        n = 0
        while written < size_mb * MB:
            # News pages: mostly 1-8 KB, a few long ones.
            target = int(rng.lognormvariate(8.2, 0.8))
            text = _document(rng, docs, target)
            out.write(json.dumps({"id": f"bench-{n:07d}", "text": text}, ensure_ascii=False) + "\n")
            written += len(text.encode("utf-8"))
            n += 1
    tmp.replace(path)
    return path


def build_big_document(size_mb: float, seed: int) -> Path:
    path = CACHE / f"big-v2-{size_mb:g}mb-seed{seed}.txt"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    text = _document(random.Random(seed), _blocks(), int(size_mb * MB))
    path.write_text(text, encoding="utf-8")
    return path


# -- measurements (each in its own process) ---------------------------------

def _records(corpus: Path):
    with corpus.open("rb") as handle:
        for line in handle:
            yield json.loads(line)


def _maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def measure_pipeline(corpus: Path, passes: str, form: str = "batch") -> dict:
    """``Pipeline.clean_batch`` over batches of ``BATCH_DOCUMENTS`` records (the
    form ``Pipeline.run``, the CLI and the Ray engine use: a pass at a time over
    the batch), or with ``form="record"`` ``Pipeline.clean`` record by record."""
    sys.path.insert(0, str(ROOT))
    from cleaner import Pipeline
    from cleaner.pipeline import BATCH_DOCUMENTS

    pipe = Pipeline() if passes == "default" else Pipeline({"passes": passes.split(",")})
    pipe.passes  # build the passes (OpenCC dictionaries, rule files) before timing
    clock = time.process_time  # CPU time: MB/s per core, and steadier on a shared machine
    seconds = 0.0
    size = docs = 0
    batch: list[dict] = []
    for record in _records(corpus):
        size += len(record["text"].encode("utf-8"))
        docs += 1
        if form == "record":
            start = clock()
            pipe.clean(record)
            seconds += clock() - start
            continue
        batch.append(record)
        if len(batch) == BATCH_DOCUMENTS:
            start = clock()
            pipe.clean_batch(batch)
            seconds += clock() - start
            batch = []
    if batch:
        start = clock()
        pipe.clean_batch(batch)
        seconds += clock() - start
    return {"seconds": seconds, "bytes": size, "docs": docs, "maxrss_mb": _maxrss_mb()}


def _t2s():
    import opencc

    for name in ("t2s", "t2s.json"):
        try:
            return opencc.OpenCC(name).convert
        except Exception:  # the two bindings spell the config differently
            continue
    raise SystemExit("bench: cannot build an OpenCC t2s converter")


def measure_baseline(corpus: Path) -> dict:
    import ftfy
    import opencc

    convert = _t2s()
    clock = time.process_time
    seconds = 0.0
    size = docs = 0
    for record in _records(corpus):
        text = record["text"]
        size += len(text.encode("utf-8"))
        start = clock()
        convert(ftfy.fix_text(text))
        seconds += clock() - start
        docs += 1
    flavour = "official" if hasattr(opencc, "clib") or "opencc_clib" in dir(opencc) else "reimplemented"
    return {"seconds": seconds, "bytes": size, "docs": docs, "maxrss_mb": _maxrss_mb(), "opencc": flavour}


def measure_command(argv: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed: {proc.stderr.decode(errors='replace')[-2000:]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "maxrss_mb": usage.ru_maxrss / 1024}


_SPIN = "x = 0\nfor i in range(20_000_000): x += i"


def _machine_speedup() -> float:
    """Wall time of one CPU-bound process over that of two running side by side (same work each)."""
    def run(copies: int) -> float:
        start = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", _SPIN]) for _ in range(copies)]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - start
    one, two = run(1), run(2)
    return 2 * one / two


def _in_subprocess(kind: str, *args: str, python: str | None = None) -> dict:
    proc = subprocess.run([python or sys.executable, __file__, "_measure", kind, *args],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _cleaner_argv() -> list[str]:
    # The code of this checkout, not whatever `cleaner` is installed: the
    # in-process rows measure this tree, so must the commands (see measure_command).
    return [sys.executable, "-m", "cleaner"]


# -- the reimplementation baseline in a throwaway venv ---------------------

def reimpl_python(option: str) -> str | None:
    """A python with ftfy + opencc-python-reimplemented, made under .corpus/ on first use."""
    if option == "none":
        return None
    venv = CACHE / "venv-reimpl" if option == "auto" else Path(option)
    python = venv / "bin" / "python"
    if python.exists():
        return str(python)
    print(f"bench: making {venv} with ftfy + opencc-python-reimplemented ...", file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "ftfy", "opencc-python-reimplemented"],
                       check=True)
    except (subprocess.CalledProcessError, OSError) as err:
        print(f"bench: no reimplementation baseline ({err})", file=sys.stderr)
        shutil.rmtree(venv, ignore_errors=True)
        return None
    return str(python)


# -- report -----------------------------------------------------------------

def _row(label: str, r: dict, cores: int = 1) -> str:
    mbps = r["bytes"] / MB / r["seconds"]
    return (f"| {label} | {mbps / cores:.1f} | {r['docs'] / r['seconds']:,.0f} | {r['maxrss_mb']:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=50, help="corpus size in MB of UTF-8 text (default 50)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--big-mb", type=float, default=24, help="size of the single-document memory check")
    parser.add_argument("--reimpl-venv", default="auto",
                        help="venv with opencc-python-reimplemented: auto (made under .corpus/), a path, or none")
    parser.add_argument("--quick", action="store_true", help="skip the per-pass rows and the big document")
    parser.add_argument("--repeat", type=int, default=2, help="end-to-end runs per worker count (best is kept)")
    args = parser.parse_args()

    corpus = build_corpus(args.size_mb, args.seed)
    # Bytecode, as `pip install` writes it: start-up must not count compiling
    # the sources (with PYTHONDONTWRITEBYTECODE set, every process would).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "cleaner")], check=True)
    sys.path.insert(0, str(ROOT))
    from cleaner.config import Config

    cfg = Config()
    total = sum(len(r["text"].encode("utf-8")) for r in _records(corpus))
    lines = sum(1 for _ in corpus.open("rb"))
    load = os.getloadavg()[0]
    print(f"load average before the run: {load:.2f}" + ("  (busy machine: wall times are pessimistic)" if load > 0.5 else ""))
    print(f"corpus: {corpus.relative_to(ROOT)}: {lines:,} documents, {total / MB:.1f} MB of UTF-8 text"
          f" (file {corpus.stat().st_size / MB:.1f} MB); python {sys.version.split()[0]}, {os.cpu_count()} cores\n")

    print("In process, one core (`Pipeline.clean_batch` over batches of 128 records, as `Pipeline.run`, the CLI\n"
          "and the Ray engine clean; record by record with `Pipeline.clean` where said; CPU time; peak RSS of\n"
          "the whole process):\n")
    print("| run | MB/s | docs/s | peak RSS MB |")
    print("|---|---:|---:|---:|")
    default = _in_subprocess("pipeline", str(corpus), "default")
    print(_row(f"default pipeline ({', '.join(cfg.enabled)})", default), flush=True)
    by_record = _in_subprocess("pipeline", str(corpus), "default", "record")
    print(_row("default pipeline, record by record (`Pipeline.clean`)", by_record), flush=True)
    if not args.quick:
        for name in cfg.enabled:
            print(_row(f"{name} alone", _in_subprocess("pipeline", str(corpus), name)), flush=True)
    base = _in_subprocess("baseline", str(corpus))
    print(_row(f"baseline: ftfy.fix_text + OpenCC t2s ({base['opencc']} opencc)", base), flush=True)
    baselines = [base]
    python = reimpl_python(args.reimpl_venv)
    if python:
        reimpl = _in_subprocess("baseline", str(corpus), python=python)
        print(_row(f"baseline: ftfy.fix_text + OpenCC t2s ({reimpl['opencc']} opencc)", reimpl), flush=True)
        baselines.append(reimpl)
    print()
    speed = lambda r: r["bytes"] / r["seconds"]  # noqa: E731
    for b in baselines:
        print(f"default pipeline / baseline with {b['opencc']} opencc: **{speed(default) / speed(b):.1f}x**"
              f" (record by record: {speed(by_record) / speed(b):.1f}x)")

    print(f"\nEnd to end, `cleaner clean CORPUS.jsonl -o OUT.jsonl` (JSONL read, first scan for repeated lines,"
          f" clean, JSONL write; best of {args.repeat}):\n")
    print("| workers | wall s | CPU s | MB/s | speed-up | peak RSS MB (largest process) |")
    print("|---:|---:|---:|---:|---:|---:|")
    # Alternating runs, best wall time of each: on a shared machine the other
    # load comes and goes, and it must not favour one side.
    outputs: dict[int, bytes] = {}
    best: dict[int, dict] = {}
    for _ in range(args.repeat):
        for workers in (1, 2):
            out = CACHE / f"out-w{workers}.jsonl"
            r = _in_subprocess("command", *_cleaner_argv(), "clean", str(corpus), "-o", str(out),
                               "--workers", str(workers), "--no-progress")
            outputs[workers] = out.read_bytes()
            if workers not in best or r["seconds"] < best[workers]["seconds"]:
                best[workers] = r
    one = best[1]["seconds"]
    for workers, r in best.items():
        print(f"| {workers} | {r['seconds']:.2f} | {r['cpu_seconds']:.2f} | {total / MB / r['seconds']:.1f} | "
              f"{one / r['seconds']:.2f}x | {r['maxrss_mb']:.0f} |", flush=True)
    machine = _machine_speedup()
    print(f"\nWhat this machine gives two processes right now (a pure-Python loop, 1 vs 2 copies): "
          f"**{machine:.2f}x** -- the ceiling for the speed-up above.")
    same = outputs[1] == outputs[2]
    print(f"\n--workers 2 output byte-identical to --workers 1: **{'yes' if same else 'NO'}**")
    for workers in outputs:
        (CACHE / f"out-w{workers}.jsonl").unlink(missing_ok=True)

    if not args.quick:
        big = build_big_document(args.big_mb, args.seed)
        out = CACHE / "out-big.jsonl"
        r = _in_subprocess("command", *_cleaner_argv(), "clean", str(big), "-o", str(out), "--no-progress")
        out.unlink(missing_ok=True)
        print(f"\nOne {big.stat().st_size / MB:.0f} MB document (`cleaner clean {big.name}`): "
              f"{r['seconds']:.1f} s, peak RSS **{r['maxrss_mb']:.0f} MB**")

    times = [_in_subprocess("command", *_cleaner_argv(), "--help")["seconds"] for _ in range(5)]
    print(f"\n`cleaner --help` start-up: **{min(times):.2f} s** (best of 5; median {sorted(times)[2]:.2f} s)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_measure":
        kind, rest = sys.argv[2], sys.argv[3:]
        if kind == "pipeline":
            result = measure_pipeline(Path(rest[0]), *rest[1:])
        elif kind == "baseline":
            result = measure_baseline(Path(rest[0]))
        else:
            result = measure_command(rest)
        print(json.dumps(result))
    else:
        main()
