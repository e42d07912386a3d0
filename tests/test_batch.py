"""Batch runs: the bytes written do not depend on the number of workers, and the
first scan's statistic of repeated lines reaches every chunk."""

import json
import multiprocessing
import os
import signal
import time

import pytest
from conftest import run_cli

from cleaner.batch import CHUNK_BYTES
from cleaner.io.sources import unit_items

# A line no rule knows (an address), appended to every record: only the
# cross-document statistic can find it.
SHARED_LINE = "桐花路三十七号院东门"


def test_any_number_of_workers_writes_the_same_bytes(tmp_path, shared):
    pages = sorted((shared / "corpus" / "cwced" / "cleaned").glob("*.txt"))
    lines = [json.dumps({"id": f"{page.stem}-{copy}",
                         "text": page.read_text(encoding="utf-8", errors="replace") + "\n" + SHARED_LINE},
                        ensure_ascii=False)
             for copy in range(5) for page in pages]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert corpus.stat().st_size > 3 * CHUNK_BYTES  # several chunks in flight at once (byte ranges: two)

    outputs = {}
    for workers in ("1", "2", "3"):
        out = tmp_path / f"out-{workers}.jsonl"
        proc = run_cli("clean", str(corpus), "-o", str(out), "--workers", workers, "--no-progress")
        assert proc.returncode == 0, proc.stderr.decode()
        outputs[workers] = out.read_bytes()
    assert outputs["1"] == outputs["2"] == outputs["3"]

    records = [json.loads(line) for line in outputs["1"].splitlines()]
    assert [r["id"] for r in records] == [json.loads(line)["id"] for line in lines]
    # Gone from every record; from most by the statistic (after a list of
    # short lines, a link-list rule takes it along first).
    assert not any(SHARED_LINE in r["text"] for r in records)
    assert sum(bool(r["fixes"].get("batch_repeated_line")) for r in records) > len(records) * 3 // 4


def test_line_counter_counts_each_line_once_per_document(shared):
    from collections import Counter

    from cleaner.boilerplate.repeated import LineCounter, document_line_hashes

    pages = sorted((shared / "corpus" / "cwced" / "cleaned").glob("*.txt"))
    per_doc = [document_line_hashes(p.read_text(encoding="utf-8", errors="replace"), 4) for p in pages] * 3
    counter = LineCounter(min_docs=3)
    for hashes in per_doc:
        counter.add(hashes)
    plain = Counter(h for hashes in per_doc for h in hashes)
    assert counter.counts == dict(plain) and counter.documents == len(per_doc)
    assert counter.frequent().frequent == {h for h, n in plain.items() if n >= 3}
    # Over the bound, lines seen in one document only are dropped; repeated ones stay.
    small = LineCounter(min_docs=2, max_entries=len(per_doc[0]))
    small.add(per_doc[0])
    small.add(per_doc[1])
    assert set(small.counts) == {h for h in per_doc[0] | per_doc[1] if (h in per_doc[0]) + (h in per_doc[1]) > 1}


