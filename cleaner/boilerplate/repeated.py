"""Lines that recur across the documents of a run (CCNet-style line hashing).

A first scan counts, for each line, how many documents contain it; lines in at
least ``min_docs`` documents are boilerplate for the cleaning scan, even
without a rule (an unseen outlet's footer). Only 8-byte hashes are kept, never
the lines, and the count table is bounded: when it outgrows ``max_entries``,
hashes seen in a single document are dropped (lossy counting), so a footer
that recurs densely survives while the long tail of unique lines does not cost
memory. The result is a frozen set of hashes, small and picklable, which the
cleaning workers receive with the configuration.

Counting is a sum, so the frozen set -- and the output -- is the same for any
number of workers and any chunking. On Ray (or any sharded engine) each shard
that calls ``Pipeline.observe`` on its own records gets the statistic of that
shard; for a corpus-wide statistic, observe a sample (or all records) once on
the driver and ship the pipeline to the shards.
"""

from __future__ import annotations

import hashlib
import re
from collections import _count_elements  # type: ignore[attr-defined]
from collections.abc import Iterable
from dataclasses import dataclass, field

from cleaner.boilerplate.lines import strip

_SPACES = re.compile(r"\s+")


def line_key(line: str) -> str:
    # Same as _SPACES.sub("", line) (str.split and \s agree on every code point), 4x faster.
    return "".join(line.split())


# blake2b(data, digest_size=8) as a copy of the empty state plus an update: the
# same digest without the constructor's parsing of its keyword arguments (a third of a lookup).
_EMPTY_HASH = hashlib.blake2b(digest_size=8)


def line_hash(key: str) -> int:
    state = _EMPTY_HASH.copy()
    state.update(key.encode("utf-8", "surrogatepass"))
    return int.from_bytes(state.digest(), "little")


def document_line_hashes(text: str, min_chars: int) -> set[int]:
    """Hashes of the distinct lines of one document that are long enough to count:
    of each line's ``line_key(strip(line))``.

    The first scan of a run hashes every line of the corpus, so the calls are
    spelt out. Every character ``strip`` takes off a line's edges is white
    space, which ``line_key`` drops anyway, except the zero-width space.
    """
    if "\u200b" in text:
        keys = [line_key(strip(raw)) for raw in text.splitlines()]
    else:
        keys = ["".join(raw.split()) for raw in text.splitlines()]
    hashes = set()
    add, copy, from_bytes = hashes.add, _EMPTY_HASH.copy, int.from_bytes
    for key in keys:  # line_hash, spelt out
        if len(key) >= min_chars:
            state = copy()
            state.update(key.encode("utf-8", "surrogatepass"))
            add(from_bytes(state.digest(), "little"))
    return hashes


@dataclass
class LineCounter:
    min_docs: int
    max_entries: int = 1 << 20
    counts: dict[int, int] = field(default_factory=dict)
    documents: int = 0

    def add(self, hashes: Iterable[int]) -> None:
        self.documents += 1
        counts = self.counts
        _count_elements(counts, hashes)  # Counter's C loop: the parent counts every line of the run
        if len(counts) > self.max_entries:
            self.counts = {h: n for h, n in counts.items() if n > 1}

    def frequent(self) -> LineStats:
        return LineStats(frozenset(h for h, n in self.counts.items() if n >= self.min_docs), self.documents)


@dataclass(frozen=True)
class LineStats:
    """The hashes of lines frequent in a run, and how many documents were seen."""

    frequent: frozenset[int] = frozenset()
    documents: int = 0

    def __contains__(self, key: str) -> bool:
        return bool(self.frequent) and line_hash(key) in self.frequent
