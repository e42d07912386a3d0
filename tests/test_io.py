"""JSONL in and out: streaming, orjson where it keeps the data, json where it does not."""

import io
import json

from conftest import run_cli

from cleaner.batch import clean_items
from cleaner.config import Config
from cleaner.io import jsonl
from cleaner.io.sources import read_items


def test_values_orjson_would_change_round_trip_exactly(tmp_path):
    src = tmp_path / "in.jsonl"
    lines = [
        '{"id": "big", "text": "第一段。", "n": 123456789012345678901234567890}',
        '{"id": "nan", "text": "第二段。", "score": NaN, "inf": Infinity}',
        '{"id": "sur", "text": "第三段。", "raw": "\\ud800x"}',
        '{"id": "u64", "text": "第四段。", "n": 18446744073709551615, "f": 0.1}',
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_cli("clean", str(src))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode("utf-8").splitlines()
    recs = [json.loads(line) for line in out]
    assert recs[0]["n"] == 123456789012345678901234567890
    assert recs[1]["score"] != recs[1]["score"] and recs[1]["inf"] == float("inf")  # NaN stays NaN
    assert recs[2]["raw"] == "\ud800x" and recs[2]["text"] == "第三段。"
    assert recs[3]["n"] == 18446744073709551615 and recs[3]["f"] == 0.1
    assert "第四段" in out[3]  # UTF-8, not \\u escapes, where that is possible


def test_dumps_is_compact_utf8_either_way():
    record = {"id": "a", "text": "中文", "n": [1, 2.5, None, True]}
    assert jsonl.dumps(record) == jsonl.dumps(record, stdlib=True) == \
        json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _CountingReader(io.RawIOBase):
    """A byte stream that counts how much of it has been read."""

    def __init__(self, data: bytes):
        self._data, self.position = data, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        chunk = self._data[self.position:self.position + min(len(buffer), 4096)]
        buffer[:len(chunk)] = chunk
        self.position += len(chunk)
        return len(chunk)


def test_jsonl_from_stdin_is_streamed_not_read_whole():
    line = json.dumps({"text": "第一段。" * 50}, ensure_ascii=False).encode("utf-8") + b"\n"
    reader = _CountingReader(line * 5000)
    stream = io.BufferedReader(reader, 8192)
    items = read_items(["-"], stdin=stream)
    outcomes = clean_items(items, Config())
    first = next(outcomes)
    assert first.output and first.error is None
    assert reader.position < len(line) * 100  # far from the whole input
    assert sum(1 for _ in outcomes) == 4999


def test_malformed_lines_are_reported_with_their_line(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"text": "a"}\n{"text": \n[1]\n\n{"text": "\xff"}\n{"text": "b"}\n')
    proc = run_cli("clean", str(src), "--workers", "2")
    err = proc.stderr.decode()
    assert proc.returncode == 1
    assert f"{src}:2: malformed JSON" in err and f"{src}:3: line is a JSON list" in err
    assert f"{src}:5: line is not UTF-8" in err
    assert [json.loads(x)["text"] for x in proc.stdout.decode().splitlines()] == ["a", "b"]


def _range_lines(path, size):
    from cleaner.io.sources import jsonl_byte_ranges, range_items

    ranges = list(read_items([str(path)], jsonl_ranges=size))
    assert all(item.format == "jsonl-range" for item in ranges)
    spans = [item.span for item in ranges]
    if spans:
        assert [s for s, _ in spans] == [0] + [e for _, e in spans[:-1]]  # contiguous, from 0
        assert spans[-1][1] == path.stat().st_size
    lines = [item.data for unit in ranges for item in range_items(unit)]
    # Numbered, as the Ray engine reads them: the items read_items gives, ids and line numbers too.
    with path.open("rb") as handle:
        numbered = [(item.id, item.line, item.data)
                    for unit in jsonl_byte_ranges(str(path), handle, size, numbered=True) for item in range_items(unit)]
    assert numbered == [(item.id, item.line, item.data) for item in read_items([str(path)])]
    return lines


def test_byte_ranges_of_a_jsonl_file_hold_the_lines_read_items_gives(tmp_path, shared):
    # The seeds as records, with a byte order mark, blank lines, CRLF and a
    # last line without a line break; cut into ranges of every size from one
    # byte (a range per line) to more than the file.
    seeds = sorted((shared / "seeds").glob("*.txt"))
    records = [json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8")}, ensure_ascii=False)
               for p in seeds]
    data = ("\ufeff" + records[0] + "\n\n" + records[1] + "\r\n  \n" + "\n".join(records[2:])).encode("utf-8")
    path = tmp_path / "in.jsonl"
    path.write_bytes(data)
    expected = [item.data for item in read_items([str(path)])]
    assert len(expected) == len(records) and expected[0].startswith(b"{")
    for size in (1, 7, 100, 1000, 5000, len(data) // 2, len(data), len(data) + 1):
        assert _range_lines(path, size) == expected, size
        assert _cell_lines(path, size) == expected, size
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert _range_lines(empty, 10) == []
    assert _cell_lines(empty, 10) == []


def _cell_lines(path, size):
    from cleaner.io.sources import range_start, unit_items

    cells = list(read_items([str(path)], jsonl_cells=size))
    assert all(item.format == "jsonl-cell" for item in cells)
    # They tile the file, cut without reading it.
    assert [item.span for item in cells] == [(start, min(start + size, path.stat().st_size))
                                             for start in range(0, path.stat().st_size, size)]
    data = path.read_bytes()
    lines = []
    for cell in cells:
        items = list(unit_items(cell))
        start = range_start(cell)
        assert cell.span[0] <= start and (start in (0, cell.span[1]) or data[start - 1:start] == b"\n")
        if items:  # the first record after blank lines (or a byte order mark)
            assert not data[start:items[0].span[0]].replace(b"\xef\xbb\xbf", b"").strip()
        lines += [item.data for item in items]
    return lines


def test_the_first_scan_over_byte_ranges_learns_what_the_line_by_line_scan_learns(tmp_path, shared):
    from cleaner.batch import learn_line_stats
    from cleaner.pipeline import Pipeline

    config = Pipeline({"boilerplate": {"batch_min_docs": 2}}).config
    pages = sorted((shared / "corpus" / "cwced" / "cleaned").glob("*.txt"))
    lines = [json.dumps({"id": f"{page.stem}-{copy}", "text": page.read_text(encoding="utf-8", errors="replace")},
                        ensure_ascii=False) for copy in range(2) for page in pages]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\nnot json\n", encoding="utf-8")
    plain = learn_line_stats(read_items([str(path)]), config, 1).line_stats
    assert plain.documents == len(lines) + 1 and len(plain.frequent) > 100
    for workers in (1, 2):
        ranged = learn_line_stats(read_items([str(path)], jsonl_ranges=50_000), config, workers).line_stats
        assert ranged == plain
