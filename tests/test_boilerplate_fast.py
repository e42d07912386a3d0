"""The boilerplate pass's shortcuts, pinned against the plain computation on real text.

Each shortcut (a check on a line's first characters instead of a fold and a
parse of the whole line, ...) must answer as the work it skips would, on the
seeds, the examples and the cwced pages as the boilerplate pass sees them.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right

import pytest
from conftest import SEED_FILES, SHARED
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Pipeline
from cleaner.batch import document_from_item
from cleaner.boilerplate.fold import fold
from cleaner.boilerplate.header import (
    may_be_outlet_line,
    may_be_whole_byline,
    may_be_whole_meta_line,
    parse_byline,
    parse_meta_line,
    parse_outlet_line,
)
from cleaner.boilerplate.lines import is_body
from cleaner.boilerplate.repeated import LineCounter, document_line_hashes, line_key
from cleaner.boilerplate.rules import EDGE_WINDOW, ruleset_for
from cleaner.io.sources import read_items
from cleaner.passes import boilerplate as bp


@pytest.fixture(scope="module")
def pass_inputs() -> list[str]:
    """The texts the boilerplate pass gets: seeds, examples and cwced pages after decode and html."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    shared = SHARED
    texts = [path.read_text("utf-8") for path in SEED_FILES]
    texts += [p.read_text("utf-8") for p in sorted((shared / "examples").glob("*.txt"))]
    texts += [p.read_text("utf-8", errors="replace") for p in sorted((shared / "corpus" / "cwced" / "cleaned").iterdir())]
    pipeline = Pipeline({"passes": ["decode", "html"]})
    for item in read_items([str(shared / "corpus" / "cwced" / "original")]):
        texts.append(pipeline.clean_document(document_from_item(item, "text")).text)
    return texts


# Header-shaped lines, and lines that start like one and go on as text.
MADE_UP_LINES = [
    "2020-03-07 16:21:56来源:国际在线编辑:柳洪华",
    "【字号 大 中 小】 2020年03月10日14:16 来源：人民网",
    "||| 發布時間：2020-02-29  來源：新華網",
    "打印 收藏 2020/2/29 15:11 作者：张三",
    "时间：2020年3月1日，全县企业今天全部复工，工人们陆续返回岗位。",
    "  来源：人民网  责编：李四 ",
    "T 2020-03-07",
    "□ 《民生周刊》记者 郑智维",
    "■本報記者 張三 李四",
    "　文/張三",
    "〈记者〉张三",
    "人民網-貴州頻道",
    "新华网 — 国际频道",
    "中國新聞網 · 財經頻道",
    "央视新闻客户端",
    "ＣＣＴＶ電視台",
    "南方周末",
    "今天是2020年3月1日，来源：人民网。",
]


def _lines(texts: list[str]) -> set[str]:
    lines = {line.strip() for text in texts for line in text.splitlines() if line.strip()}
    return lines | set(MADE_UP_LINES)


def test_header_line_checks_never_skip_a_line_the_parsers_would_take(pass_inputs):
    taken = {"meta": 0, "byline": 0, "outlet": 0}
    for line in _lines(pass_inputs):
        folded = fold(line)
        meta = parse_meta_line(line, folded)
        if meta.meta and meta.consumed:
            taken["meta"] += 1
            assert may_be_whole_meta_line(line), line
        byline = parse_byline(line, folded)
        if byline.meta and byline.consumed:
            taken["byline"] += 1
            assert may_be_whole_byline(line), line
        if parse_outlet_line(line, folded).meta:
            taken["outlet"] += 1
            assert may_be_outlet_line(line), line
    # The texts have lines of every kind, so each check was put to the test.
    assert min(taken.values()) >= 5, taken


def test_header_line_checks_turn_away_running_text(pass_inputs):
    # They exist to spare the fold and parse of first paragraphs: most are turned away.
    paragraphs = [line for line in _lines(pass_inputs) if len(line) > 60 and "。" in line]
    assert len(paragraphs) > 500
    kept = sum(may_be_whole_meta_line(p) or may_be_whole_byline(p) or may_be_outlet_line(p) for p in paragraphs)
    assert kept < 0.25 * len(paragraphs)


class _EveryLineLooked(bp._Lines):
    """Every line an object from the start: the plain path of each step, no shortcut
    for a line no step has touched (hits that reach no edge, the tail's untouched lines)."""

    def __init__(self, text: str):
        super().__init__(text)
        for index in range(len(self.pieces)):
            self[index]


