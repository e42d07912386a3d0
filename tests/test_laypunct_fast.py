"""The shortcuts of the layout and punctuation passes, pinned against the plain
computation on real text (seeds, shared examples, cwced pages).

- Both passes give the pipeline their counts by code and build the changes
  only when read; the result must be what the pure cores return, and the
  text what ``apply_changes`` makes of those changes.
- The punctuation pass finds the first doubled run that starts at a
  full-width mark from cheap hints before it scans for runs.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from conftest import SEED_FILES, SHARED

from cleaner import Pipeline
from cleaner.document import Document
from cleaner.passes.base import PassResult, apply_changes
from cleaner.passes.layout import Layout, LayoutOptions, fix_layout
from cleaner.passes.punctuation import (
    _FULLWIDTH_DOUBLED,
    Punctuation,
    PunctuationOptions,
    _first_doubled,
    fix_punctuation,
)


def _real_texts(shared) -> list[str]:
    paths = list(SEED_FILES)
    paths += sorted((shared / "examples").glob("*.txt"))
    paths += sorted((shared / "corpus" / "cwced" / "cleaned").glob("*.txt"))
    return [p.read_text(encoding="utf-8", errors="replace") for p in paths]


# Damage the layout and punctuation passes repair, put into clean pages: the
# real pages hold little of it, the benchmark corpus (built the same way) a lot.
_DAMAGE = [
    ("。", "。  \n\n\n\u3000\u3000"), ("，", ", "), ("，", ",，"), ("。", "。，，"), ("、", "、 。"),
    ("“", '"'), ("”", '"'), ("（", "("), ("）", ")"), ("：", ":"), ("！", "!"), ("的", "的 "),
    ("在", "在\n"), ("是", "是\u3000"), ("。", "。,。"), ("，", "，\u3000；"),
]


def _damaged(text: str, n: int, damage: list[tuple[str, str]] = _DAMAGE, skip_every: int = 3) -> str:
    # A different share of each kind of damage in each variant, deterministic.
    for i, (old, new) in enumerate(damage):
        if (i + n) % skip_every:
            parts = text.split(old)
            text = "".join(p + (new if k % (2 + (i + n) % 5) == 0 else old)
                           for k, p in enumerate(parts[:-1])) + parts[-1]
    return text


def real_and_damaged() -> list[str]:
    """The real texts and a damaged variant of each (skips without ../shared)."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    real = _real_texts(SHARED)
    return real + [_damaged(t, n) for n, t in enumerate(real)]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return real_and_damaged()


def _same_as_core(result: PassResult, text: str, out: str, changes: list) -> None:
    assert result.text == out
    assert apply_changes(text, changes) == out
    if result.codes is not None:  # counted by the pass (else the pipeline counts the changes)
        assert result.codes == Counter(c.code for c in changes)
    assert result.changes == changes  # built on demand, equal to the core's


def test_layout_result_is_the_pure_core(texts):
    layout = Layout()
    variants = 0
    for text in texts:
        for variant in (text, text.replace("\n", "\r\n")):
            out, changes = fix_layout(variant)
            _same_as_core(layout.apply(variant, Document(id="t", text=variant)), variant, out, changes)
            variants += bool(changes)
    assert variants > len(texts)  # most texts have something to fix


def test_layout_options_result_is_the_pure_core(texts):
    for options in (LayoutOptions(join_wrapped=False), LayoutOptions(collapse_blank_lines=False, heading_max=10)):
        layout = Layout(options)
        for text in texts[::3]:
            out, changes = fix_layout(text, options)
            _same_as_core(layout.apply(text, Document(id="t", text=text)), text, out, changes)


def test_punctuation_result_is_the_pure_core(texts):
    for options, script in ((PunctuationOptions(), None), (PunctuationOptions(), "hant"),
                            (PunctuationOptions(style="ascii"), None),
                            (PunctuationOptions(quotes="corner", collapse_doubled=False), None)):
        punctuation = Punctuation(options)
        changed = 0
        for text in texts:
            out, changes = fix_punctuation(text, options, script == "hant")
            doc = Document(id="t", text=text)
            doc.script = script
            _same_as_core(punctuation.apply(text, doc), text, out, changes)
            changed += bool(changes)
        assert changed > len(texts) // 2


_RUNS = ["，，", "。，，，", "，  ，", "、。", "：；", "，\u3000。", "a。,，，b", "，:，，", "中,。，，", "。。。", "，."]


def test_first_doubled_run_is_found_from_the_hints(texts):
    checked = found = 0
    for n, text in enumerate(texts):
        variants = [text]
        if len(text) > 40:
            run = _RUNS[n % len(_RUNS)]
            variants += [text[:k] + run + text[k:] for k in (len(text) // 3, len(text) - 7)]
        for variant in variants:
            match = _FULLWIDTH_DOUBLED.search(variant)
            first = _first_doubled(variant)
            assert first == (match.start() if match else -1)
            if match:
                # The scan from there finds the runs a scan from the start finds.
                assert [m.span() for m in _FULLWIDTH_DOUBLED.finditer(variant, first)] == \
                       [m.span() for m in _FULLWIDTH_DOUBLED.finditer(variant)]
                found += 1
            checked += 1
    assert found > checked // 3


def test_pipeline_counts_the_codes_the_changes_have(texts):
    pipeline = Pipeline()
    lazy = 0
    for text in texts[:40]:
        trace: list = []
        doc = pipeline.clean_document(Document(id="t", text=text), trace)
        counted: Counter = Counter()
        for step in trace:
            kinds = {c.code: c.kind for c in Pipeline({"passes": [step.name]}).passes[0].codes}
            if step.result.codes is not None:
                lazy += 1
                assert step.result.codes == Counter(c.code for c in step.result.changes)
            for change in step.result.changes:
                counted[kinds.get(change.code, change.code)] += 1
            for kind, n in step.result.counts.items():
                counted[kind] += n
        assert dict(counted) == doc.fixes
    assert lazy


def test_pass_result_builds_its_changes_once():
    calls = []

    def build():
        calls.append(1)
        return []

    result = PassResult("x", build, codes={})
    assert result.changes == [] and result.changes == []
    assert calls == [1]
    assert PassResult("x") == PassResult("x", [], {})
    assert re.match(r"PassResult\(text='x'", repr(result))


def test_layout_sentence_punctuation_pattern_is_the_plain_one():
    # The pattern is written with one class leading each branch (scanned in
    # C); it must find a sentence mark wherever the plain three branches do.
    import itertools

    from cleaner.chars import CLOSERS, HAN, HSPACE, SENTENCE_END
    from cleaner.passes.layout import _SENTENCE_PUNCT

    plain = re.compile(f"[{re.escape(SENTENCE_END)}，,、：:]|\\.\\.\\.|(?<=[{HAN}{CLOSERS}\"'])\\.(?=[{HSPACE}{CLOSERS}\"']|$)")
    for n in range(1, 6):
        for chars in itertools.product("中.a ”。,…", repeat=n):
            line = "".join(chars)
            assert bool(_SENTENCE_PUNCT.search(line)) == bool(plain.search(line)), line


def test_layout_han_test_is_the_han_class():
    from cleaner.chars import HAN
    from cleaner.passes.layout import _is_han

    han = re.compile(f"[{HAN}]")
    for code in [*range(0x3000, 0x10000), *range(0x1FFF0, 0x20010), *range(0x31340, 0x31360)]:
        char = chr(code)
        assert _is_han(char) == (han.match(char) is not None), hex(code)
