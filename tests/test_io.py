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