def test_untouched_line_shortcuts_find_what_the_plain_path_finds(pass_inputs, monkeypatch):
    ruleset = ruleset_for(())
    fast = [bp.find_boilerplate(text, ruleset) for text in pass_inputs]
    monkeypatch.setattr(bp, "_Lines", _EveryLineLooked)
    plain = [bp.find_boilerplate(text, ruleset) for text in pass_inputs]
    assert sum(len(found.changes) for found in fast) > 200
    for one, other in zip(fast, plain, strict=True):
        assert (one.text, one.changes, one.meta, one.title, one.removed) == \
            (other.text, other.changes, other.meta, other.title, other.removed)


def _drop_batch_repeats_plain(lines, stats, options):
    # The plain computation: every line hashed, then the same choice.
    contents = lines.contents
    hot = {i for i, content in enumerate(contents) if len(key := line_key(content)) >= options.batch_min_chars
           and key in stats}
    made = lines.made
    live = [i for i, content in enumerate(contents) if content and (i not in made or made[i].mark is None)]
    frequent = [i for i in live if i in hot]
    edge: set[int] = set()
    for sequence in (live, live[::-1]):
        for i in sequence:
            if i not in hot:
                break
            edge.add(i)
    drop = [i for i in frequent if i in edge or not is_body(contents[i])]
    dropped = set(drop)
    if not any(is_body(contents[i]) for i in live if i not in dropped) and any(is_body(contents[i]) for i in drop):
        return
    for i in drop:
        lines[i].mark = ("B402", "repeat.batch")


def test_lines_frequent_in_a_run_are_hashed_only_where_it_matters(pass_inputs, monkeypatch):
    # Lines recurring in two documents count, so that many lines of these texts are frequent.
    counter = LineCounter(min_docs=2)
    for text in pass_inputs:
        counter.add(document_line_hashes(text, 4))
    stats = counter.frequent()
    assert len(stats.frequent) > 50
    ruleset = ruleset_for(())
    lazy = [bp.find_boilerplate(text, ruleset, stats=stats) for text in pass_inputs]
    monkeypatch.setattr(bp, "_drop_batch_repeats", _drop_batch_repeats_plain)
    plain = [bp.find_boilerplate(text, ruleset, stats=stats) for text in pass_inputs]
    assert sum(change.code == "B402" for found in lazy for change in found.changes) > 20
    for one, other in zip(lazy, plain, strict=True):
        assert (one.text, one.changes) == (other.text, other.changes)


def test_a_keyword_of_white_space_finds_what_the_plain_path_finds(tmp_path, monkeypatch):
    # A user's keyword may be white space (an ideographic space before a credit):
    # its hits fall on blank lines too, which have no content to measure from.
    rule_file = tmp_path / "space.toml"
    rule_file.write_text(
        'concern = "credit"\n[[rule]]\nid = "space.editor"\ncomment = "editor after a wide space"\n'
        'example = "\u3000编辑 张三"\nscope = "suffix"\npattern = \'\\s?编辑\\s\\p{Han}{2,3}\'\nkeywords = ["\u3000"]\n',
        encoding="utf-8")
    ruleset = ruleset_for((str(rule_file),))
    texts = ["标题\n\u3000\u3000\n正文第一段很长很长，很长很长很长，很长。\u3000编辑 张三\n\u3000\n",
             *(path.read_text("utf-8") for path in SEED_FILES)]
    fast = [bp.find_boilerplate(text, ruleset) for text in texts]
    monkeypatch.setattr(bp, "_Lines", _EveryLineLooked)
    plain = [bp.find_boilerplate(text, ruleset) for text in texts]
    assert fast[0].meta.get("editor") == "张三"
    for one, other in zip(fast, plain, strict=True):
        assert (one.text, one.changes, one.meta) == (other.text, other.changes, other.meta)


