"""Cleaning a stream of work items, in one process or several, in input order.

Workers are forked with the passes built (elsewhere they rebuild the
pipeline from its picklable configuration), read a JSONL file's byte ranges
themselves and return finished JSON lines, so reading and serialisation run
in parallel too. At most a small window of chunks is in flight, so memory is
bounded by the largest document rather than by the corpus, and output order
(and bytes) does not depend on the number of workers. A run's first scan
(the lines that recur across it) runs in the same workers where it can.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import tempfile
import threading
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from cleaner.config import Config
from cleaner.document import Document
from cleaner.errors import CleanerError, InputError
from cleaner.interrupt import shielded
from cleaner.io import jsonl
from cleaner.io.sources import (
    RANGE_FORMATS,
    Item,
    parse_jsonl_line,
    range_start,
    unit_items,
)
from cleaner.pipeline import Pipeline, document_from_record, new_line_counter

# Items are sent to workers in chunks of about this many bytes (or records):
# big enough that a chunk costs far more to clean than to send (each chunk
# costs both processes its own round trip: 1 MB chunks took 4% less CPU and
# time in all than 256 KB ones on the benchmark corpus), small enough that
# the last chunks leave no worker idle for long (a MB is 50 ms of cleaning).
CHUNK_BYTES = 1 << 20
CHUNK_ITEMS = 256
# A JSONL file goes to the workers as byte ranges of this size, which they
# read themselves, a range a chunk: 2 MB ranges took 2% less time than 1 MB
# ones with two workers on the benchmark corpus (this process, which shares
# the processors with them, handles half as many chunks), though the last
# one may leave a worker idle for a tenth of a second.
RANGE_BYTES = 2 << 20


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

    def merge(self, other: Summary) -> None:
        self.documents += other.documents
        self.errors += other.errors
        self.bytes_in += other.bytes_in
        self.fixes.update(other.fixes)
        self.flags.update(other.flags)


@dataclass(slots=True)
class Cleaned:
    """The outcomes of a chunk of items in one piece, for a writer.

    A worker sends this rather than an Outcome per record: pickling one
    object a record (with its counts) and the writer's work per record cost
    both processes more than the bytes themselves. ``output`` holds the JSON
    lines of the records cleaned, each ending in a newline; each failure
    comes with the offset in ``output`` where its record would have been.
    """

    output: bytes
    failed: list[tuple[int, Outcome]]
    summary: Summary

    @classmethod
    def of(cls, outcomes: Iterable[Outcome]) -> Cleaned:
        lines: list[bytes] = []
        failed: list[tuple[int, Outcome]] = []
        summary = Summary()
        size = 0
        for outcome in outcomes:
            summary.add(outcome)
            if outcome.error is not None:
                failed.append((size, outcome))
                continue
            lines.append(outcome.output)  # type: ignore[arg-type]
            size += len(outcome.output) + 1  # type: ignore[arg-type]
        if lines:
            lines.append(b"")
        return cls(b"\n".join(lines), failed, summary)


def document_from_item(item: Item, text_key: str) -> Document:
    return _read_item(item, text_key)[0]


def _read_item(item: Item, text_key: str) -> tuple[Document, bool]:
    """The document of an item, and whether its record must be written back by ``json``."""
    if item.error is not None:
        raise InputError(item.source, item.error, item.line)
    if item.format in ("record", "jsonl"):
        record, stdlib, surrogates = item.record, False, True
        if record is None:
            try:
                record, stdlib = parse_jsonl_line(item)
            except ValueError as err:
                raise InputError(item.source, str(err), item.line) from None
            surrogates = stdlib  # orjson rejects lone surrogates
        doc = document_from_record(record, text_key, source=item.source, line=item.line, surrogates=surrogates)
        doc.encoding_in = "utf-8"  # JSONL is read as UTF-8
        return doc, stdlib
    return Document(id=item.id, text="", source=item.source, format=item.format, data=item.data), False


def clean_item(pipeline: Pipeline, item: Item) -> Outcome:
    return clean_chunk(pipeline, [item])[0]


def clean_chunk(pipeline: Pipeline, items: Sequence[Item],
                on_item: Callable[[int], None] | None = None) -> list[Outcome]:
    """``clean_item`` of each of ``items``, their documents cleaned together, a
    pass at a time (``Pipeline.clean_documents``); ``on_item(i)`` is called
    when ``items[i]``'s document is about to be worked on."""
    text_key = pipeline.config.text_key
    outcomes: list[Outcome | None] = []
    sizes: list[int] = []
    read: list[int] = []  # the index of each document's item
    docs: list[Document] = []
    stdlibs: list[bool] = []
    for index, item in enumerate(items):
        size = item.size
        if item.record is not None and isinstance(item.record.get(text_key), str):
            size = len(item.record[text_key].encode("utf-8", "surrogatepass"))
        sizes.append(size)
        try:
            doc, stdlib = _read_item(item, text_key)
        except Exception as err:
            outcomes.append(_failure(item, err, size))
            continue
        outcomes.append(None)
        read.append(index)
        docs.append(doc)
        stdlibs.append(stdlib)
    on_document = None if on_item is None else (lambda j: on_item(read[j]))
    errors = pipeline.clean_documents(docs, on_document)
    for index, doc, stdlib, error in zip(read, docs, stdlibs, errors):
        item, size = items[index], sizes[index]
        if error is not None:
            outcomes[index] = _failure(item, error, size)
            continue
        line = jsonl.dumps(doc.to_record(), stdlib)
        outcomes[index] = Outcome(item.source, item.line, output=line, fixes=dict(doc.fixes),
                                  flags=list(doc.flags), size=size)
    return outcomes  # type: ignore[return-value]


