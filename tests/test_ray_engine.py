"""The Ray Data engine on a local Ray: the same records as the local engine.

One local Ray for the module; the CLI test joins it with --ray-address, so
Ray starts once. The corpus is real pages (cwced) with one invented line
repeated across a dozen of them, spread over several shards: the batch-level
boilerplate statistic must see it across shards, as the local engine does.
"""

import json

import pytest
from conftest import SHARED, run_cli

from cleaner import Pipeline
from cleaner.batch import clean_items, learn_line_stats
from cleaner.config import Config
from cleaner.io.sources import read_items

ray = pytest.importorskip("ray")

# Not a rule's business (no keyword of any rule file): only the batch statistic can catch it.
REPEATED = "青山县融媒体中心第三编辑室统一整理发布"


@pytest.fixture(scope="module")
def ray_address():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    pages = sorted((SHARED / "corpus" / "cwced" / "cleaned").glob("*.txt"))[:24]
    path = tmp_path_factory.mktemp("ray") / "in.jsonl"
    lines = []
    for n, page in enumerate(pages):
        text = page.read_text(encoding="utf-8")
        if n % 2 == 0:
            text += "\n\n" + REPEATED
        record = {"text": text, "url": f"https://example.org/{n}"} if n % 3 == 0 else \
            {"id": f"page-{n}", "text": text, "n": n}
        lines.append(json.dumps(record, ensure_ascii=False))
    lines.insert(5, '{"text": broken')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def local_output(path) -> bytes:
    config = learn_line_stats(read_items([str(path)]), Config())
    return b"".join(o.output + b"\n" for o in clean_items(read_items([str(path)]), config) if o.output)


def test_cli_ray_engine_writes_the_local_engines_records(ray_address, corpus, tmp_path):
    out = tmp_path / "out"
    proc = run_cli("clean", str(corpus), "-o", str(out), "--engine", "ray", "--ray-address", ray_address,
                   "--shard-mb", "0.1")
    assert proc.returncode == 1, proc.stderr  # one malformed line: reported, the rest written
    assert f"{corpus}:6: malformed JSON" in proc.stderr.decode()
    assert b"24 documents cleaned, 1 skipped" in proc.stderr
    shards = sorted(out.glob("part-*.jsonl"))
    assert len(shards) >= 2  # the repeated line really is spread over shards
    expected = local_output(corpus)
    # Shards read in name order are the local engine's output, byte for byte.
    assert b"".join(s.read_bytes() for s in shards) == expected
    records = [json.loads(line) for line in expected.splitlines()]
    assert not any(REPEATED in r["text"] for r in records)  # removed across shards
    # ... by the batch statistic: without it, the line stays.
    without = Pipeline({"boilerplate": {"batch_min_docs": 0}})
    kept = [without.clean(json.loads(line))["text"] for line in corpus.read_text(encoding="utf-8").splitlines()
            if not line.startswith('{"text": broken')]
    assert sum(REPEATED in t for t in kept) >= 10
    assert records[0]["id"] == "in_1" and records[1]["id"] == "page-1"  # ids from line numbers kept


def test_clean_dataset_matches_pipeline_and_per_batch_stats_stay_per_batch(ray_address, corpus):
    from cleaner.engines.ray import clean_dataset

    # Arrow gives every row every column, so the records all have the same fields.
    records = [{"id": f"doc-{n}", "text": json.loads(line)["text"], "n": n}
               for n, line in enumerate(corpus.read_text(encoding="utf-8").splitlines())
               if not line.startswith('{"text": broken')]
    expected = [Pipeline().observe(records).clean(r) for r in records]

    dataset = ray.data.from_items(records)
    # (In the order the batches finish: the dataset's context decides whether Ray keeps the input order.)
    as_json = clean_dataset(dataset, batch_size=4, output="json").take_all()
    assert sorted((json.loads(row["json"]) for row in as_json), key=lambda r: r["n"]) == expected

    columns = sorted(clean_dataset(dataset, batch_size=4).take_all(), key=lambda row: row["n"])
    assert [row["text"] for row in columns] == [r["text"] for r in expected]
    assert [row["id"] for row in columns] == [r["id"] for r in expected]

    # Each batch of 4 its own run: no line can recur in batch_min_docs (10)
    # documents of one batch, so the output is that of no batch statistic at all.
    per_batch = clean_dataset(dataset, batch_size=4, line_stats="batch", output="json").take_all()
    without = Pipeline({"boilerplate": {"batch_min_docs": 0}})
    assert sorted((json.loads(row["json"]) for row in per_batch), key=lambda r: r["n"]) == \
        [without.clean(r) for r in records]
    assert sum(REPEATED in json.loads(row["json"])["text"] for row in per_batch) >= 10
