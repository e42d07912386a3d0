"""Cleaning on Ray Data, for corpora bigger than one machine.

Two entry points:

- ``clean_dataset(dataset, config)``: for your own Ray pipelines. Takes a Ray
  Dataset of records (a text column plus any others) and returns the cleaned
  Dataset, lazily, like any Ray transform. Each Ray worker builds one
  ``Pipeline`` (OpenCC dictionaries, rule tables) once, in ``map_batches``
  with a callable class, and reuses it for every batch it gets.
- ``clean_jsonl(inputs, out_dir, config)``: what ``cleaner clean --engine ray``
  runs. Reads JSONL files with Ray Data (line numbers kept, so ids and error
  messages are the local engine's), cleans, and writes sharded JSONL
  (``part-00000.jsonl``, ...) whose lines are byte-identical to the local
  engine's output, in input order when the shards are read in name order.

Batch-level statistics (the boilerplate pass's lines that recur across
documents, ``boilerplate.batch_min_docs``) need every document before any is
cleaned. Like the local engine, both entry points make a first scan by default
(``line_stats="dataset"``): the workers hash each document's lines, the driver
counts the hashes in input order, and the statistic travels to the cleaning
workers with the configuration -- so a footer that recurs across shards is
removed from every shard, exactly as on one machine. ``line_stats="batch"``
skips that scan: each batch is then a run of its own, and a line counts only
when it recurs in ``batch_min_docs`` documents of the same batch (shards never
see each other). ``line_stats="config"`` uses whatever statistic the
configuration already holds (for instance from ``Pipeline.observe`` on a
sample), or none.

The output of ``clean_dataset`` is columnar (Arrow): when records differ in
the keys of ``meta`` or ``fixes``, Arrow gives every record every key, with
null where a record had none. Pass ``output="json"`` to get one ``json``
column holding each record exactly as the local engine writes it.

Ray is imported lazily: without ``pip install 'cleaner[ray]'`` these
functions raise a ``CleanerError`` saying so.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleaner.config import Config
from cleaner.errors import CleanerError
from cleaner.pipeline import Pipeline

if TYPE_CHECKING:
    import ray.data

LINE_STATS = ("dataset", "batch", "config")


def _ray():
    try:
        import ray
        import ray.data
    except ImportError:
        raise CleanerError("the Ray engine needs Ray Data: pip install 'cleaner[ray]'") from None
    return ray


def _pipeline(config: Config | Mapping[str, Any] | str | Path | Pipeline | None) -> Pipeline:
    return config if isinstance(config, Pipeline) else Pipeline(config)


def _actors(concurrency: int | tuple[int, int] | None):
    ray = _ray()
    if concurrency is None:
        cpus = int(ray.available_resources().get("CPU", 1)) if ray.is_initialized() else (os.cpu_count() or 1)
        concurrency = (1, max(cpus, 1))
    if isinstance(concurrency, int):
        return ray.data.ActorPoolStrategy(size=concurrency)
    return ray.data.ActorPoolStrategy(min_size=concurrency[0], max_size=concurrency[1])


# -- the public function ----------------------------------------------------

def clean_dataset(dataset: ray.data.Dataset, config: Config | Mapping[str, Any] | str | Path | Pipeline | None = None,
                  *, line_stats: str = "dataset", output: str = "records", on_error: str = "raise",
                  batch_size: int = 256, concurrency: int | tuple[int, int] | None = None) -> ray.data.Dataset:
    """Clean a Ray Dataset of records; returns the cleaned Dataset (lazy).

    ``config``: a Config, a mapping (as in ``Pipeline({...})``), a TOML path, a
    Pipeline, or None for the defaults. The text is read from (and written to)
    ``config.text_key``; other columns are kept.

    ``line_stats``: "dataset" (a first scan over ``dataset`` for the lines that
    recur across documents, as the local engine does), "batch" (each batch on
    its own), or "config" (the configuration's statistic as it is).

    ``output``: "records" (one column per record field) or "json" (one
    ``json`` column: each record's JSON line, as ``cleaner clean`` writes it).

    ``on_error``: "raise" (a record without a text fails the job) or "skip"
    (it is dropped).
    """
    if line_stats not in LINE_STATS:
        raise ValueError(f"line_stats must be one of {LINE_STATS}, not {line_stats!r}")
    if output not in ("records", "json"):
        raise ValueError(f"output must be 'records' or 'json', not {output!r}")
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
    pipeline = _pipeline(config)
    if line_stats == "dataset":
        pipeline = _learn(dataset, pipeline, _RecordHashes, batch_size, concurrency)
    return dataset.map_batches(_CleanRecords, fn_constructor_args=(pipeline, output, on_error, line_stats == "batch"),
                               batch_format="pyarrow", batch_size=batch_size, compute=_actors(concurrency))


class _RecordHashes:
    """Map: the line hashes of each record, for the first scan."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline

    def __call__(self, batch):
        from cleaner.pipeline import document_from_record

        hashes = []
        for record in batch.to_pylist():
            try:
                doc = document_from_record(record, self.pipeline.config.text_key)
                hashes.append(list(self.pipeline.line_hashes(doc)))
            except Exception:  # reported (or dropped) by the cleaning scan
                hashes.append([])
        return _hash_table(hashes)


class _CleanRecords:
    """Map: records in, cleaned records out; one Pipeline per Ray worker."""

    def __init__(self, pipeline: Pipeline, output: str, on_error: str, per_batch_stats: bool):
        self.pipeline = pipeline
        self.output = output
        self.on_error = on_error
        self.per_batch_stats = per_batch_stats

    def __call__(self, batch):
        import pyarrow as pa

        from cleaner.io import jsonl

        pipeline = self.pipeline
        rows = batch.to_pylist()
        if self.per_batch_stats:
            pipeline = Pipeline(pipeline.config)
            pipeline.observe(r for r in rows if isinstance(r.get(pipeline.config.text_key), str))
        from cleaner.pipeline import document_from_record

        docs = []
        for row in rows:
            try:
                docs.append(document_from_record(row, pipeline.config.text_key))
            except CleanerError:
                if self.on_error == "raise":
                    raise
        cleaned = []
        for doc, error in zip(docs, pipeline.clean_documents(docs)):  # a pass at a time over the batch
            if error is None:
                cleaned.append(doc.to_record())
            elif self.on_error == "raise" or not isinstance(error, CleanerError):
                raise error
        if self.output == "json":
            return pa.table({"json": pa.array([jsonl.dumps(r).decode("utf-8") for r in cleaned], pa.string())})
        return pa.Table.from_pylist(cleaned)


def _hash_table(hashes: list[list[int]]):
    import pyarrow as pa

    return pa.table({"hashes": pa.array(hashes, pa.list_(pa.uint64()))})


def _learn(dataset, pipeline: Pipeline, mapper, batch_size: int, concurrency) -> Pipeline:
    """The first scan: hashes from the workers, counted here in input order."""
    from cleaner.pipeline import new_line_counter

    counter = new_line_counter(pipeline.config)
    if counter is None:
        return pipeline
    ray = _ray()
    context = ray.data.DataContext.get_current()
    keep_order = context.execution_options.preserve_order
    context.execution_options.preserve_order = True  # lossy counting depends on the order
    try:
        hashes = dataset.map_batches(mapper, fn_constructor_args=(pipeline,), batch_format="pyarrow",
                                     batch_size=batch_size, compute=_actors(concurrency))
        for batch in hashes.iter_batches(batch_format="pyarrow", batch_size=None):
            for row in batch.column("hashes").to_pylist():
                counter.add(row)
    finally:
        context.execution_options.preserve_order = keep_order
    return Pipeline(pipeline.config.replace(line_stats=counter.frequent()))


# -- JSONL files in, sharded JSONL out (cleaner clean --engine ray) ------------

class JsonlLines:
    """A Ray Datasource: the lines of JSONL files, with their file and line number.

    Each file is split into byte ranges on line boundaries, one read task per
    range; the driver counts the line breaks before each range once (a fast
    scan of the bytes), so every line keeps its number for ids and messages.
    Workers must see the same paths (one machine, or a shared file system).
    """

    def __init__(self, paths: Iterable[str], target_bytes: int = 32 << 20, min_bytes: int = 64 << 10):
        self.paths = [str(p) for p in paths]
        self.target_bytes = target_bytes
        self.min_bytes = min(min_bytes, target_bytes)

    def _datasource(self):
        ray = _ray()
        from ray.data.block import BlockMetadata
        from ray.data.datasource import Datasource, ReadTask

        outer = self

        class _Source(Datasource):
            def estimate_inmemory_data_size(self):
                return sum(os.path.getsize(p) for p in outer.paths)

            def get_name(self):
                return "JsonlLines"

            def get_read_tasks(self, parallelism, *args, **kwargs):
                tasks = []
                for path, start, end, first_line in outer.ranges(max(parallelism, 1)):
                    meta = BlockMetadata(num_rows=None, size_bytes=end - start, input_files=[path], exec_stats=None)
                    tasks.append(ReadTask(_range_reader(path, start, end, first_line), meta))
                return tasks

        del ray
        return _Source()

    def ranges(self, parallelism: int) -> list[tuple[str, int, int, int]]:
        """(path, start, end, number of the first line) for each read task."""
        from cleaner.io.sources import jsonl_byte_ranges

        total = sum(os.path.getsize(p) for p in self.paths) or 1
        step = max(min(total // parallelism + 1, self.target_bytes), self.min_bytes)
        out = []
        for path in self.paths:
            with open(path, "rb") as handle:
                for item in jsonl_byte_ranges(path, handle, step, numbered=True):
                    out.append((path, *item.span, item.line))
        return out


def _range_reader(path: str, start: int, end: int, first_line: int):
    def read():
        from cleaner.io.sources import Item, range_items

        lines, raws = [], []
        for item in range_items(Item(path, Path(path).stem, "jsonl-range", span=(start, end), line=first_line)):
            lines.append(item.line)
            raws.append(item.data)
            if len(raws) >= 4096:
                yield _lines_table(path, lines, raws)
                lines, raws = [], []
        if raws:
            yield _lines_table(path, lines, raws)

    return read


def _lines_table(path: str, lines: list[int], raws: list[bytes]):
    import pyarrow as pa

    return pa.table({"source": pa.array([path] * len(lines), pa.string()), "line": pa.array(lines, pa.int64()),
                     "raw": pa.array(raws, pa.binary())})


def _items(batch):
    from cleaner.io.sources import Item

    for source, line, raw in zip(batch.column("source").to_pylist(), batch.column("line").to_pylist(),
                                 batch.column("raw").to_pylist()):
        yield Item(source, f"{Path(source).stem}_{line}", "jsonl", data=raw, line=line)


class _LineHashes:
    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline

    def __call__(self, batch):
        from cleaner.batch import _item_hashes

        return _hash_table([_item_hashes(self.pipeline, item) for item in _items(batch)])


class _CleanLines:
    """Map: raw JSONL lines in; JSON lines (or the error) and counts out."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline

    def __call__(self, batch):
        import pyarrow as pa

        from cleaner.batch import clean_chunk
        from cleaner.io import jsonl

        outputs, errors, sizes, fixes, flags = [], [], [], [], []
        for outcome in clean_chunk(self.pipeline, list(_items(batch))):  # a pass at a time over the batch
            outputs.append(outcome.output)
            errors.append(outcome.error)
            sizes.append(outcome.size)
            fixes.append(jsonl.dumps(outcome.fixes))
            flags.append(jsonl.dumps(outcome.flags))
        return pa.table({"json": pa.array(outputs, pa.binary()), "error": pa.array(errors, pa.string()),
                         "size": pa.array(sizes, pa.int64()), "fixes": pa.array(fixes, pa.binary()),
                         "flags": pa.array(flags, pa.binary())})


def _sink_class():
    ray = _ray()
    from ray.data.datasource import Datasink

    del ray

    class JsonlShards(Datasink):
        """Writes each write task's lines to ``part-NNNNN.jsonl`` in a fresh folder."""

        def __init__(self, out_dir: str, shard_bytes: int):
            self.out_dir = out_dir
            self.shard_bytes = shard_bytes
            self.staging = os.path.join(out_dir, f".cleaner-{uuid.uuid4().hex[:12]}")
            self.result: dict[str, Any] | None = None

        @property
        def min_bytes_per_write(self) -> int:
            return self.shard_bytes  # Ray bundles cleaned blocks up to this size per shard

        def on_write_start(self, schema=None) -> None:
            os.makedirs(self.staging, exist_ok=True)

        def write(self, blocks, ctx) -> dict[str, Any]:
            from cleaner.io import jsonl

            stats: dict[str, Any] = {"documents": 0, "bytes_in": 0, "errors": [], "fixes": Counter(),
                                     "flags": Counter(), "task": ctx.task_idx}
            path = os.path.join(self.staging, f"part-{ctx.task_idx:05d}.jsonl")
            with open(path + ".tmp", "wb") as handle:
                for block in blocks:
                    table = block if hasattr(block, "column") else block.to_arrow()
                    for output, error, size, fixes, flags in zip(*(table.column(c).to_pylist() for c in
                                                                   ("json", "error", "size", "fixes", "flags"))):
                        stats["bytes_in"] += size
                        if error is not None:
                            stats["errors"].append(error)
                            continue
                        handle.write(output + b"\n")
                        stats["documents"] += 1
                        stats["fixes"].update(jsonl.loads(fixes)[0])
                        stats["flags"].update(jsonl.loads(flags)[0])
            os.replace(path + ".tmp", path)
            return stats

        def on_write_complete(self, write_result) -> None:
            returns = getattr(write_result, "write_returns", write_result)
            self.result = {"documents": 0, "bytes_in": 0, "errors": [], "fixes": Counter(), "flags": Counter()}
            for stats in sorted(returns, key=lambda s: s["task"]):
                for key in ("documents", "bytes_in"):
                    self.result[key] += stats[key]
                self.result["errors"].extend(stats["errors"])
                self.result["fixes"].update(stats["fixes"])
                self.result["flags"].update(stats["flags"])
            # Swap the new shards in: old part files go, an interrupted run leaves them.
            for old in Path(self.out_dir).glob("part-*.jsonl"):
                old.unlink()
            for new in sorted(Path(self.staging).glob("part-*.jsonl")):
                os.replace(new, Path(self.out_dir) / new.name)
            os.rmdir(self.staging)

        def on_write_failed(self, error: Exception) -> None:
            import shutil

            shutil.rmtree(self.staging, ignore_errors=True)

    return JsonlShards


def clean_jsonl(inputs: Iterable[str], out_dir: str | Path, config: Config | Mapping[str, Any] | Pipeline | None = None,
                *, address: str | None = None, line_stats: str = "dataset", batch_size: int | None = None,
                concurrency: int | tuple[int, int] | None = None, block_bytes: int = 32 << 20,
                shard_bytes: int = 64 << 20):
    """Clean JSONL files on Ray into ``out_dir/part-*.jsonl``; returns a ``batch.Summary``.

    Starts a local Ray when none is running and no ``address`` is given. Files
    are read in blocks of 64 KB to ``block_bytes`` (about the input over Ray's
    read parallelism), each block cleaned as one batch (or in batches of
    ``batch_size`` records), and written in shards of about ``shard_bytes``.
    Error messages (``file:line: ...``) are in ``summary.messages``.
    """
    from cleaner.batch import Summary

    ray = _ray()
    if line_stats not in LINE_STATS:
        raise ValueError(f"line_stats must be one of {LINE_STATS}, not {line_stats!r}")
    if not ray.is_initialized():
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")  # no C++ notices on the terminal
        ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    import logging

    logging.getLogger("ray.data").setLevel(logging.WARNING)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.execution_options.preserve_order = True  # shards in input order
    out_dir = str(out_dir)
    os.makedirs(out_dir, exist_ok=True)

    pipeline = _pipeline(config)
    # Reading a byte range is light work; asking no CPU for it, it cannot be
    # starved by the cleaning actors, which take every CPU of a small cluster.
    lines = ray.data.read_datasource(JsonlLines(inputs, block_bytes)._datasource(), num_cpus=0)
    if line_stats == "dataset":
        pipeline = _learn(lines, pipeline, _LineHashes, batch_size, concurrency)
    elif line_stats == "batch":
        raise ValueError("line_stats='batch' is for clean_dataset; clean_jsonl takes 'dataset' or 'config'")
    cleaned = lines.map_batches(_CleanLines, fn_constructor_args=(pipeline,), batch_format="pyarrow",
                                batch_size=batch_size, compute=_actors(concurrency))
    sink = _sink_class()(out_dir, shard_bytes)
    cleaned.write_datasink(sink)
    result = sink.result or {"documents": 0, "bytes_in": 0, "errors": [], "fixes": Counter(), "flags": Counter()}
    summary = Summary(documents=result["documents"], errors=len(result["errors"]), bytes_in=result["bytes_in"],
                      fixes=Counter(result["fixes"]), flags=Counter(result["flags"]))
    summary.messages = result["errors"]  # type: ignore[attr-defined]
    return summary
