import json
import pickle

import pytest

from cleaner import ConfigError, InputError, Pipeline, clean_text
from cleaner.config import find_config, load_config


def test_clean_text_default():
    assert clean_text("建立健全领导小 组指挥长负责制。") == "建立健全领导小组指挥长负责制。"


def test_pipeline_pickles_after_use_and_gives_same_result():
    pipe = Pipeline({"layout": {"join_wrapped": False}})
    record = {"id": "a", "text": "彭水 县制定了方案。", "url": "u"}
    before = pipe.clean(record)
    clone = pickle.loads(pickle.dumps(pipe))
    assert clone.clean(record) == before
    assert before["url"] == "u" and before["text"] == "彭水县制定了方案。"


def test_run_streams_records():
    out = list(Pipeline().run({"id": str(i), "text": f"第{i} 段。"} for i in range(3)))
    assert [r["id"] for r in out] == ["0", "1", "2"]


def test_record_errors():
    with pytest.raises(InputError, match="no 'text' field"):
        Pipeline().clean({"body": "x"})
    with pytest.raises(InputError, match="not a string"):
        Pipeline().clean({"text": 3})


def test_config_found_in_pyproject_walking_up(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.cleaner.layout]\nenabled = false\n")
    (tmp_path / "data" / "sub").mkdir(parents=True)
    assert find_config(tmp_path / "data" / "sub") == tmp_path / "pyproject.toml"
    cfg = load_config(search_from=tmp_path / "data" / "sub")
    assert "layout" not in cfg.enabled
    assert Pipeline(cfg).clean_text("领导小 组。") == "领导小 组。"


def test_bad_config_values_name_key(tmp_path):
    with pytest.raises(ConfigError, match="layout.heading_max must be a int"):
        Pipeline({"layout": {"heading_max": "long"}})
    with pytest.raises(ConfigError, match="unknown key or pass 'layot'"):
        Pipeline({"layot": {}})
    bad = tmp_path / "cleaner.toml"
    bad.write_text("passes = [\n")
    with pytest.raises(ConfigError, match=r"cleaner.toml:\d+: invalid TOML"):
        load_config(bad)


def _real_records(shared) -> list[dict]:
    from conftest import SEED_FILES

    paths = list(SEED_FILES) + sorted((shared / "corpus" / "cwced" / "cleaned").glob("*.txt"))
    paths += sorted((shared / "examples").rglob("*.txt"))
    records = [{"id": p.stem, "text": p.read_text(encoding="utf-8", errors="replace")} for p in paths]
    wild = json.loads((shared / "examples" / "cjk-mojibake-wild.json").read_text(encoding="utf-8"))
    return records + [{"id": f"wild-{i}", "text": case["mojibake"]} for i, case in enumerate(wild)]


def test_batches_clean_each_record_as_clean_does(shared, monkeypatch):
    """A pass at a time over a batch (clean_batch, run) gives what all the
    passes over one record at a time give, record for record."""
    import cleaner.pipeline

    records = _real_records(shared)
    assert len(records) > 80
    pipe = Pipeline()
    one_by_one = [pipe.clean(r) for r in records]
    assert Pipeline().clean_batch(records) == one_by_one
    monkeypatch.setattr(cleaner.pipeline, "BATCH_DOCUMENTS", 16)  # several batches, the last one short
    assert list(Pipeline().run(iter(records))) == one_by_one


def test_a_document_that_fails_in_a_batch_fails_alone(tmp_path):
    """What cleaning one document raises ends that document only; the others
    come out as clean_document makes them, and run raises at the bad record
    after giving the ones before it."""
    from cleaner.document import Document

    from conftest import SEED_FILES

    texts = [p.read_text(encoding="utf-8") for p in SEED_FILES[:3]]
    docs = [Document(id=str(i), text="", format="text", data=t.encode("utf-8")) for i, t in enumerate(texts)]
    docs.insert(1, Document(id="bin", text="", format="text", data=b"\x00\x01\x02\x03" * 100))
    pipe = Pipeline()
    errors = pipe.clean_documents(docs)
    assert [type(e) for e in errors] == [type(None), InputError, type(None), type(None)]
    assert "binary" in str(errors[1])
    for doc, text in zip([docs[0], *docs[2:]], texts):
        alone = pipe.clean_document(Document(id=doc.id, text="", format="text", data=text.encode("utf-8")))
        assert (doc.text, doc.title, doc.fixes, doc.flags) == (alone.text, alone.title, alone.fixes, alone.flags)

    records = [{"id": "a", "text": texts[0]}, {"id": "b", "text": texts[1]}, {"id": "c", "body": "x"},
               {"id": "d", "text": texts[2]}]
    out = []
    with pytest.raises(InputError, match="no 'text' field"):
        for record in pipe.run(records):
            out.append(record)
    assert [r["id"] for r in out] == ["a", "b"]
    with pytest.raises(InputError, match="no 'text' field"):
        pipe.clean_batch(records)
