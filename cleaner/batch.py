"""Cleaning a stream of work items, in one process or several, in input order.

Workers each build their own pipeline from the (picklable) configuration and
return finished JSON lines, so serialisation runs in parallel too. At most a
small window of chunks is in flight, so memory is bounded by the largest
document rather than by the corpus, and output order (and bytes) does not
depend on the number of workers.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from cleaner.config import Config
from cleaner.document import Document
from cleaner.errors import CleanerError, InputError
from cleaner.io import jsonl
from cleaner.io.sources import Item, parse_jsonl_line
from cleaner.pipeline import Pipeline, document_from_record, new_line_counter

# Items are sent to workers in chunks of about this many bytes (or records).
CHUNK_BYTES = 1 << 20
CHUNK_ITEMS = 256


@dataclass(slots=True)
class Outcome:
    source: str
    line: int | None
    output: bytes | None = None  # the JSON line (UTF-8), without newline
    error: str | None = None
    fixes: dict[str, int] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    size: int = 0


@dataclass
class Summary:
    documents: int = 0
    errors: int = 0
    bytes_in: int = 0
    fixes: Counter = field(default_factory=Counter)
    flags: Counter = field(default_factory=Counter)

    def add(self, outcome: Outcome) -> None:
        self.bytes_in += outcome.size
        if outcome.error is not None:
            self.errors += 1
            return
        self.documents += 1
        self.fixes.update(outcome.fixes)
        self.flags.update(outcome.flags)


def document_from_item(item: Item, text_key: str) -> Document:
    return _read_item(item, text_key)[0]


def _read_item(item: Item, text_key: str) -> tuple[Document, bool]:
    """The document of an item, and whether its record must be written back by ``json``."""
    if item.error is not None:
        raise InputError(item.source, item.error, item.line)
    if item.format in ("record", "jsonl"):
        record, stdlib = item.record, False
        if record is None:
            try:
                record, stdlib = parse_jsonl_line(item)
            except ValueError as err:
                raise InputError(item.source, str(err), item.line) from None
        doc = document_from_record(record, text_key, source=item.source, line=item.line)
        doc.encoding_in = "utf-8"  # JSONL is read as UTF-8
        return doc, stdlib
    return Document(id=item.id, text="", source=item.source, format=item.format, data=item.data), False


def clean_item(pipeline: Pipeline, item: Item) -> Outcome:
    size = item.size
    if item.record is not None and isinstance(item.record.get(pipeline.config.text_key), str):
        size = len(item.record[pipeline.config.text_key].encode("utf-8", "surrogatepass"))
    try:
        doc, stdlib = _read_item(item, pipeline.config.text_key)
        doc = pipeline.clean_document(doc)
    except CleanerError as err:
        return Outcome(item.source, item.line, error=str(err), size=size)
    except RecursionError:
        return Outcome(item.source, item.line, error=_where(item) + ": document too deeply nested", size=size)
    except Exception as err:  # a bug in a pass must not take the batch down
        return Outcome(item.source, item.line, size=size,
                       error=f"{_where(item)}: internal error in cleaner: {type(err).__name__}: {err}")
    line = jsonl.dumps(doc.to_record(), stdlib)
    return Outcome(item.source, item.line, output=line, fixes=dict(doc.fixes), flags=list(doc.flags), size=size)


def _where(item: Item) -> str:
    return f"{item.source}:{item.line}" if item.line is not None else item.source


# -- worker processes -------------------------------------------------------

_worker_pipeline: Pipeline | None = None


def _init_worker(pipeline: Pipeline) -> None:
    global _worker_pipeline
    _worker_pipeline = pipeline


def _clean_chunk(chunk: list[Item]) -> list[Outcome]:
    assert _worker_pipeline is not None
    return [clean_item(_worker_pipeline, item) for item in chunk]


def _chunks(items: Iterable[Item]) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += item.size + 200
        if size >= CHUNK_BYTES or len(chunk) >= CHUNK_ITEMS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def clean_items(items: Iterable[Item], config: Config, workers: int = 1) -> Iterator[Outcome]:
    """Clean ``items`` and yield one Outcome per item, in input order."""
    if workers <= 1:
        pipeline = Pipeline(config)
        for item in items:
            yield clean_item(pipeline, item)
        return
    context, pipeline = _start_method(config)
    window = workers * 3
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(pipeline,)) as pool:
        pending: deque = deque()
        try:
            for chunk in _chunks(items):
                pending.append((chunk, pool.submit(_clean_chunk, chunk)))
                if len(pending) >= window:
                    yield from _collect(*pending.popleft())
            while pending:
                yield from _collect(*pending.popleft())
        except BaseException:
            for _, future in pending:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


# -- the first scan: line statistics of the run ------------------------------


def wants_line_stats(config: Config) -> bool:
    return new_line_counter(config) is not None


def _item_hashes(pipeline: Pipeline, item: Item) -> list[int]:
    try:
        return sorted(pipeline.line_hashes(document_from_item(item, pipeline.config.text_key)))
    except Exception:  # a bad input is reported by the cleaning scan, not here
        return []


def _hash_chunk(chunk: list[Item]) -> list[list[int]]:
    assert _worker_pipeline is not None
    return [_item_hashes(_worker_pipeline, item) for item in chunk]


def learn_line_stats(items: Iterable[Item], config: Config, workers: int = 1) -> Config:
    """First scan over a run: the configuration with the run's frequent lines in it.

    Hashes are computed in the workers and counted here in input order, so the
    result (and the cleaned output) is the same for any number of workers.
    """
    counter = new_line_counter(config)
    if counter is None:
        return config
    if workers <= 1:
        pipeline = Pipeline(config)
        for item in items:
            counter.add(_item_hashes(pipeline, item))
        return config.replace(line_stats=counter.frequent())
    context, pipeline = _start_method(config)
    window = workers * 3
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(pipeline,)) as pool:
        pending: deque = deque()
        for chunk in _chunks(items):
            pending.append((chunk, pool.submit(_hash_chunk, chunk)))
            if len(pending) >= window:
                for hashes in _collect(*pending.popleft()):
                    counter.add(hashes)
        while pending:
            for hashes in _collect(*pending.popleft()):
                counter.add(hashes)
    return config.replace(line_stats=counter.frequent())


def _start_method(config: Config):
    """The multiprocessing context for the workers, and the pipeline to hand them.

    On Linux, while this process runs no other thread, workers are forked with
    the passes already built (OpenCC dictionaries, rule tables and models shared
    copy-on-write), so they start in milliseconds instead of each importing and
    building everything again. Elsewhere, or from a threaded program where
    fork is unsafe, forkserver/spawn workers rebuild the pipeline from its
    pickled configuration.
    """
    pipeline = Pipeline(config)
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        pipeline.passes  # build once, here, before forking
        # A forked child flushes its copy of any pending output at exit.
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
        return multiprocessing.get_context("fork"), pipeline
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn"), pipeline


class WorkerDied(CleanerError):
    pass


def _collect(chunk: list[Item], future) -> list[Outcome]:
    try:
        return future.result()
    except BrokenProcessPool:
        names = ", ".join(_where(i) for i in chunk[:3]) + (" ..." if len(chunk) > 3 else "")
        raise WorkerDied(f"a worker process died (killed or out of memory) while cleaning {names}") from None
