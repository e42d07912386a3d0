"""The punctuation pass's default path, pinned against the exact one on real text.

With the default switches the pass computes its text and its counts by code with
``_fast`` (one tagged scan, the text built as it goes) and builds the changes only
when they are read, with ``_fixed``. Both must agree: for every text, ``_fast``
gives ``_fixed``'s text and the codes of ``_fixed``'s edits, or None (and the
pass runs ``_fixed``). The texts: the seeds, the shared examples, the cwced pages,
damaged variants of them, the benchmark corpus as the pipeline hands it to the
pass, and hypothesis text made of the characters the rules look at.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

import pytest
from conftest import ROOT, SEED_FILES, SHARED
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_laypunct_fast import _damaged as damaged

from cleaner import Pipeline
from cleaner.document import Document
from cleaner.passes.base import apply_changes
from cleaner.passes.punctuation import (
    Punctuation,
    PunctuationOptions,
    _fast,
    _fixed,
    fix_changes,
)


def _exact(text: str, corners: bool) -> tuple[str, dict[str, int]]:
    """What ``_fast`` must give: ``_fixed``'s text and its edits counted by code
    (``corners``: the Simplified default; otherwise a Traditional document's)."""
    out, edits = _fixed(text, PunctuationOptions(), not corners)
    return out, dict(Counter(edit[0] for edit in edits))


def _agrees(text: str, corners: bool) -> bool:
    """``_fast`` agrees with ``_fixed`` on ``text``; False when it gave up."""
    got = _fast(text, corners)
    if got is None:
        return False
    assert got == _exact(text, corners), text[:200]
    return True


def _real_texts() -> list[str]:
    paths = list(SEED_FILES)
    paths += sorted((SHARED / "examples").glob("*.txt"))
    paths += sorted((SHARED / "corpus" / "cwced" / "cleaned").glob("*.txt"))
    paths += sorted((SHARED / "corpus" / "cwced" / "original").glob("*"))
    return [p.read_text(encoding="utf-8", errors="replace") for p in paths if p.is_file()]


# Damage the pass repairs, put into clean pages, each kind in its own share of places.
_DAMAGE = [
    ("，", ","), ("，", ", "), ("，", " ,"), ("。", "."), ("。", ". "), ("：", ":"), ("；", ";"), ("！", "!"),
    ("？", "? "), ("（", "("), ("）", ")"), ("（", " ("), ("）", ") "), ("“", '"'), ("”", '"'), ("“", ' "'),
    ("‘", "'"), ("’", "'"), ("……", "..."), ("——", "--"), ("，", "，，"), ("。", "。，"), ("、", "、。"),
    ("。", "。\u3000"), ("，", "，\u3000；"), ("的", "的 "), ("年", "年\u3000"), ("1", "１"), ("A", "Ａ"),
    ("“", "「"), ("”", "」"), ("。", "。\n\u3000\u3000"), ("：", "://"), ("中", "中 ("),
]


def _damaged(text: str, n: int) -> str:
    return damaged(text, n, _DAMAGE, skip_every=4)


@pytest.fixture(scope="module")
def texts() -> list[str]:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    real = _real_texts()
    return real + [_damaged(t, n) for n, t in enumerate(real)]


@pytest.mark.parametrize("corners", [True, False])
def test_fast_is_exact_on_real_texts(texts, corners):
    taken = sum(_agrees(text, corners) for text in texts)
    assert taken >= len(texts) * 0.95  # it gives up only on `code` and skipped closing marks


@pytest.fixture(scope="module")
def pipeline_inputs() -> list[tuple[str, str | None, str | None]]:
    """The benchmark corpus (10 MB of recombined real pages) as the default pipeline
    hands it to the punctuation pass: (text, title, script)."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_pipeline import build_corpus

    pipeline = Pipeline()
    step = next(p for p in pipeline.passes if p.name == "punctuation")
    seen: list[tuple[str, str | None, str | None]] = []
    apply = step.apply

    def spy(text, doc):
        seen.append((text, doc.title, doc.script or doc.script_in))
        return apply(text, doc)

    step.apply = spy  # type: ignore[method-assign]
    with build_corpus(10, 0).open("rb") as corpus:
        for line in corpus:
            pipeline.clean(json.loads(line))
    return seen


def test_fast_is_exact_on_the_benchmark_corpus(pipeline_inputs):
    taken = 0
    for text, title, _ in pipeline_inputs:
        taken += _agrees(text, True)
        assert _agrees(text, False) or "`" in text
        if title:
            assert _agrees(title, True) or "`" in title
    assert taken == len(pipeline_inputs)


def test_pass_result_is_the_exact_one(pipeline_inputs):
    """The pass's text and counts come from ``_fast``; its changes, built when read,
    are ``_fixed``'s and rebuild the same text."""
    punctuation = Punctuation()
    for text, title, script in pipeline_inputs[::7]:
        doc = Document(id="t", text=text)
        doc.script, doc.title = script, title
        result = punctuation.apply(text, doc)
        traditional = script in ("hant", "tw", "hk")
        out, edits = _fixed(text, PunctuationOptions(), traditional)
        assert result.text == out
        assert (result.codes or {}) == dict(Counter(edit[0] for edit in edits))
        assert result.changes == fix_changes(text, PunctuationOptions(), traditional)
        assert apply_changes(text, result.changes) == out
        if title:
            assert doc.title == _fixed(title, PunctuationOptions(), traditional)[0]


def test_other_options_take_the_exact_path():
    text = '他说:"好的,(见附件)"。'
    for options in (PunctuationOptions(quotes="corner"), PunctuationOptions(style="ascii"),
                    PunctuationOptions(collapse_doubled=False)):
        assert Punctuation(options)._fast_corners(False) is None
    assert Punctuation()._fast_corners(False) is True
    assert Punctuation()._fast_corners(True) is False
    assert Punctuation(PunctuationOptions(quotes="curly"))._fast_corners(True) is True
    assert _agrees(text, True)


# Tokens the rules look at: Han, Latin, digits, every candidate mark, the spaces the
# white space rule takes, line breaks, URLs and code spans.
_TOKENS = st.sampled_from([
    "中", "文", "好", "了", "的", "a", "Z", "w", "0", "9", "１", "Ａ", "ｚ", "．", "／",
    ",", ".", ";", ":", "!", "?", "(", ")", '"', "'", "-", "－", "…", "`", "%",
    "，", "。", "、", "；", "：", "！", "？", "（", "）", "“", "”", "‘", "’", "「", "」", "『", "』", "》",
    " ", "\t", "\u3000", "\xa0", "\u2003", "\u200b", "\n",
    "...", "--", "。。。", "http://", "www.", ",,", "，，", "、。", "，\u3000；", "----", "......", "𠀀",
])


@settings(max_examples=1500, deadline=None)
@given(st.lists(_TOKENS, max_size=40).map("".join), st.booleans())
@example('中 "好" 了', True)
@example("中(文) ,好", True)
@example("中，\u3000,好", True)
@example("好.\u3000\u3000\n中--文", True)
@example("、，,a", True)
@example("中：\t:好", True)
# A quote that closes a pair (with a comma in it) and looks like the start of the next.
@example('他说"中,文"和"好"了', True)
# A body longer than the scan looks ahead.
@example('"' + "中" * 45 + '"好', True)
# Found by a fuzzer: a run of dashes or dots taken short of its end (the regex gave one
# back to pass its test of what follows).
@example("了----\u2003\u2003了", True)
@example("了.........\u2003...", False)
def test_property_fast_is_exact(text, corners):
    got = _fast(text, corners)
    assert got is None or got == _exact(text, corners)