def test_chunks_cleaned_in_one_piece_hold_each_records_outcome(tmp_path, shared):
    """What the CLI writes (``clean_chunks``: a chunk's lines joined, failures
    apart with where they fell) is what ``clean_items`` gives record by record,
    in one process or in workers, from records or from byte ranges of the
    file that the workers read themselves."""
    from cleaner.batch import Summary, clean_chunks, clean_items
    from cleaner.config import Config
    from cleaner.io.sources import read_items

    pages = sorted((shared / "corpus" / "cwced" / "cleaned").glob("*.txt")) * 3
    lines = [json.dumps({"id": f"{page.stem}-{n}", "text": page.read_text(encoding="utf-8", errors="replace")},
                        ensure_ascii=False) for n, page in enumerate(pages)]
    # Bad records among good ones, one at the very start and two in a row.
    for at, bad in ((0, "{not json"), (7, "[1, 2]"), (8, '{"text": 5}'), (25, '{"id": "x"}')):
        lines.insert(at, bad)
    corpus = tmp_path / "mixed.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert corpus.stat().st_size > 2 * CHUNK_BYTES  # several chunks

    outcomes = list(clean_items(read_items([str(corpus)]), Config()))
    expected_output = b"".join(o.output + b"\n" for o in outcomes if o.error is None)
    expected_summary = Summary()
    for outcome in outcomes:
        expected_summary.add(outcome)
    assert expected_summary.errors == 4 and expected_summary.documents == len(pages)

    for workers, ranges in ((1, 0), (2, 0), (1, CHUNK_BYTES), (2, CHUNK_BYTES), (2, 100_000)):
        items = read_items([str(corpus)], jsonl_ranges=ranges, numbered=True)
        chunks = list(clean_chunks(items, Config(), workers))
        assert b"".join(c.output for c in chunks) == expected_output
        summary = Summary()
        for c in chunks:
            summary.merge(c.summary)
        assert summary == expected_summary
        # Each failure where its record would have been: the lines before it are the good records before it.
        written, errors = 0, []
        for c in chunks:
            for offset, outcome in c.failed:
                before = c.output[:offset].count(b"\n") + written
                errors.append((outcome.line, outcome.error, before))
            written += c.output.count(b"\n")
        good_before = [sum(o.error is None for o in outcomes[:i]) for i in range(len(outcomes))]
        assert errors == [(o.line, o.error, good_before[i]) for i, o in enumerate(outcomes) if o.error is not None]


def test_waiting_for_slow_chunks_checks_the_workers_and_goes_on(tmp_path, shared, monkeypatch):
    """A wait for a chunk longer than the poll interval checks that every
    worker is alive, then waits again (here every wait is longer)."""
    import cleaner.batch as batch
    from cleaner.config import Config
    from cleaner.io.sources import read_items

    pages = sorted((shared / "corpus" / "cwced" / "cleaned").glob("*.txt"))
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"text": p.read_text(encoding="utf-8", errors="replace")},
                                         ensure_ascii=False) + "\n" for p in pages), encoding="utf-8")
    expected = b"".join(c.output for c in batch.clean_chunks(read_items([str(corpus)]), Config()))
    monkeypatch.setattr(batch, "_POLL_SECONDS", 0.0001)
    items = read_items([str(corpus)], jsonl_ranges=50_000, numbered=True)
    assert b"".join(c.output for c in batch.clean_chunks(items, Config(), 2)) == expected


def _repeating_corpus(tmp_path, shared, copies=3):
    """The pages ``copies`` times over, with a line no rule knows in exactly as
    many records as make it frequent (``batch_min_docs``), spread over the
    file: one of them uncounted, and it stays."""
    pages = sorted((shared / "corpus" / "cwced" / "cleaned").glob("*.txt")) * copies
    step = len(pages) // 10
    texts = [p.read_text(encoding="utf-8", errors="replace") + ("\n" + SHARED_LINE if i % step == 0 and i < 10 * step
                                                                else "") for i, p in enumerate(pages)]
    # No ids: the records get theirs from their line numbers, counted past
    # blank lines, which the workers must number as one process does.
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"text": text}, ensure_ascii=False) + ("\n\n" if i % 7 == 3 else "\n")
                              for i, text in enumerate(texts)), encoding="utf-8")
    return corpus


def _stopped_once_it_took(cells: int, taken: list):
    """``_EarlyScanner.stop`` once the scanner has taken ``cells`` cells (or
    ended): the passes are built at once when an earlier test built them."""
    from cleaner.batch import _EarlyScanner

    original = _EarlyScanner.stop

    def stop(scanner):
        deadline = time.monotonic() + 10
        while scanner.queue._next.value < cells and scanner.process.is_alive() and time.monotonic() < deadline:
            time.sleep(0.001)
        taken.append(original(scanner))
        return taken[-1]

    return stop


