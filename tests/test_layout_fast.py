"""The layout pass's default path, pinned against its exact path.

``Layout.apply`` builds the output and the number of edits by code with
splits and rewrites in C (``_fast_layout``), and leaves the changes to the
exact path (``_newline_edits``), run when they are read. For every text the
two must agree: the same output, the same codes counted, and the changes read
from the pass's result those of ``fix_layout``.
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter

import pytest
from conftest import ROOT, SHARED
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_laypunct_fast import real_and_damaged

from cleaner import Pipeline
from cleaner.document import Document
from cleaner.passes.layout import (
    Layout,
    LayoutOptions,
    _fast_layout,
    _has_other_breaks,
    fix_layout,
)

_OPTIONS = [LayoutOptions(), LayoutOptions(join_wrapped=False), LayoutOptions(strip_cjk_spaces=False),
            LayoutOptions(heading_max=10, tail_min=3), LayoutOptions(heading_max=4, wrap_min=3, tail_min=0),
            LayoutOptions(wrap_min=20, tail_min=12)]


def _assert_same_as_exact(text: str, options: LayoutOptions) -> bool:
    """Is the default path's answer the exact path's? True where it gave one."""
    if _has_other_breaks(text):  # read as \n first (see the last test)
        text = fix_layout(text, options)[0]
    fast = _fast_layout(text, options)
    out, changes = fix_layout(text, options)
    if fast is None:
        return False
    assert fast == (out, dict(Counter(c.code for c in changes))), text
    return True


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return real_and_damaged()


@pytest.fixture(scope="module")
def benchmark_texts() -> list[str]:
    """Documents of the benchmark corpus (benchmarks/bench_pipeline.py builds
    them the same way), raw and as the default pipeline hands them to layout."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_pipeline import _blocks, _document

    rng = random.Random(7)
    blocks = _blocks()
    raw = [_document(rng, blocks, int(rng.lognormvariate(8.2, 0.8))) for _ in range(150)]
    pipeline = Pipeline()
    inputs = []
    for n, text in enumerate(raw):
        trace: list = []
        pipeline.clean_document(Document(id=str(n), text=text), trace)
        inputs += [step.before for step in trace if step.name == "layout"]
    assert len(inputs) == len(raw)
    return raw + inputs


def test_default_path_is_the_exact_path_on_real_text(texts):
    answered = 0
    for text in texts:
        for options in _OPTIONS:
            answered += _assert_same_as_exact(text, options)
    assert answered > len(texts) * len(_OPTIONS) // 2


def test_default_path_is_the_exact_path_on_the_benchmark_corpus(benchmark_texts):
    edits: Counter = Counter()
    for text in benchmark_texts:
        assert _assert_same_as_exact(text, LayoutOptions())
        edits.update(_fast_layout(text, LayoutOptions())[1])
    # Every kind of edit is there to be compared, many times.
    assert min(edits[code] for code in ("W101", "W102", "W103", "W104", "W105")) > 100, edits
    for text in benchmark_texts[::10]:
        for options in _OPTIONS[1:]:
            _assert_same_as_exact(text, options)


def test_the_pass_reads_its_changes_from_the_exact_path(texts, benchmark_texts):
    for options in (LayoutOptions(), LayoutOptions(heading_max=10, tail_min=3)):
        layout = Layout(options)
        for text in texts[::4] + benchmark_texts[::15]:
            result = layout.apply(text, Document(id="t", text=text))
            out, changes = fix_layout(text, options)
            assert result.text == out
            assert result.codes == (dict(Counter(c.code for c in changes)) if changes else None)
            assert result.changes == changes


def test_the_default_path_leaves_the_exact_path_what_it_cannot_answer():
    assert _fast_layout(" \n\u3000\n", LayoutOptions()) is None  # no paragraph
    assert _fast_layout("第一段。\n\n\n第二段。", LayoutOptions(collapse_blank_lines=False)) is None
    assert _fast_layout("第一段。", LayoutOptions(wrap_min=40)) is None  # longer than a wrap's carried tail
    # Text with other line breaks never reaches it (Layout.apply and fix_layout read it as \n first).
    text = "第一段。 \r\n\r\n\r\n第二段。"
    result = Layout().apply(text, Document(id="t", text=text))
    assert (result.text, result.changes) == fix_layout(text) and result.codes is None
    assert result.text == "第一段。\n\n第二段。" and "W106" in {c.code for c in result.changes}


# Text made of what the stages look at: each kind of white space, line breaks
# and blank lines, Chinese characters, sentence marks, opening marks, short
# and long lines.
_PIECES = ["中", "文", "字", "國", "。", "，", ",", ".", "...", ":", ";", "!", "?", "“", "”", "(", ")", "（", "《",
           '"', "'", "a", "1", " ", "  ", "\u3000", "\u3000\u3000", "\t", "\xa0", "\u2002", "\u2003", "\u2009",
           "\u200b", "\n", "\n", "\n\n", "\n \n", "\n\u3000\u3000", "攝", "领导小 组", "抓难点堵点 做复工复产",
           "一二三四五六七八九十一二三四五六七八九十一二三四五六", "這是一行很長的文字被硬換行切開了因為它很長很長很長很",
           "。曾竟 攝", "中 , 文", "中 ,\u3000文", "中\u3000, 文"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join), st.sampled_from(_OPTIONS))
@example("中 ,\u3000文", LayoutOptions())  # one kind of space deleted before another is judged
@example("一二三四五六七八九十一二三四五六七八九十一二三四五六 \n文", LayoutOptions())  # white space before a wrap
@example("一二三四五六七八九十一二三四五六七八九十一二三四五六\n\u3000文", LayoutOptions())  # a wrapped line indented
def test_default_path_is_the_exact_path_on_generated_text(text, options):
    _assert_same_as_exact(text, options)


def test_benchmark_corpus_documents_if_built():
    # The 10 MB benchmark corpus, where a run of the benchmarks has built it.
    corpus = ROOT / "benchmarks" / ".corpus" / "corpus-v2-10mb-seed0.jsonl"
    if not corpus.exists():
        pytest.skip("the 10 MB benchmark corpus is not built")
    with corpus.open("rb") as handle:
        texts = [json.loads(line)["text"] for line, _ in zip(handle, range(300))]
    for text in texts:
        assert _assert_same_as_exact(text, LayoutOptions())