def _long_paragraph_texts() -> list[str]:
    # Keywords at the edge of a long paragraph's start window, of its end, in its middle.
    body = "全县企业今天全部复工，工人们陆续返回岗位。" * 4
    texts = []
    for lead in ("", "\u3000\u3000", "  "):
        for shift in range(EDGE_WINDOW - 12, EDGE_WINDOW + 2):
            head = body[:shift]
            texts.append(f"标题\n{lead}{head}关键词:复工复产{body}{body}\n{lead}{head}本报讯{body}{body}(责编:张三)\n")
            texts.append(f"{lead}{head}All Rights Reserved{body}{body}编辑:李四\n正文。\n")
            texts.append(f"{lead}{head}All Rights Reserved{body}{body}\n{lead}{head}中图分类号{body}{body}\n")
            texts.append(f"{lead}{head}本報訊{body}{body}\n{lead}{head}新华社北京3月1日电{body}{body}\n")
        texts.append(f"{lead}本報訊(記者 張三){body}{body}\n{lead}中新网北京3月1日电(记者 李四){body}{body}\n")
    return texts


def test_narrow_keyword_scan_finds_what_the_whole_text_scan_finds(pass_inputs):
    # The scan skips the middle of paragraphs longer than any line rule; the hits it
    # keeps are those of a scan of the whole text, and the outcome is the same.
    # A paragraph's start window is scanned only when it holds a mark of a prefix
    # rule's keyword: then its hits are those of the whole scan there.
    ruleset = ruleset_for(())
    whole = dataclasses.replace(ruleset, scan_width=0)
    assert ruleset.scan_width > EDGE_WINDOW
    names_a_prefix_rule = ruleset.prefix.by_keyword
    texts = pass_inputs + _long_paragraph_texts()
    skipped = windows = prefix_hits = 0
    for text in texts:
        lines = bp._Lines(text)
        narrow = bp._hits_by_line(text, lines, ruleset)
        plain = bp._hits_by_line(text, lines, whole)
        for index, line_hits in plain.items():
            content = lines.contents[index]
            if len(content) <= ruleset.longest or content[-1] not in bp._FINAL:
                assert narrow.get(index) == line_hits, content
            else:  # a paragraph's hits count in its start window only, those naming a prefix rule
                kept = [hit for hit in line_hits if hit[0] < EDGE_WINDOW]
                got = narrow.get(index, [])
                assert got in (kept, []), content
                named = [hit for hit in kept if hit[1] in names_a_prefix_rule]
                assert [hit for hit in got if hit[1] in names_a_prefix_rule] == named, content
                skipped += len(line_hits) - len(got)
                windows += not got
                prefix_hits += len(named)
        assert set(narrow) <= set(plain)
        fast, slow = bp.find_boilerplate(text, ruleset), bp.find_boilerplate(text, whole)
        assert (fast.text, fast.changes, fast.meta, fast.title, fast.removed) == \
            (slow.text, slow.changes, slow.meta, slow.title, slow.removed)
    assert skipped > 100  # the texts have paragraphs the scan cut short
    assert windows > 100 and prefix_hits > 20  # windows left unscanned, and datelines in the scanned ones


def test_other_posts_found_from_the_time_of_their_stamps(pass_inputs, monkeypatch):
    # The stamp lines are found from their ":00" (a literal scan), not by the stamp's pattern.
    ruleset = ruleset_for(())
    post = "今天去公园散步，天气很好。\n" * 3
    blog = [f"{post}第二篇日记\n2020-03-0{day} 1{day}:0{day}\n{post}第一篇日记\n2020/3/0{day - 1}  09:3{day}:00\n{post}"
            for day in (2, 5, 9)]
    texts = pass_inputs + blog
    fast = [bp.find_boilerplate(text, ruleset) for text in texts]
    assert all(any(change.code == "B203" for change in found.changes) for found in fast[-len(blog):])
    monkeypatch.setattr(bp, "_STAMP_TIME", bp._POST_STAMP)
    plain = [bp.find_boilerplate(text, ruleset) for text in texts]
    assert sum(change.code == "B203" for found in fast for change in found.changes) > 20
    for one, other in zip(fast, plain, strict=True):
        assert (one.text, one.changes) == (other.text, other.changes)


def _line_hashes_plain(text: str, min_chars: int) -> set[int]:
    from cleaner.boilerplate.lines import strip
    from cleaner.boilerplate.repeated import line_hash

    keys = (line_key(strip(raw)) for raw in text.splitlines())
    return {line_hash(key) for key in keys if len(key) >= min_chars}


# Every kind of line break ``str.splitlines`` knows, white space that is not one
# (\x1f is white space to ``str.split`` but breaks no line), and the zero-width
# space, which ``strip`` takes off a line's edges though it is not white space.
_AWKWARD = "\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029 \t\xa0\u3000\u2002\u2003\u2009\u200b\u1680\u202f"