def test_the_early_scanner_and_the_workers_share_the_first_scan(tmp_path, shared, monkeypatch):
    """With workers, one process scans the cells of a JSONL file while the
    passes are built, and the cleaning workers scan the ones it left: the
    statistic, and so every byte, is what one process learns alone."""
    from cleaner import batch
    from cleaner.config import Config
    from cleaner.io.sources import read_items

    corpus = _repeating_corpus(tmp_path, shared)
    config = Config()
    learnt = batch.learn_line_stats(read_items([str(corpus)]), config, 1)
    expected = b"".join(c.output for c in batch.clean_chunks(read_items([str(corpus)]), learnt))
    assert SHARED_LINE.encode() not in expected and expected.count(b"batch_repeated_line") >= 5
    assert b'"id":"corpus_6"' in expected and b'"id":"corpus_5"' not in expected  # line 5 is blank

    # The scanner is slow enough to take some cells, not all, while the passes are built.
    cells = list(read_items([str(corpus)], jsonl_cells=20_000))
    item_hashes, taken = batch._item_hashes, []

    def slow_hashes(pipeline, item):
        if multiprocessing.current_process().name == "cleaner-scan":
            time.sleep(0.01)
        return item_hashes(pipeline, item)

    monkeypatch.setattr(batch, "_item_hashes", slow_hashes)
    monkeypatch.setattr(batch._EarlyScanner, "stop", _stopped_once_it_took(3, taken))
    items = read_items([str(corpus)], jsonl_ranges=CHUNK_BYTES, numbered=True)
    output = b"".join(c.output for c in batch.clean_chunks(items, config, 2, scan=iter(cells)))
    assert output == expected
    assert len(taken) == 1 and 0 < taken[0] < len(cells), (taken, len(cells))


def test_a_killed_early_scanner_fails_the_run_naming_the_record(tmp_path, shared, monkeypatch):
    from cleaner import batch
    from cleaner.config import Config
    from cleaner.io.sources import read_items

    corpus = _repeating_corpus(tmp_path, shared, copies=1)
    cells = list(read_items([str(corpus)], jsonl_cells=20_000))
    doomed = next(cell for cell in cells[2:] if list(unit_items(cell)))
    item_hashes = batch._item_hashes

    def hashes_or_death(pipeline, item):
        if multiprocessing.current_process().name == "cleaner-scan" and item.span[0] >= doomed.span[0]:
            os.kill(os.getpid(), signal.SIGKILL)
        return item_hashes(pipeline, item)

    monkeypatch.setattr(batch, "_item_hashes", hashes_or_death)
    monkeypatch.setattr(batch._EarlyScanner, "stop", _stopped_once_it_took(cells.index(doomed) + 1, []))
    items = read_items([str(corpus)], jsonl_ranges=CHUNK_BYTES, numbered=True)
    with pytest.raises(batch.WorkerDied) as died:
        list(batch.clean_chunks(items, Config(), 2, scan=iter(cells)))
    first = next(unit_items(doomed))
    assert str(died.value) == (f"a worker process died (SIGKILL, e.g. out of memory) while cleaning "
                               f"{corpus} (the record at byte {first.span[0]})")


def test_without_a_temporary_folder_the_workers_scan_as_before(tmp_path, shared, monkeypatch):
    """The early scanner and the cleaning workers share notes through
    temporary files; where none can be made, the first scan runs in workers
    of its own, with the same result."""
    from cleaner import batch
    from cleaner.config import Config
    from cleaner.io.sources import read_items

    corpus = _repeating_corpus(tmp_path, shared, copies=1)
    learnt = batch.learn_line_stats(read_items([str(corpus)]), Config(), 1)
    expected = b"".join(c.output for c in batch.clean_chunks(read_items([str(corpus)]), learnt))

    def no_room():
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(batch.tempfile, "TemporaryFile", no_room)
    monkeypatch.setattr(batch, "_EarlyScanner", None)  # not reached
    items = read_items([str(corpus)], jsonl_ranges=CHUNK_BYTES, numbered=True)
    cells = read_items([str(corpus)], jsonl_cells=20_000)
    assert b"".join(c.output for c in batch.clean_chunks(items, Config(), 2, scan=cells)) == expected
