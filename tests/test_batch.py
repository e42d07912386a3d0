"""Batch runs: the bytes written do not depend on the number of workers, and the
first scan's statistic of repeated lines reaches every chunk."""

import json

from conftest import run_cli

from cleaner.batch import CHUNK_BYTES

# A line no rule knows (an address), appended to every record: only the
# cross-document statistic can find it.
SHARED_LINE = "桐花路三十七号院东门"


def test_any_number_of_workers_writes_the_same_bytes(tmp_path, shared):
    pages = sorted((shared / "corpus" / "cwced" / "cleaned").glob("*.txt"))
    lines = [json.dumps({"id": f"{page.stem}-{copy}",
                         "text": page.read_text(encoding="utf-8", errors="replace") + "\n" + SHARED_LINE},
                        ensure_ascii=False)
             for copy in range(3) for page in pages]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert corpus.stat().st_size > 3 * CHUNK_BYTES  # several chunks, in flight at once

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