def test_a_documents_line_hashes_are_those_of_its_lines_one_by_one(pass_inputs):
    texts = pass_inputs + [
        "".join(f"第{i}行{a}文字{b}" for i, (a, b) in enumerate(zip(_AWKWARD, reversed(_AWKWARD)))),
        "\u3000\u3000正文\u3000\n \u200b 正文 \u200b\n\r\n正\x1f文\x1c正文\u2028\u200b\u200b",
    ]
    for text in texts:
        for min_chars in (1, 4, 10):
            assert document_line_hashes(text, min_chars) == _line_hashes_plain(text, min_chars)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(list(_AWKWARD) + list("正文ab")), max_size=40))
def test_line_hashes_agree_with_the_plain_computation_on_any_spacing(text):
    assert document_line_hashes(text, 1) == _line_hashes_plain(text, 1)
    assert document_line_hashes(text.replace("\u200b", ""), 2) == _line_hashes_plain(text.replace("\u200b", ""), 2)


def test_body_line_test_answers_as_its_plain_form(pass_inputs):
    # is_body tests lengths first and counts commas: the same answer as the regex form.
    import re

    from cleaner.boilerplate.lines import has_sentence

    lines = _lines(pass_inputs) | {"一，二，", "短，", "a,b,c", "很短。", "这是一个十个字的句子。", "，" * 60}
    bodies = 0
    for line in lines:
        plain = (has_sentence(line) and len(line) >= 10) or len(line) >= 50 or len(re.findall("[，,]", line)) >= 2
        assert is_body(line) == plain, line
        bodies += plain
    assert 100 < bodies < len(lines) - 100


class _NoLimit(dict):
    """A rule index's ``reach`` that lets every line through: the plain path tries every hit line."""

    def get(self, key, default=None):
        return 1 << 30


def _tried_everywhere(ruleset):
    line = dataclasses.replace(ruleset.line)
    line.__dict__["reach"] = _NoLimit()
    return dataclasses.replace(ruleset, line=line)


def test_lines_no_rule_can_reach_are_passed_over_as_trying_them_would(pass_inputs, monkeypatch):
    # Line rules are only tried on a line one of its keywords' rules is long enough
    # for; edge rules only on a line with one of their keywords in an edge window,
    # whether or not a line rule made it an object; the last paragraph's rules only
    # on a last paragraph that does not end a sentence. Trying every line finds the same.
    ruleset = ruleset_for(())
    texts = pass_inputs + _credit_at_the_window_edge_texts()
    fast = [bp.find_boilerplate(text, ruleset) for text in texts]
    monkeypatch.setattr(bp, "_reaches_an_edge", lambda *args: True)
    monkeypatch.setattr(bp, "_may_cut_last", lambda *args: True)
    plain = [bp.find_boilerplate(text, _tried_everywhere(ruleset)) for text in texts]
    assert sum(change.detail == "credit.signoff" for found in fast for change in found.changes) >= 3
    assert sum(len(found.changes) for found in fast) > 200
    for one, other in zip(fast, plain, strict=True):
        assert (one.text, one.changes, one.meta, one.title, one.removed) == \
            (other.text, other.changes, other.meta, other.title, other.removed)


def _hit_lines(texts, ruleset):
    for text in texts:
        lines = bp._Lines(text)
        for index, line_hits in bp._hits_by_line(text, lines, ruleset).items():
            yield lines.contents[index], line_hits


def test_a_line_is_passed_over_only_when_no_rule_of_its_keywords_fits_it(pass_inputs):
    # The plain computation: the rules the line's keywords name, kept if the line fits.
    ruleset = ruleset_for(())
    index = ruleset.line
    decided = {True: 0, False: 0}
    at_the_limit = 0
    for content, line_hits in _hit_lines(pass_inputs, ruleset):
        if not content or len(content) > ruleset.longest:
            continue
        candidates = bp._line_candidates(index, line_hits, 0, len(content))
        fitting = [rule for rule in candidates if len(content) <= rule.max_len]
        assert bp._may_fit(index.reach, line_hits, len(content)) == bool(fitting), content
        decided[bool(fitting)] += 1
        at_the_limit += any(len(content) == rule.max_len for rule in candidates)
    assert min(decided.values()) > 100, decided
    assert at_the_limit > 0  # lines exactly as long as a rule allows


