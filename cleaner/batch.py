"""Cleaning a stream of work items, in one process or several, in input order.

Workers each build their own pipeline from the (picklable) configuration and
return finished JSON lines, so serialisation runs in parallel too. At most a
small window of chunks is in flight, so memory is bounded by the largest
document rather than by the corpus, and output order (and bytes) does not
depend on the number of workers.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from cleaner.config import Config
from cleaner.document import Document
from cleaner.errors import CleanerError, InputError
from cleaner.interrupt import shielded
from cleaner.io.sources import Item
from cleaner.pipeline import Pipeline, document_from_record

# Items are sent to workers in chunks of about this many bytes (or records).
CHUNK_BYTES = 1 << 20
CHUNK_ITEMS = 256


@dataclass(slots=True)
class Outcome:
    source: str
    line: int | None
    output: str | None = None  # the JSON line, without newline
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
    if item.error is not None:
        raise InputError(item.source, item.error, item.line)
    if item.format == "record":
        doc = document_from_record(item.record or {}, text_key, source=item.source, line=item.line)
        doc.encoding_in = "utf-8"  # JSONL is read as UTF-8
        return doc
    return Document(id=item.id, text="", source=item.source, format=item.format, data=item.data)


def clean_item(pipeline: Pipeline, item: Item) -> Outcome:
    size = item.size
    if item.record is not None and isinstance(item.record.get(pipeline.config.text_key), str):
        size = len(item.record[pipeline.config.text_key].encode("utf-8", "surrogatepass"))
    try:
        doc = pipeline.clean_document(document_from_item(item, pipeline.config.text_key))
    except CleanerError as err:
        return Outcome(item.source, item.line, error=str(err), size=size)
    except RecursionError:
        return Outcome(item.source, item.line, error=_where(item) + ": document too deeply nested", size=size)
    except Exception as err:  # a bug in a pass must not take the batch down
        return Outcome(item.source, item.line, size=size,
                       error=f"{_where(item)}: internal error in cleaner: {type(err).__name__}: {err}")
    line = json.dumps(doc.to_record(), ensure_ascii=False)
    return Outcome(item.source, item.line, output=line, fixes=dict(doc.fixes), flags=list(doc.flags), size=size)


def _where(item: Item) -> str:
    return f"{item.source}:{item.line}" if item.line is not None else item.source


# -- worker processes -------------------------------------------------------

_worker_pipeline: Pipeline | None = None
# Shared with the parent: per worker, its pid and the sequence number of the
# item it is cleaning (-1 between items), so that when a worker dies the
# parent can name the document it was on.
_worker_board = None
_worker_slot = 0


def _init_worker(config: Config, board, counter) -> None:
    global _worker_pipeline, _worker_board, _worker_slot
    # Ctrl-C reaches the whole process group; the parent stops the workers, so
    # a worker must not die on its own with a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with counter.get_lock():
        index = counter.value
        counter.value += 1
    _worker_board, _worker_slot = board, 2 * (index % (len(board) // 2))
    board[_worker_slot] = os.getpid()
    board[_worker_slot + 1] = -1
    _worker_pipeline = Pipeline(config)


def _clean_chunk(first: int, chunk: list[Item]) -> list[Outcome]:
    assert _worker_pipeline is not None
    outcomes = []
    for number, item in enumerate(chunk, start=first):
        _worker_board[_worker_slot + 1] = number
        outcomes.append(clean_item(_worker_pipeline, item))
    _worker_board[_worker_slot + 1] = -1
    return outcomes


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
    """Clean ``items`` and yield one Outcome per item, in input order.

    If a worker process dies (killed, out of memory, a crash in C code) the
    run stops with ``WorkerDied`` naming the document it was on; if the
    consumer stops early or the run is interrupted, the workers are stopped at
    once rather than left to finish their chunks.
    """
    if workers <= 1:
        pipeline = Pipeline(config)
        for item in items:
            yield clean_item(pipeline, item)
        return
    context = multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")
    window = workers * 3
    with shielded():
        board = context.RawArray("q", 2 * workers)
        counter = context.Value("i", 0)
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                   initargs=(config, board, counter))
    pending: deque = deque()
    submitted = 0
    try:
        for chunk in _chunks(items):
            with shielded():  # submit starts worker processes
                pending.append((submitted, chunk, pool.submit(_clean_chunk, submitted, chunk)))
            submitted += len(chunk)
            if len(pending) >= window:
                yield from _collect(pool, board, pending)
        while pending:
            yield from _collect(pool, board, pending)
    except BaseException:
        with shielded():
            _stop_workers(pool)
        raise
    finally:
        with shielded():
            pool.shutdown(wait=True, cancel_futures=True)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    # Stopped by signal rather than left to finish their chunks. The pool's own
    # thread then finds them gone, fails the pending futures and exits, and the
    # shutdown that follows joins it; cancelling futures from here instead races
    # with that thread (InvalidStateError) and can leave the exit waiting on a
    # full pipe.
    for pid in list(getattr(pool, "_processes", None) or {}):  # private, but stable since 3.2
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)


class WorkerDied(CleanerError):
    pass


def _collect(pool: ProcessPoolExecutor, board, pending: deque) -> list[Outcome]:
    first, chunk, future = pending[0]
    try:
        outcomes = future.result()
    except BrokenProcessPool:
        raise WorkerDied(_death_message(pool, board, pending)) from None
    pending.popleft()
    return outcomes


def _death_message(pool: ProcessPoolExecutor, board, pending: deque) -> str:
    items: dict[int, Item] = {}
    for first, chunk, _ in pending:
        items.update(enumerate(chunk, start=first))
    processes = getattr(pool, "_processes", None) or {}
    busy = []  # (item, exit code) for every worker that was on an item
    for slot in range(0, len(board), 2):
        pid, number = board[slot], board[slot + 1]
        if pid and number >= 0 and number in items:
            process = processes.get(pid)
            busy.append((items[number], process.exitcode if process is not None else None))
    # The pool terminates the surviving workers (SIGTERM) once one has died;
    # the one that died first ended some other way.
    culprits = [(item, code) for item, code in busy if code is not None and code != -signal.SIGTERM]
    culprits = culprits or busy
    if not culprits:
        first = next(iter(items.values()), None)
        where = f" before it took a document; unfinished from {_where(first)} on" if first else ""
        return f"a worker process died{where}"
    how = _how_it_died(culprits[0][1])
    names = ", ".join(sorted({_where(item) for item, _ in culprits}))
    return f"a worker process died ({how}) while cleaning {names}"


def _how_it_died(exitcode: int | None) -> str:
    if exitcode is None or exitcode >= 0:
        return f"exit code {exitcode}" if exitcode is not None else "killed or out of memory"
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        name = f"signal {-exitcode}"
    return f"{name}, e.g. out of memory" if exitcode == -signal.SIGKILL else name
