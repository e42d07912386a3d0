"""Main-text extraction on real Chinese pages: cleaner against trafilatura.

Corpus: ../shared/corpus/cwced (Chinese-Web-Content-Extraction-Dataset, MIT): 69
cached pages in original/ with hand-made gold main text in cleaned/. Both
extractors get the page's bytes; cleaner runs its default pipeline (decode ->
html -> ... ), trafilatura runs ``trafilatura.extract(html_bytes)``. Score: mean
character-bigram F1 against the gold text, after normalising both sides the same
way (NFKC, Traditional->Simplified, all white space removed), so script and
punctuation width do not count, only which text was kept.

    pip install -e '.[bench]'
    python benchmarks/bench_extraction.py [--corpus DIR] [--verbose]

trafilatura is a benchmark-only dependency (the `bench` extra); without it only
cleaner's figure is printed.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = Path(os.environ.get("CLEANER_SHARED", ROOT.parent / "shared")) / "corpus" / "cwced"
_SPACE = re.compile(r"\s+")


def _converter():
    import opencc

    for name in ("t2s.json", "t2s"):
        try:
            return opencc.OpenCC(name)
        except Exception:
            continue
    raise SystemExit("cannot load OpenCC t2s")


def normalise(text: str, cc) -> str:
    return _SPACE.sub("", cc.convert(unicodedata.normalize("NFKC", text)))


def bigram_f1(got: str, gold: str) -> float:
    a = Counter(got[i:i + 2] for i in range(len(got) - 1))
    b = Counter(gold[i:i + 2] for i in range(len(gold) - 1))
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def cleaner_extract(pipeline, path: Path, data: bytes) -> str:
    from cleaner.document import Document

    doc = Document(id=path.stem, text="", source=str(path), format="html", data=data)
    return pipeline.clean_document(doc).text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", action="store_true", help="print the score of every page")
    args = parser.parse_args()
    pages = sorted((args.corpus / "original").glob("*.html"))
    if not pages:
        print(f"no pages in {args.corpus / 'original'}", file=sys.stderr)
        return 2
    from cleaner import Pipeline

    try:
        import trafilatura
    except ImportError:
        trafilatura = None
        print("trafilatura not installed (pip install -e '.[bench]'): cleaner only", file=sys.stderr)
    cc = _converter()
    pipeline = Pipeline()
    ours: list[float] = []
    theirs: list[float] = []
    seconds = {"cleaner": 0.0, "trafilatura": 0.0}
    for path in pages:
        data = path.read_bytes()
        gold = normalise((args.corpus / "cleaned" / f"{path.stem}.txt").read_text(encoding="utf-8",
                                                                                errors="replace"), cc)
        start = time.perf_counter()
        try:
            text = cleaner_extract(pipeline, path, data)
        except Exception as err:  # an input cleaner rejects scores 0, like an empty extraction
            print(f"cleaner: {path.name}: {err}", file=sys.stderr)
            text = ""
        seconds["cleaner"] += time.perf_counter() - start
        ours.append(bigram_f1(normalise(text, cc), gold))
        line = f"{ours[-1]:.3f}"
        if trafilatura is not None:
            start = time.perf_counter()
            theirs.append(bigram_f1(normalise(trafilatura.extract(data) or "", cc), gold))
            seconds["trafilatura"] += time.perf_counter() - start
            line += f"  {theirs[-1]:.3f}"
        if args.verbose:
            print(f"{line}  {path.stem}")
    print(f"pages: {len(pages)}")
    print(f"cleaner      mean char-bigram F1: {sum(ours) / len(ours):.4f}  ({seconds['cleaner']:.1f} s)")
    if theirs:
        print(f"trafilatura  mean char-bigram F1: {sum(theirs) / len(theirs):.4f}  ({seconds['trafilatura']:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