def test_a_line_is_passed_over_by_edge_rules_only_when_its_windows_name_none(pass_inputs):
    # The plain computation: the rules _cut_edges would pick from the hits in its
    # first round, at the end (unless the line ends a sentence) and at the start.
    ruleset = ruleset_for(())
    suffix, prefix = ruleset.suffix, ruleset.prefix
    decided = {True: 0, False: 0}
    texts = pass_inputs + _long_paragraph_texts() + _credit_at_the_window_edge_texts()
    for content, line_hits in _hit_lines(texts, ruleset):
        if not content:
            continue
        size = len(content)
        plain = False
        if content[-1] not in bp._FINAL:
            plain = bool(bp._line_candidates(suffix, line_hits, max(size - EDGE_WINDOW, 0), size))
        plain = plain or bool(bp._line_candidates(prefix, line_hits, 0, min(EDGE_WINDOW, size)))
        assert bp._reaches_an_edge(content, line_hits, suffix, prefix) == plain, content
        decided[plain] += 1
    assert min(decided.values()) > 100, decided


def _credit_at_the_window_edge_texts() -> list[str]:
    # An editor's credit whose keyword sits just inside and just outside the end
    # window, a dateline's just inside and just outside the start window.
    body = "全县企业今天全部复工，工人们陆续返回岗位。" * 6
    texts = []
    for pad in range(EDGE_WINDOW - 12, EDGE_WINDOW + 2):
        tail = "(责编:张三" + " " * (pad - 6) + ")"
        texts.append(f"{body}{tail}\n{body[:pad]}本报讯{body}\n")
    return texts


def _lines_plain(text: str):
    # Every line with its break: where it starts and ends, its content, its lead.
    pieces = text.splitlines(keepends=True)
    out, start = [], 0
    for piece in pieces:
        content = piece.strip(bp._STRIP)
        lead = piece.index(content[0]) if content else 0
        out.append((start, start + len(piece), lead, content))
        start += len(piece)
    return out


def _lines_fast(text: str):
    lines = bp._Lines(text)
    assert lines.start(len(lines)) == len(text)
    # Every position of the text is in the line that starts last at or before it.
    starts = [lines.start(index) for index in range(len(lines))]
    assert [lines.line_at(position) for position in range(len(text))] == \
        [bisect_right(starts, position) - 1 for position in range(len(text))]
    return [(line.start, line.end, line.lead, line.content) for line in lines]


def test_lines_start_where_their_breaks_put_them(pass_inputs):
    texts = pass_inputs + [
        "标题\r\n正文。\r\n",  # two-character breaks
        "标题\n正文。",  # no final break
        "标题\r\n正文。",
        "\n\n标题\n\n",
        "".join(f"第{i}行{a}" for i, a in enumerate(_AWKWARD)),
        " \u3000正文\u3000 \u2028\u200b正文\x85\r",
    ]
    for text in texts:
        assert _lines_fast(text) == _lines_plain(text)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(list(_AWKWARD) + list("正文ab")), min_size=1, max_size=40))
def test_lines_start_where_their_breaks_put_them_for_any_breaks(text):
    assert _lines_fast(text) == _lines_plain(text)


def test_keyword_hits_in_spans_are_those_of_each_span_as_a_text_of_its_own(pass_inputs):
    # The one-character keywords are found over all the spans at once, then kept in a
    # span: the plain computation scans each span as a text of its own.
    ruleset = ruleset_for(())
    assert ruleset.single_chars
    texts = [text for text in pass_inputs if any(char in text for char in ruleset.single_chars)]
    texts.append("图为村民在田间劳作。陈曜 摄\n©人民网\n" * 3)
    assert len(texts) > 10
    kept = dropped = 0
    for text in texts:
        for size in (7, 50, 333):
            spans = [(start, min(start + size, len(text))) for start in range(0, len(text), 2 * size)]
            plain = [(start + position, spelling) for start, end in spans
                     for position, spelling in ruleset.keyword_hits(text[start:end])]
            assert ruleset.keyword_hits(text, spans) == plain
            singles = [hit for hit in plain if hit[1] in ruleset.single_chars]
            kept += len(singles)
            dropped += sum(text.count(char) for char in ruleset.single_chars) - len(singles)
    assert kept > 20 and dropped > 20  # characters inside the spans and in the gaps between them