def _failure(item: Item, error: Exception, size: int) -> Outcome:
    if isinstance(error, CleanerError):
        message = str(error)
    elif isinstance(error, RecursionError):
        message = _where(item) + ": document too deeply nested"
    else:  # a bug in a pass must not take the batch down
        message = f"{_where(item)}: internal error in cleaner: {type(error).__name__}: {error}"
    return Outcome(item.source, item.line, error=message, size=size)


def _where(item: Item, line: int = -1, byte: int = -1) -> str:
    """The document ``item`` is, or (a "jsonl-range") holds at ``line`` or ``byte``."""
    if line >= 0:
        return f"{item.source}:{line}"
    if byte >= 0:
        return f"{item.source} (the record at byte {byte})"
    return f"{item.source}:{item.line}" if item.line is not None else item.source


# -- worker processes -------------------------------------------------------

_worker_pipeline: Pipeline | None = None
# Shared with the parent: per worker, its pid, the sequence number of the
# item it is on (-1 between items) and, in a "jsonl-range", the line and the
# byte offset of the record it is on (-1 when unknown), so that when a worker
# dies the parent can name the document it was on.
_worker_board = None
_worker_slot = 0
_BOARD_SLOTS = 4


def _init_worker(pipeline: Pipeline, board, counter) -> None:
    global _worker_pipeline, _worker_board, _worker_slot
    # Ctrl-C reaches the whole process group; the parent stops the workers, so
    # a worker must not stop on its own with a traceback of its own. A forked
    # worker also inherits the parent's SIGTERM handler, which would turn the
    # parent's "stop now" into an exception the pool hands back as a result.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _keep_freed_memory()
    with counter.get_lock():
        index = counter.value
        counter.value += 1
    _worker_board, _worker_slot = board, _BOARD_SLOTS * (index % (len(board) // _BOARD_SLOTS))
    board[_worker_slot] = os.getpid()
    board[_worker_slot + 1] = board[_worker_slot + 2] = board[_worker_slot + 3] = -1
    # If the parent is killed outright (SIGKILL, the OOM killer) nobody shuts
    # the pool down: the worker would wait on its queue, or block writing a
    # result nobody reads, for ever. The parent's sentinel closes when it dies.
    parent = multiprocessing.parent_process()
    if parent is not None and parent.sentinel is not None:
        threading.Thread(target=_exit_with_parent, args=(parent.sentinel,), daemon=True).start()
    _worker_pipeline = pipeline


# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def _keep_freed_memory() -> None:
    """Let this worker keep the memory it frees for the next chunk.

    By default glibc serves each allocation past 128 KB or so (a chunk's read
    buffer and its joined output are a MB) with a fresh mapping, and hands
    memory free at the top of the heap back to the system; the next chunk
    then faults every page back in, and a fault costs 2 microseconds on the
    virtual machines this runs on (a 200 MB copy-on-write test). Heap memory
    up to 16 MB an allocation, and 64 MB free, is kept instead: 3% less time
    for two workers on the 50 MB benchmark, a third of their page faults. Not
    glibc (musl, macOS): nothing to do.
    """
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, 16 << 20)
    mallopt(_M_TRIM_THRESHOLD, 64 << 20)


def _exit_with_parent(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _on_board(first: int, chunk: list[Item], work: Callable[[Pipeline, Item], object],
              counted: list[int] | None = None) -> list:
    """``work`` on each item of ``chunk`` (the lines of a "jsonl-range", read
    here: the process feeding the workers sends a file name and two offsets
    instead of the data), saying on the board which one is under way;
    ``counted`` gets the number of lines of each range (``range_items``)."""
    assert _worker_pipeline is not None
    board, slot, pipeline = _worker_board, _worker_slot, _worker_pipeline
    results = []
    for number, unit in enumerate(chunk, start=first):
        board[slot + 1] = number
        for item in _read_on_board(unit, board, slot, counted):
            if item.span is not None:
                board[slot + 2] = item.line if item.line is not None else -1
                board[slot + 3] = item.span[0]
            results.append(work(pipeline, item))
    board[slot + 1] = board[slot + 2] = board[slot + 3] = -1
    return results


def _read_on_board(unit: Item, board, slot: int, counted: list[int] | None = None) -> Iterator[Item]:
    """``unit_items(unit)``; while a record of a "jsonl-range" is read (a long
    one can take a while, or all the memory) the board names it by where it starts."""
    if unit.format not in RANGE_FORMATS:
        yield unit
        return
    board[slot + 2] = -1
    board[slot + 3] = -1
    with contextlib.suppress(OSError):  # (unit_items reports it)
        board[slot + 3] = range_start(unit)
    for item in unit_items(unit, counted):
        yield item
        board[slot + 2] = -1
        if item.span is not None:
            board[slot + 3] = item.span[1]
    board[slot + 3] = -1


def _clean_chunk(first: int, chunk: list[Item]) -> list[Outcome]:
    """The chunk's items (a "jsonl-range"'s records read here) cleaned together,
    the board naming the document under way."""
    assert _worker_pipeline is not None
    board, slot = _worker_board, _worker_slot
    items: list[Item] = []
    numbers: list[int] = []
    for number, unit in enumerate(chunk, start=first):
        board[slot + 1] = number
        for item in _read_on_board(unit, board, slot):
            items.append(item)
            numbers.append(number)

    def on_item(i: int) -> None:
        item = items[i]
        board[slot + 1] = numbers[i]
        board[slot + 2] = item.line if item.span is not None and item.line is not None else -1
        board[slot + 3] = item.span[0] if item.span is not None else -1

    outcomes = clean_chunk(_worker_pipeline, items, on_item)
    board[slot + 1] = board[slot + 2] = board[slot + 3] = -1
    return outcomes


def _clean_chunk_joined(first: int, chunk: list[Item]) -> list[Cleaned]:
    return [Cleaned.of(_clean_chunk(first, chunk))]


def _chunks(items: Iterable[Item], chunk_bytes: int = CHUNK_BYTES) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += item.size + 200
        if size >= chunk_bytes or len(chunk) >= CHUNK_ITEMS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def clean_items(items: Iterable[Item], config: Config, workers: int = 1) -> Iterator[Outcome]:
    """Clean ``items`` and yield one Outcome per item, in input order (with
    workers, a chunk's documents cleaned together, a pass at a time).

    If a worker process dies (killed, out of memory, a crash in C code) the
    run stops with ``WorkerDied`` naming the document it was on; if the
    consumer stops early or the run is interrupted, the workers are stopped at
    once rather than left to finish their chunks.
    """
    if workers <= 1:
        pipeline = Pipeline(config)
        for item in items:  # one by one: each outcome as soon as its item is read
            yield clean_item(pipeline, item)
        return
    yield from _in_workers(_clean_chunk, items, config, workers, warm_up=True)


def clean_chunks(items: Iterable[Item], config: Config, workers: int = 1,
                 scan: Iterable[Item] | None = None) -> Iterator[Cleaned]:
    """``clean_items``, a chunk of items at a time (see ``Cleaned``), in input order.

    ``items`` may hold "jsonl-range" items (``read_items(..., jsonl_ranges=RANGE_BYTES, numbered=True)``).
    With ``scan``, the same run's items as the first scan reads them, the
    run's frequent lines are learnt first when the configuration wants them
    (``learn_line_stats``). With workers, and a scan of "jsonl-cell" items
    (``read_items(..., jsonl_cells=SCAN_CHUNK_BYTES)``), the workers that
    clean learn them too, and then clean those cells, numbered from the lines
    the scan counted, instead of reading ``items`` (``_scan_and_clean``).
    """
    if scan is not None and wants_line_stats(config):
        if workers > 1 and _forks():
            cells, scan = _cells_only(scan)
            notes = _temporary_files(2) if cells is not None else None
            if notes is not None:
                with notes[0], notes[1]:
                    yield from _scan_and_clean(cells, config, workers, *notes)
                return
        config = learn_line_stats(scan, config, workers)
    if workers <= 1:
        pipeline = Pipeline(config)
        for chunk in _chunks(items):
            yield Cleaned.of(clean_chunk(pipeline, [item for unit in chunk for item in unit_items(unit)]))
        return
    yield from _in_workers(_clean_chunk_joined, items, config, workers, warm_up=True)


# The first scan's work is light (a document's lines hashed): its chunks are
# bigger, so that the workers spend their time on it rather than on taking
# chunks. Where the scan has workers of its own (``learn_line_stats``), more
# of them are queued, enough to keep the workers busy while this process
# builds the passes for the cleaning (``meanwhile``): two workers hash 32 MB
# in the 0.2-0.3 s the building takes beside them, and sat idle for the rest
# of it when 8 chunks each were queued. (What waits is a file name and two
# offsets a chunk, and the hashes of the chunks done.) The cells of the
# early scanner's runs are this size too, and are cleaned as they are
# (``_scan_and_clean``).
SCAN_CHUNK_BYTES = 1 << 21
SCAN_CHUNKS_PER_WORKER = 16


def _in_workers(function, items: Iterable[Item], config: Config, workers: int,
                warm_up: bool = False, meanwhile: Callable[[], None] | None = None,
                scan: bool = False, pool: _WorkerPool | None = None) -> Iterator:
    """``function(first, chunk)`` over the chunks of ``items`` in worker processes, in order.

    ``meanwhile`` runs in this process once the workers have a window of
    chunks queued; what it raises stops the run. With ``scan``, the workers
    get only the passes of the first scan, and bigger chunks. A ``pool``
    given is stopped if the run fails, and left open otherwise.
    """
    owned = pool is None
    if pool is None:
        pool = _WorkerPool(config, workers, warm_up, scan)
    window = SCAN_CHUNKS_PER_WORKER * workers if scan else pool.window
    pending: deque = deque()  # (number of the first item, chunk, future)
    submitted = 0
    try:
        for chunk in _chunks(items, SCAN_CHUNK_BYTES if scan else CHUNK_BYTES):
            pending.append((submitted, chunk, pool.submit(function, submitted, chunk)))
            submitted += len(chunk)
            if len(pending) >= window:
                if meanwhile is not None:
                    meanwhile, work = None, meanwhile
                    work()
                yield from pool.collect(pending)
        if meanwhile is not None:
            meanwhile()
        while pending:
            yield from pool.collect(pending)
    except BaseException:
        pool.stop()
        raise
    finally:
        if owned:
            pool.close()


# -- the first scan: line statistics of the run ------------------------------


def wants_line_stats(config: Config) -> bool:
    return new_line_counter(config) is not None


def _item_hashes(pipeline: Pipeline, item: Item) -> list[int]:
    try:
        # (In any order: a count is a sum.)
        return list(pipeline.line_hashes(document_from_item(item, pipeline.config.text_key)))
    except Exception:  # a bad input is reported by the cleaning scan, not here
        return []


def _hash_chunk(first: int, chunk: list[Item]) -> list[bytes]:
    """Each document's line hashes, packed (``unpack_hashes``): a third of the
    bytes of a pickled list of ints, and a C loop to count them."""
    return [array("Q", hashes).tobytes() for hashes in _on_board(first, chunk, _item_hashes)]


def unpack_hashes(packed: bytes) -> memoryview:
    return memoryview(packed).cast("Q")


def _hash_cells(first: int, chunk: list[Item]) -> list[tuple[list[bytes], list[int]]]:
    """``_hash_chunk``, and the number of lines of each cell (blank ones too),
    in one piece."""
    counted: list[int] = []
    hashes = _on_board(first, chunk, _item_hashes, counted)
    return [([array("Q", h).tobytes() for h in hashes], counted)]


def learn_line_stats(items: Iterable[Item], config: Config, workers: int = 1) -> Config:
    """First scan over a run: the configuration with the run's frequent lines in it.

    ``items`` may hold "jsonl-range" items (``read_items(..., jsonl_ranges=SCAN_CHUNK_BYTES)``).

    Hashes are computed in the workers and counted here in input order, so the
    result (and the cleaned output) is the same for any number of workers.
    """
    counter = new_line_counter(config)
    if counter is None:
        return config
    if workers <= 1:
        pipeline = Pipeline(config)
        for unit in items:
            for item in unit_items(unit):
                counter.add(_item_hashes(pipeline, item))
        return config.replace(line_stats=counter.frequent())
    # The scan needs only the input passes. The others (rule tables, OpenCC,
    # the mojibake model: most of the start-up) are built here while it runs,
    # with what they load on first use, so that the cleaning workers forked
    # from this process once the scan is done start with them ready; a
    # configuration error found on the way stops the scan. (Built in this
    # thread, after queuing work: a second thread would fight the pool's
    # threads feeding the workers for the interpreter.)
    prepare = partial(_prepare, Pipeline(config), _forks())
    for packed in _in_workers(_hash_chunk, items, config, workers, meanwhile=prepare, scan=True):
        counter.add(unpack_hashes(packed))
    return config.replace(line_stats=counter.frequent())


def _prepare(pipeline: Pipeline, warm_up: bool) -> None:
    pipeline.passes
    if warm_up:
        _warm_up(pipeline)


# -- the first scan and the cleaning in one set of workers -------------------
#
# The cleaning workers are forked once the passes are built (a fifth of a
# second), so that they share them. A first scan run by those workers would
# start only then; one run beside the building, by workers forked before it,
# fights the building for the processors, and the cleaning workers are
# forked once it is done. Instead one light process, forked at once with the
# scan's passes only, scans the cells in order while this process builds;
# then it stops, and the cleaning workers scan the cells it left before they
# clean. The scan starts at once, the building has a processor to itself,
# and the cleaning workers are forked once. The scan also counts each cell's
# lines, so the same cells, numbered, are what the workers then clean: this
# process does not read the file to cut and count ranges.


class _CellQueue:
    """The next cell of the first scan to take, shared by the processes that scan."""

    def __init__(self, context, count: int):
        self._next = context.RawValue("q", 0)
        self._end = context.RawValue("q", count)
        self._lock = context.Lock()

    def take(self) -> int:
        """The index of a cell to scan, or -1 once they are all taken."""
        with self._lock:
            index = self._next.value
            if index >= self._end.value:
                return -1
            self._next.value = index + 1
            return index

    def close(self) -> int:
        """Let no cell be taken any more; how many were."""
        with self._lock:
            self._end.value = self._next.value
            return self._end.value


def _cells_only(scan: Iterable[Item]) -> tuple[list[Item] | None, Iterable[Item]]:
    """The items of ``scan`` if they are all "jsonl-cell" items (cut without
    reading), else None and ``scan`` as it was (read no further than the
    first other item, which may hold a whole file)."""
    cells: list[Item] = []
    iterator = iter(scan)
    for item in iterator:
        if item.format != "jsonl-cell":
            return None, itertools.chain(cells, [item], iterator)
        cells.append(item)
    return cells, cells


class _EarlyScanner:
    """The process that scans cells in order while this one builds the passes,
    until it is stopped; it writes their hashes to ``results``."""

    def __init__(self, context, config: Config, cells: list[Item], results):
        self.cells = cells
        self.queue = _CellQueue(context, len(cells))
        self.board = context.RawArray("q", _BOARD_SLOTS)
        pipeline = Pipeline(config)
        pipeline.scan_passes
        _flush_before_fork()
        self.process = context.Process(target=_run_scanner, name="cleaner-scan", daemon=True,
                                       args=(pipeline, self.board, context.Value("i", 0), cells, self.queue,
                                             results.fileno()))
        with shielded():
            self.process.start()

    def stop(self) -> int:
        """Let it take no more cells: the number it took, all scanned once it has ended."""
        return self.queue.close()

    def join(self) -> None:
        self.process.join()
        if self.process.exitcode != 0:
            how = _how_it_died(self.process.exitcode)
            _, number, line, byte = self.board[:_BOARD_SLOTS]
            where = f" while cleaning {_where(self.cells[number], line, byte)}" if 0 <= number < len(self.cells) else ""
            raise WorkerDied(f"a worker process died ({how}){where}")

    def end(self) -> None:
        with shielded():
            if self.process.is_alive():
                self.process.kill()
            self.process.join()


def _run_scanner(pipeline: Pipeline, board, counter, cells: list[Item], queue: _CellQueue, results: int) -> None:
    """The early scanner's life: each cell it takes, its documents' packed hashes to ``results``."""
    _init_worker(pipeline, board, counter)
    try:
        with open(results, "wb") as out:
            while (index := queue.take()) >= 0:
                pickle.dump(_hash_cells(index, [cells[index]]), out)
    except OSError as err:  # the temporary folder is full: the run stops, naming where it was
        sys.stderr.write(f"cleaner: the first scan cannot write to the temporary folder: {err.strerror or err}\n")
        sys.stderr.flush()
        os._exit(1)


def _temporary_files(count: int) -> list | None:
    """``count`` unnamed temporary files, or None where none can be made."""
    files: list = []
    try:
        for _ in range(count):
            files.append(tempfile.TemporaryFile())  # noqa: SIM115 (closed by the caller)
    except OSError:
        for file in files:
            file.close()
        return None
    return files


def _scan_and_clean(cells: list[Item], config: Config, workers: int, results, learnt) -> Iterator[Cleaned]:
    """The first scan over ``cells``, then their cleaning, by an early
    scanner and the cleaning workers (see above). The scanner writes its
    hashes, and each cell's number of lines, to the file ``results``; this
    process writes the statistic to ``learnt`` for the workers, forked with
    it open."""
    context = multiprocessing.get_context("fork")
    with contextlib.ExitStack() as stack:
        scanner = _EarlyScanner(context, config, cells, results)
        stack.callback(scanner.end)
        pipeline = Pipeline(config)
        pipeline.passes
        _warm_up(pipeline)
        taken = scanner.stop()
        pool = _WorkerPool(config, workers, pipeline=pipeline)
        stack.callback(pool.close)
        try:
            counter = new_line_counter(config)
            lines: list[int] = []  # of each cell
            rest = _in_workers(_hash_cells, cells[taken:], config, workers, scan=True, pool=pool)
            first = next(rest, None)  # the workers scan the cells left while the scanner ends
            scanner.join()
            results.seek(0)
            scanned = itertools.chain.from_iterable(pickle.load(results) for _ in range(taken))
            for hashes, counted in itertools.chain(scanned, [] if first is None else [first], rest):
                for packed in hashes:
                    counter.add(unpack_hashes(packed))
                lines += counted
            config = config.replace(line_stats=counter.frequent())
            data = pickle.dumps(config.line_stats)
            learnt.write(data)
            learnt.flush()
            clean = partial(_clean_chunk_learnt, (learnt.fileno(), len(data)))
            yield from _in_workers(clean, _numbered(cells, lines), config, workers, pool=pool)
        except BaseException:
            pool.stop()
            raise


def _numbered(cells: list[Item], lines: list[int]) -> list[Item]:
    """The cells with the number of their first line, from the lines of the
    cells before them in the same file: their items then have the ids and
    line numbers ``read_items`` gives, and no process reads the file to count."""
    numbered = []
    source, line = None, 1
    for cell, count in zip(cells, lines, strict=True):
        if cell.source != source:
            source, line = cell.source, 1
        numbered.append(dataclasses.replace(cell, line=line))
        line += count
    return numbered


# The line statistics a cleaning worker has, as (file descriptor, length) of
# where they were written (see ``_scan_and_clean``).
_worker_learnt: tuple[int, int] | None = None


def _clean_chunk_learnt(learnt: tuple[int, int], first: int, chunk: list[Item]) -> list[Cleaned]:
    """``_clean_chunk_joined`` with the line statistics learnt since the worker started."""
    global _worker_pipeline, _worker_learnt
    if _worker_learnt != learnt:
        assert _worker_pipeline is not None
        descriptor, length = learnt
        stats = pickle.loads(os.pread(descriptor, length, 0))
        _worker_pipeline = Pipeline(_worker_pipeline.config.replace(line_stats=stats))
        _worker_pipeline.passes
        _worker_learnt = learnt
    return _clean_chunk_joined(first, chunk)


def _start_method(config: Config, warm_up: bool = False, scan: bool = False, pipeline: Pipeline | None = None):
    """The multiprocessing context for the workers, and the pipeline to hand them.

    On Linux, while this process runs no other thread, workers are forked with
    the passes already built (OpenCC dictionaries, rule tables and models shared
    copy-on-write), so they start in milliseconds instead of each importing and
    building everything again; with ``warm_up``, what the passes load on first
    use is loaded here too (see ``_warm_up``). Elsewhere, or from a threaded
    program where fork is unsafe, forkserver/spawn workers rebuild the
    pipeline from its pickled configuration. A ``pipeline`` given is handed
    on as it is, built (and warmed up) by the caller.
    """
    if pipeline is None:
        pipeline = Pipeline(config)
        if _forks():
            if scan:
                pipeline.scan_passes
            else:
                pipeline.passes  # build once, here, before forking
            if warm_up:
                _warm_up(pipeline)
    if _forks():
        _flush_before_fork()
        return multiprocessing.get_context("fork"), pipeline
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn"), pipeline


def _flush_before_fork() -> None:
    # A forked child flushes its copy of any pending output at exit.
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()


def _forks() -> bool:
    """Whether workers started now are forked from this process (see ``_start_method``)."""
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods() \
        and threading.active_count() == 1


# A few lines with a trace of each kind of damage the passes repair.
_WARM_UP_TEXT = (
    "企業(yè)復工復產(chǎn)的號角吹響，縣委??h委書記說。\n"
    "鎴戜滑鐨勫浗瀹 ÆóÒµ Ã© жҲ‘жҳҜ 锟斤拷\n"
    "为了发展，隨著時間 , 見 https://example.com 。"
)


def _warm_up(pipeline: Pipeline) -> None:
    """Clean a sample, so that what the passes load on first use (the mojibake
    model, pypinyin, OpenCC's dictionaries, compiled tables: 0.4 s) is loaded
    once before the workers are forked rather than once in each of them."""
    try:
        pipeline.clean_text(_WARM_UP_TEXT)
    except Exception:  # a warm-up must never stop a run; the workers load what they need
        pass


class WorkerDied(CleanerError):
    pass


# How often a wait for a result checks that the workers are still alive.
_POLL_SECONDS = 0.5


class _WorkerPool:
    """A ProcessPoolExecutor, and what a batch needs that it does not give.

    - which worker is on which item (a shared board), to name the document a
      dead worker was on;
    - noticing a dead worker in every case: CPython 3.11 starts a new worker
      after waking its own thread for the new task, so that thread may not
      watch the new worker until something else wakes it, and if that worker
      dies first the pool waits for ever; the pool is woken again after each
      submit, and waits for results check the workers' pids themselves;
    - stopping at once: workers are signalled rather than left to finish.
    Private attributes of the executor are read with getattr and a fallback.
    """

    def __init__(self, config: Config, workers: int, warm_up: bool = False, scan: bool = False,
                 pipeline: Pipeline | None = None):
        self.window = workers * 3
        self.workers = workers
        context, pipeline = _start_method(config, warm_up, scan, pipeline)
        with shielded():
            self.board = context.RawArray("q", _BOARD_SLOTS * workers)
            counter = context.Value("i", 0)
            self.executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                                initargs=(pipeline, self.board, counter))

    def submit(self, function, first: int, chunk: list[Item]):
        # Only a submit that may start a worker needs the extra wake-up (a
        # write to a pipe and a switch to the pool's thread, for every chunk).
        processes = getattr(self.executor, "_processes", None)
        starting = processes is None or len(processes) < self.workers
        with shielded():  # submit starts worker processes
            future = self.executor.submit(function, first, chunk)
            wakeup = getattr(self.executor, "_executor_manager_thread_wakeup", None) if starting else None
            if wakeup is not None:
                with contextlib.suppress(Exception):
                    wakeup.wakeup()
        return future

    def collect(self, pending: deque) -> list[Outcome]:
        future = pending[0][2]
        while True:
            try:
                outcomes = future.result(timeout=_POLL_SECONDS)
            except FuturesTimeout:
                dead = [pid for pid, *_ in self._workers() if not _alive(pid)]
                if dead:
                    raise WorkerDied(self._death_message(pending, dead)) from None
                continue
            except BrokenProcessPool:
                raise WorkerDied(self._death_message(pending, None)) from None
            pending.popleft()
            return outcomes

    def stop(self) -> None:
        with shielded():
            for pid in self._pids():
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGTERM)

    def close(self) -> None:
        # The pool's thread finds stopped workers gone, fails the pending
        # futures and exits; this joins it. (Cancelling futures from here
        # instead races with that thread: InvalidStateError kills it and the
        # exit then waits for ever on a full pipe.)
        with shielded():
            thread = getattr(self.executor, "_executor_manager_thread", None)
            results = getattr(self.executor, "_result_queue", None)
            pids = self._pids()
            self.executor.shutdown(wait=False, cancel_futures=True)
            if thread is not None:
                self._join(thread, getattr(results, "_writer", None), pids)

    @staticmethod
    def _join(thread: threading.Thread, result_writer, pids: list[int]) -> None:
        """Join the pool's thread, which a worker stopped halfway through sending
        its result can leave waiting for ever for the rest of that message (this
        process holds the pipe's other end, so no end-of-file comes): once every
        worker is gone and the thread still waits, bytes that cannot unpickle
        complete the message, and the thread takes the pool for broken and ends."""
        while True:
            thread.join(_POLL_SECONDS)
            if not thread.is_alive():
                return
            if result_writer is None or any(_alive(pid) for pid in pids):
                continue
            fd = result_writer.fileno()
            os.set_blocking(fd, False)
            with contextlib.suppress(BlockingIOError, OSError):
                os.write(fd, bytes(1 << 16))

    def _pids(self) -> list[int]:
        processes = getattr(self.executor, "_processes", None) or {}
        return sorted(set(processes) | {pid for pid, *_ in self._workers()})

    def _workers(self) -> list[tuple[int, int, int, int]]:
        """(pid, number of the item it is on, line and byte offset of a
        "jsonl-range"'s record) for each started worker, -1 for what is unknown."""
        board = self.board
        return [tuple(board[i:i + _BOARD_SLOTS]) for i in range(0, len(board), _BOARD_SLOTS) if board[i]]

    def _death_message(self, pending: deque, dead: list[int] | None) -> str:
        items: dict[int, Item] = {}
        for first, chunk, _ in pending:
            items.update(enumerate(chunk, start=first))
        how = "killed or out of memory"
        if dead is None:
            # The pool noticed first and is stopping the other workers with
            # SIGTERM; once its thread is done every exit code is known, and
            # the worker that died first ended some other way.
            thread = getattr(self.executor, "_executor_manager_thread", None)
            if thread is not None:
                thread.join(5)
            processes = getattr(self.executor, "_processes", None) or {}
            codes = {pid: p.exitcode for pid, p in processes.items()}
            dead = [pid for pid, code in codes.items() if code is not None and code != -signal.SIGTERM]
            if dead:
                how = _how_it_died(codes[dead[0]])
        workers = self._workers()
        on = {_where(items[number], line, byte) for pid, number, line, byte in workers
              if pid in dead and number in items}
        if on:
            return f"a worker process died ({how}) while cleaning {', '.join(sorted(on))}"
        # Not on the board: it died while receiving a chunk, before starting on
        # it. The chunks go out in order, so it is the first one that did not
        # come back cleaned and that no live worker is on.
        busy = {number for pid, number, *_ in workers if pid not in dead and number >= 0}
        for first, chunk, future in pending:
            cleaned = future.done() and not future.cancelled() and future.exception() is None
            if not cleaned and not busy.intersection(range(first, first + len(chunk))):
                more = f" (or one of the {len(chunk) - 1} documents after it)" if len(chunk) > 1 else ""
                return f"a worker process died ({how}) while taking on {_where(chunk[0])}{more}"
        return f"a worker process died ({how})"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is dead, just not yet reaped by the forkserver
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _how_it_died(exitcode: int | None) -> str:
    if exitcode is None or exitcode >= 0:
        return f"exit code {exitcode}" if exitcode is not None else "killed or out of memory"
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        name = f"signal {-exitcode}"
    return f"{name}, e.g. out of memory" if exitcode == -signal.SIGKILL else name
