"""The guarantees, as properties over generated and real text.

- idempotent: cleaning a cleaned record changes nothing;
- deterministic: the same bytes for any number of workers and any order in
  which the files of a folder were created;
- conservative: every pass's output is exactly its input with its recorded
  changes applied (nothing is removed that no change names), text that no
  rule or repair matches comes out unchanged, and a document that loses more
  than the configured share of its body is flagged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEED_FILES, SHARED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import Pipeline
from cleaner.batch import clean_items
from cleaner.document import Document
from cleaner.io.sources import read_items
from cleaner.passes.base import apply_changes

# -- real text -----------------------------------------------------------------


def real_texts() -> list[tuple[str, str]]:
    files = list(SEED_FILES)
    if SHARED.is_dir():
        files += sorted((SHARED / "examples").glob("*.txt"))
        files += sorted((SHARED / "corpus" / "cwced" / "cleaned").glob("*.txt"))
    return [(f.name, f.read_text(encoding="utf-8")) for f in files]


REAL = real_texts()


def _content(record: dict) -> tuple:
    # What cleaning decides; fixes, flags and the *_in fields describe one run.
    return record["title"], record["text"], record["meta"], record["script"]


# The determinism test cleans its corpus a dozen times; the mojibake pass, whose
# damaged-text search costs ~80 ms a document, is covered there by its own tests
# and by benchmarks/fuzz_decode_mojibake.py with tests/regressions/.
WITHOUT_MOJIBAKE = {"mojibake": {"enabled": False}}


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline()


@pytest.mark.parametrize("name, text", REAL, ids=[n for n, _ in REAL])
def test_cleaning_a_cleaned_record_changes_nothing(pipeline, name, text):
    once = pipeline.clean({"id": name, "text": text})
    twice = pipeline.clean(once)
    assert _content(twice) == _content(once)


def test_a_record_keeps_its_own_title(pipeline):
    record = {"id": "r", "title": "来源给的标题", "text": "第一行是正文的开头，不是标题。\n第二段。"}
    out = pipeline.clean(record)
    assert out["title"] == "来源给的标题" and out["text"].startswith("第一行是正文的开头")


@pytest.mark.parametrize("name, text", REAL, ids=[n for n, _ in REAL])
def test_every_pass_output_is_its_input_with_its_changes(pipeline, name, text):
    trace = []
    pipeline.clean_document(Document(id=name, text=text), trace)
    for step in trace:
        assert apply_changes(step.before, step.result.changes) == step.result.text, step.name
        for change in step.result.changes:
            assert step.before[change.start:change.end] == change.before, (step.name, change)


# -- generated text ---------------------------------------------------------------

# Plain, correct Simplified Chinese: characters of the seeds that no pass has a
# reason to touch, full-width punctuation inside sentences, a full stop at
# the end of each. No rule or repair should match any of it.
_seed_han = "".join(sorted({c for p in SEED_FILES for c in p.read_text(encoding="utf-8") if "\u4e00" <= c <= "\u9fff"}
                           - set("编辑责记者摄图来源转载版权点击查看关注微信分享扫码")))
# Only characters the configured script conversion (to Simplified) leaves alone.
_HAN = [a for a, b in zip(_seed_han, Pipeline({"passes": ["script"]}).clean_text(_seed_han)) if a == b]
_han_run = st.text(alphabet=st.sampled_from(_HAN), min_size=2, max_size=12)
_sentence = st.lists(_han_run, min_size=1, max_size=4).map("，".join).map(lambda s: s + "。")
_paragraph = st.lists(_sentence, min_size=2, max_size=5).map("".join)
clean_document = st.lists(_paragraph, min_size=2, max_size=6, unique=True).map("\n".join)

# Messier text: the same plus Latin, digits, ASCII punctuation, spaces, breaks.
_noise = st.sampled_from([" ", "  ", "\n", "\n\n", "\t", ",", ".", "(", ")", ":", "\"", "3.14", "2020年3月10日",
                          "Hello, world.", "ＡＢＣ", "http://example.com/a,b", "…", "——", "“", "”", "\u3000"])
messy_document = st.lists(st.one_of(_sentence, _noise), min_size=1, max_size=30).map("".join)


@settings(max_examples=60, deadline=None)
@given(text=clean_document)
def test_text_no_rule_matches_comes_out_unchanged(pipeline, text):
    out = pipeline.clean({"id": "g", "text": text})
    body = (out["title"] + "\n" if out["title"] else "") + out["text"]
    assert body == text
    assert "large_removal" not in out["flags"]


@settings(max_examples=80, deadline=None)
@given(text=st.one_of(clean_document, messy_document))
def test_every_pass_explains_its_output_on_generated_text(pipeline, text):
    trace = []
    doc = pipeline.clean_document(Document(id="g", text=text), trace)
    for step in trace:
        assert apply_changes(step.before, step.result.changes) == step.result.text, step.name
    assert "\x00" not in doc.text


@settings(max_examples=60, deadline=None)
@given(text=clean_document)
def test_idempotent_on_generated_records(pipeline, text):
    once = pipeline.clean({"id": "g", "text": text})
    assert _content(pipeline.clean(once)) == _content(once)


# -- the large-removal guard ----------------------------------------------------------

GUARD_RULE = """concern = "custom"
[[rule]]
id = "test.sponsor"
comment = "a sponsor line"
example = "赞助商广告第1条"
pattern = '赞助商广告第\\d+条'
"""


@pytest.fixture
def sponsor_rules(tmp_path) -> str:
    path = tmp_path / "sponsor.toml"
    path.write_text(GUARD_RULE, encoding="utf-8")
    return str(path)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(article=clean_document, sponsors=st.integers(0, 60), share=st.sampled_from([0.3, 0.5, 0.8]))
def test_large_removal_is_flagged_exactly_above_the_share(sponsor_rules, article, sponsors, share):
    pipe = Pipeline(Pipeline(WITHOUT_MOJIBAKE).config.replace(rules=(sponsor_rules,), large_removal_share=share))
    lines = article.split("\n")
    ads = [f"赞助商广告第{i}条" for i in range(sponsors)]
    text = "\n".join(lines[:1] + ads + lines[1:])  # after the first line, so no ad is taken for the title
    out = pipe.clean({"id": "g", "text": text})
    assert all(ad not in out["text"] for ad in ads)
    body = len("".join(text.split()))
    kept = len("".join(out["text"].split())) + len("".join((out["title"] or "").split()))
    assert ("large_removal" in out["flags"]) == (body - kept > share * body)


def test_large_removal_on_a_real_page(shared):
    # The document a link-list rule cut to less than half (found by this guard).
    page = shared / "corpus" / "cwced" / "original" / "0df12126-cd86-46a7-a00b-4d024a7a0954.html"
    if not page.exists():
        pytest.skip("page not in this corpus")
    outcome = next(clean_items(read_items([str(page)]), Pipeline(WITHOUT_MOJIBAKE).config))
    record = json.loads(outcome.output)
    gold = (shared / "corpus" / "cwced" / "cleaned" / (page.stem + ".txt")).read_text(encoding="utf-8")
    if len(record["text"]) < 0.6 * len(gold):
        assert "large_removal" in record["flags"]
    else:
        assert "large_removal" not in record["flags"]


# -- determinism --------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_files() -> list[tuple[str, bytes]]:
    # Seed 004 and the mojibake examples are left out: each takes the mojibake
    # pass seconds, and this test cleans its corpus a dozen times.
    files = [(p.name, p.read_bytes()) for p in SEED_FILES if not p.name.startswith("004")]
    if SHARED.is_dir():
        files += [(p.name, p.read_bytes()) for p in sorted((SHARED / "corpus" / "cwced" / "original").glob("*"))][:12]
    # Twelve near-copies sharing a footer: the cross-document line statistic must not depend on order either.
    seed = SEED_FILES[1].read_text(encoding="utf-8")
    files += [(f"copy{i:02}.txt", (seed[i * 200:i * 200 + 1500] + "\n本文来源：测试网站 版权所有\n").encode())
              for i in range(12)]
    return files


def _output(folder: Path, workers: int) -> bytes:
    config = Pipeline(WITHOUT_MOJIBAKE).config
    return b"".join(o.output + b"\n" for o in clean_items(read_items([str(folder)]), config, workers)
                    if o.output is not None)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.randoms(use_true_random=False), workers=st.sampled_from([2, 3]))
def test_same_bytes_for_any_workers_and_any_creation_order(tmp_path_factory, corpus_files, order, workers):
    first = tmp_path_factory.mktemp("a")
    for name, data in corpus_files:
        (first / name).write_bytes(data)
    shuffled = list(corpus_files)
    order.shuffle(shuffled)
    second = tmp_path_factory.mktemp("b")
    for name, data in shuffled:  # created in another order: another directory listing order
        (second / name).write_bytes(data)
    reference = _output(first, 1).replace(str(first).encode(), b"DIR")
    assert _output(second, workers).replace(str(second).encode(), b"DIR") == reference
