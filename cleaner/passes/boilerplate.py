"""Boilerplate: keep the article, lose the page furniture.

Works line by line on the text the earlier passes produced, and only ever
removes: whole furniture lines (a rule, a link list, a repeat) or a credit cut
off a paragraph's end (``。(責編:郜林筱)``). Header lines -- the title, the
date/source line, the byline -- become metadata instead of text.

- rules are data (``rules/*.toml`` plus the user's files, see
  ``cleaner.boilerplate.rules``), matched on a script-folded view of each line
  so one Simplified rule covers Traditional text;
- a paragraph with two sentences or more of running text is never removed by a
  line rule, unless it sits after the article's last body paragraph or inside a
  notice block a rule opened: a paragraph that mentions 版权 or 编辑 stays;
- a run of short link-like lines after the last body paragraph is a link list
  (related headlines, follow-us accounts), unless its lines recur like the
  cells of a table printed one cell a line;
- on a blog page, the other posts listed under the post (a title over a bare
  time stamp, newest first) go;
- a line repeated in one document goes the second time; a line found in many
  documents of a run (``batch_min_docs``) goes as boilerplate even without a
  rule, but a body paragraph in the middle of an article is kept (syndicated
  text is not furniture);
- a second run removes nothing: every step judges a line as the next run will
  see it (what the credits cut from it leave, without the lines already
  removed), repeats go before the tail is judged, and the header is the whole
  run of header lines at the top.

Cheap on clean text: one regex scan of the whole text finds every keyword of
every rule (``RuleSet.keyword_hits``); a rule is only tried on a line that
holds one of its keywords, paragraphs longer than any rule are only looked at
in their last and first characters (and only when a keyword is there), running
text a rule hits is only matched if the tail of the document reaches it (the
start window of such a paragraph is scanned only when it holds a mark of a
dateline's keyword, and a hit line is tried only by rules long enough for it
or with a keyword in its edge windows), and a line becomes an object only when
a step looks at it (repeats are found by a C-level count of all lines first;
the tail walks untouched lines as strings; a first paragraph is turned away as
a header line on its first characters).
A line is hashed for the run's frequent lines only where the answer matters.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from typing import Any

from cleaner.boilerplate.fold import fold
from cleaner.boilerplate.header import (
    fold_head,
    join_names,
    may_be_byline,
    may_be_meta_line,
    may_be_outlet_line,
    may_be_whole_byline,
    may_be_whole_meta_line,
    parse_byline,
    parse_meta_line,
    parse_outlet_line,
)
from cleaner.boilerplate.lines import is_body, is_link_like, is_token_list
from cleaner.boilerplate.options import BoilerplateOptions
from cleaner.boilerplate.repeated import LineStats, line_key
from cleaner.boilerplate.rules import (
    EDGE_WINDOW,
    LINE_BREAKS,
    LINE_EDGE,
    Rule,
    RuleIndex,
    RuleSet,
    ruleset_for,
    timeouts_so_far,
)
from cleaner.chars import HSPACE
from cleaner.passes.base import Change, Code, Pass, PassResult, apply_changes

_SENTENCE_ENDS = "。！？!?"
_STRIP = LINE_EDGE  # what a line's content is stripped of
_BREAKS = frozenset(LINE_BREAKS)




@dataclass
class Found:
    """What ``find_boilerplate`` found: the edits, and the metadata moved out of the text."""

    changes: list[Change] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    title: str | None = None
    removed: list[dict[str, str]] = field(default_factory=list)
    text: str = ""


class _Line:
    """One line of the input and what was decided about it."""

    __slots__ = ("content", "cuts", "end", "held", "lead", "left", "mark", "pending", "right", "start")

    def __init__(self, start: int, end: int, lead: int, content: str):
        self.start = start        # offset of the line in the text
        self.end = end            # offset after its terminator
        self.lead = lead          # white space before the content
        self.content = content    # the line, stripped
        self.mark: tuple[str, str] | None = None     # (code, rule id) when the whole line goes
        self.cuts: list = []      # (start, end, code, rule id) within content
        self.pending: tuple[str, str] | None = None  # a rule hit held back: the line is running text
        self.held: list | None = None  # line rules to try only if the tail reaches this running text
        self.left = 0             # content[left:right] is what cuts have left of the line
        self.right = len(content)

    @property
    def live(self) -> bool:
        return self.mark is None and bool(self.content)


class Boilerplate(Pass):
    name = "boilerplate"
    summary = "page furniture out, header lines into metadata: rules/*.toml, link lists, repeated lines"
    Options = BoilerplateOptions
    codes = (
        Code("B101", "copyright", "copyright or reprint notice", "未经授权不得转载"),
        Code("B102", "credit", "editor or reporter credit", "(責編:郜林筱、陳康清)"),
        Code("B103", "caption", "photo caption", "駐村工作隊到田間地頭宣傳疫情防控知識。陳曜 攝"),
        Code("B104", "call_to_action", "call to action", "點擊查看人民網貴州頻道新冠肺炎疫情報道"),
        Code("B105", "navigation", "navigation line", "首页 > 新闻 > 正文"),
        Code("B106", "share_follow", "share or follow line", "• 貴州頻道微信公眾號"),
        Code("B107", "keywords", "keyword or tag line", "关键词：复工复产"),
        Code("B108", "outlet_footer", "outlet-specific footer", "原标题：…"),
        Code("B199", "custom_rule", "line removed by a user rule file", ""),
        Code("B201", "link_list", "run of link-like lines after the article", "复工复产进行时⏎东三省给力复工促“六稳”"),
        Code("B202", "menu_row", "row of menu words", "日报 周报 杂志 人民网"),
        Code("B203", "other_posts", "later posts of a blog page after the first one",
             "长发剪了，感觉很轻松⏎2005-03-18 01:58:01⏎头发留的很长很长了，…"),
        # Header lines become record fields: check neither reports nor applies these.
        Code("B301", "title", "title line moved to the record's title", "銅仁江口:“紅色引擎”為復工復產注入強勁動能",
             structural=True),
        Code("B302", "header_meta", "date/source/editor line moved to metadata",
             "2020-03-07 16:21:56来源:国际在线编辑:柳洪华", structural=True),
        Code("B303", "header_outlet", "outlet line moved to metadata", "人民網-貴州頻道", structural=True),
        Code("B304", "byline", "byline moved to metadata", "□ 《民生周刊》记者 郑智维", structural=True),
        Code("B401", "repeated_line", "line repeated within the document", "a caption printed twice"),
        Code("B402", "batch_repeated_line", "line found in many documents of the run", "an outlet's footer"),
    )

    def __init__(self, options: Any = None):
        super().__init__(options)
        self.ruleset: RuleSet | None = None
        self.stats: LineStats | None = None
        self.keep_removed = False

    def configure(self, config) -> None:
        self.ruleset = ruleset_for(tuple(config.rules), self.options.builtin_rules)
        self.stats = getattr(config, "line_stats", None)
        self.keep_removed = config.keep_removed

    def apply(self, text, doc):
        if not text:
            return PassResult(text)
        if self.ruleset is None:
            self.ruleset = ruleset_for((), self.options.builtin_rules)
        timeouts = timeouts_so_far()
        found = find_boilerplate(text, self.ruleset, self.options, title=doc.title, stats=self.stats)
        if timeouts_so_far() != timeouts or (timeouts and self.ruleset.switched_off):
            # A rule gave up on a line for time, or is switched off after doing
            # so too often: this document's lines were not all tried.
            doc.flag("rule_timeout")
        if found.title is not None and doc.title is None:
            doc.title = found.title
        for key, value in found.meta.items():
            if key in ("author", "editor"):
                doc.meta[key] = join_names(doc.meta.get(key), value)
            else:
                doc.meta.setdefault(key, value)
        if doc.removed is not None:
            doc.removed.extend(found.removed)
        return PassResult(found.text, found.changes)


def find_boilerplate(text: str, ruleset: RuleSet, options: BoilerplateOptions = BoilerplateOptions(),
                     *, title: str | None = None, stats: LineStats | None = None) -> Found:
    """Pure core: the furniture of ``text``, as changes, plus the metadata it carried."""
    lines = _Lines(text)
    found = Found()
    hits = _hits_by_line(text, lines, ruleset)
    if hits or ruleset.line.always or ruleset.suffix.always or ruleset.prefix.always:
        _apply_line_rules(lines, ruleset, found, hits)
        _apply_edge_rules(lines, ruleset, found, hits)
        _retry_cut_lines(lines, ruleset, found)
    _parse_header(lines, options, found, title)
    # Repeats go before the blog posts and the tail are judged: a second run sees none.
    _drop_repeats(lines, options, found.title or title)
    _drop_other_posts(text, lines)
    last_body = _strip_tail(lines, options)
    if last_body is not None and (last_body in lines.made or _may_cut_last(lines.contents[last_body], ruleset.last)):
        _apply_last_rules(lines[last_body], ruleset, found)
    if stats is not None and stats.frequent:
        _drop_batch_repeats(lines, stats, options)
    _collect(text, lines, found)
    found.text = apply_changes(text, found.changes) if found.changes else text
    return found


class _Lines:
    """The lines of a text, each made into a ``_Line`` only when a step looks at it.

    Most lines of an article are never looked at (no keyword, not at an edge,
    not repeated): they cost a ``splitlines`` entry and a ``strip``, no object.
    The lines are split without their breaks, so that the ``strip`` of a line
    with no white space at its edges is the line itself, not a copy; where each
    starts follows from their lengths when every break is one character.
    """

    def __init__(self, text: str):
        self.pieces = pieces = text.splitlines()  # without their breaks
        self.contents = list(map(str.strip, pieces, repeat(_STRIP, len(pieces))))
        self.size = len(text)
        # The characters of the lines before each line, without their breaks: when
        # every break is one character (none is \r\n), line i starts at before[i] + i
        # (a list of those sums would cost a new int a line, as much as the split).
        before = list(accumulate(map(len, pieces), initial=0))
        if before[-1] + len(pieces) == len(text) + (text[-1:] not in _BREAKS):
            self.step = 1
        else:
            before = list(accumulate(map(len, text.splitlines(keepends=True)), initial=0))
            self.step = 0
        self.before = before
        self.made: dict[int, _Line] = {}

    def start(self, index: int) -> int:
        """Where line ``index`` starts (the length of the text for ``len(self)``)."""
        start = self.before[index] + index * self.step
        return min(start, self.size)

    def line_at(self, position: int) -> int:
        """The index of the line that holds ``position``."""
        before = self.before
        index = bisect_right(before, position) - 1
        if self.step:
            while before[index] + index > position:
                index -= 1
        return index

    def __len__(self) -> int:
        return len(self.pieces)

    def __getitem__(self, index: int) -> _Line:
        line = self.made.get(index)
        if line is None:
            if index < 0:
                return self[index + len(self.pieces)]
            content = self.contents[index]
            lead = self.pieces[index].index(content[0]) if content else 0
            line = self.made[index] = _Line(self.start(index), self.start(index + 1), lead, content)
        return line

    def __iter__(self):
        return (self[i] for i in range(len(self.pieces)))

    def looked_at(self) -> list[_Line]:
        return [self.made[i] for i in sorted(self.made)]


def _protected(content: str) -> bool:
    """Two sentences or more of running text: a line rule alone may not remove it."""
    if len(content) < 40:
        return False
    # Most paragraphs have two 。 early on: two finds stop there, where each
    # count reads the whole line.
    first = content.find("。")
    if first >= 0 and content.find("。", first + 1) >= 0:
        return True
    count = content.count  # the sum over _SENTENCE_ENDS, spelt out
    return count("。") + count("！") + count("？") + count("!") + count("?") >= 2


def _hits_by_line(text: str, lines: _Lines, ruleset: RuleSet) -> dict[int, list[tuple[int, str]]]:
    """Keyword hits of the text, grouped by line: (offset in content, spelling).

    A hit counts where a rule can be tried: anywhere on a line short enough for
    a line rule, near the edges of a longer one. So the scan skips the middle
    and end of a paragraph longer than any line rule (unless its end has no
    final punctuation: a credit may follow), and goes on at the next line,
    where it finds what a scan of the whole text finds (``RuleSet.scan_width``).
    No line becomes an object here: most hits are in running text, which no
    line rule is tried on and whose edges they do not reach.
    """
    start, pieces, contents = lines.start, lines.pieces, lines.contents
    width = ruleset.scan_width
    cut: set[int] = set()
    if width:
        longest = ruleset.longest
        spans = []
        begin = 0
        suffix_rules = bool(ruleset.suffix.rules)
        marks = ruleset.prefix_marks
        for index in [i for i, content in enumerate(contents) if len(content) > longest]:
            content = contents[index]
            if suffix_rules and content[-1] not in _FINAL:
                continue
            cut.add(index)
            # Of such a paragraph only the hits naming a prefix rule count (no line
            # rule is this long, no credit follows its last sentence): a start
            # window without a mark of one is not scanned at all.
            window = content[:width]
            for mark in marks:
                if mark in window:
                    spans.append((begin, start(index) + pieces[index].index(content[0]) + width))
                    break
            else:
                if begin < start(index):
                    spans.append((begin, start(index)))
            begin = start(index + 1)
        spans.append((begin, len(text)))
        found = ruleset.keyword_hits(text, spans)
    else:
        found = ruleset.keyword_hits(text)
    hits: dict[int, list[tuple[int, str]]] = {}
    index = -1
    end = base = 0
    window = len(text)
    for position, spelling in found:
        if position >= end:  # hits come in order: most share the line of the one before
            index = lines.line_at(position)
            end = start(index + 1)
            content = contents[index]
            base = start(index) + (pieces[index].index(content[0]) if content else 0)
            # Past its start window a cut line's hits may be a word the cut shortened.
            window = EDGE_WINDOW if index in cut else len(text)
            line_hits = None
        if position - base < window:
            if line_hits is None:
                line_hits = hits[index] = []
            line_hits.append((position - base, spelling))
    return hits


def _line_candidates(index: RuleIndex, line_hits: list[tuple[int, str]] | None, lo: int, hi: int) -> list[Rule]:
    """Rules of ``index`` with a keyword inside content[lo:hi] (plus those without keywords)."""
    chosen: set[int] = set(index.always)
    for offset, spelling in line_hits or ():
        if lo <= offset < hi:
            chosen.update(index.by_keyword.get(spelling, ()))
    return [index.rules[i] for i in sorted(chosen)]


def _apply_line_rules(lines: _Lines, ruleset: RuleSet, found: Found, hits: dict) -> None:
    longest = ruleset.longest
    index = ruleset.line
    if index.always:
        todo = range(len(lines))
        reach = None
    else:
        todo = sorted(hits)
        reach = index.reach
    contents = lines.contents
    resume = 0
    for i in todo:
        if i < resume:
            continue
        size = len(contents[i])
        if not size or size > longest:
            continue
        if reach is not None and not _may_fit(reach, hits[i], size):
            continue
        line = lines[i]
        if line.mark:
            continue
        candidates = _line_candidates(index, hits.get(i), 0, size)
        if candidates:
            resume = _try_line_rules(lines, i, line.content, candidates, found)


def _may_fit(reach: dict[str, int], line_hits: list[tuple[int, str]], size: int) -> bool:
    """Whether a rule named by the line's keywords may be tried on a line this long.

    When none may, ``_try_line_rules`` would try none (a running-text line would
    only hold rules that cannot fit it): the line need not become an object.
    """
    for _, spelling in line_hits:
        if reach.get(spelling, 0) >= size:
            return True
    return False


def _try_line_rules(lines: _Lines, i: int, content: str, candidates: list[Rule], found: Found) -> int:
    """Try line and block rules on ``content`` (line ``i``, or what cuts left of it); return the next index."""
    line = lines[i]
    protected = _protected(content)
    if protected and not any(r.scope == "block" and len(content) <= r.max_len for r in candidates):
        # Running text: a rule hit would only be held back until the tail is
        # stripped, and most such lines are never reached from the tail.
        line.held = candidates
        return i + 1
    fitting = [rule for rule in candidates if len(content) <= rule.max_len]
    if not fitting:
        return i + 1
    folded = fold(content)
    for rule in fitting:
        m = rule.match(folded)
        if m is None:
            continue
        if rule.scope == "block":
            line.mark = (rule.code, rule.id)
            return _extend_block(lines, i + 1, rule)
        if protected:
            line.pending = (rule.code, rule.id)
        else:
            line.mark = (rule.code, rule.id)
            _take_meta(m, content, 0, found)
        break
    return i + 1


def _as_seen_next(lines: _Lines) -> list[str]:
    """The line contents as a second run would see them: removed lines blank, cut lines what is left."""
    changed = [(i, line) for i, line in lines.made.items() if line.mark is not None or line.cuts]
    if not changed:
        return lines.contents
    contents = lines.contents[:]
    for i, line in changed:
        contents[i] = "" if line.mark is not None else _rest(line)
    return contents


def _rest(line: _Line) -> str:
    """What a line will be on a second run: its content without the cuts made in it."""
    return line.content[line.left:line.right].strip(_STRIP) if line.cuts else line.content


def _retry_cut_lines(lines: _Lines, ruleset: RuleSet, found: Found) -> None:
    """Judge a line that lost a credit again by line rules, on what is left of it.

    A second run sees only the rest (``版权所有 人民网(责编:张三)`` becomes
    ``版权所有 人民网``), so the first run must remove what the second would.
    """
    for i, line in sorted(lines.made.items()):
        if not line.cuts or line.mark is not None:
            continue
        line.pending = line.held = None  # judged on the whole line; the rest is judged below
        rest = _rest(line)
        if rest and len(rest) <= ruleset.longest:
            candidates = ruleset.line.candidates(rest)
            if candidates:
                _try_line_rules(lines, i, rest, candidates, found)


def _held_hit(line: _Line) -> tuple[str, str] | None:
    """The first of a running-text line's held rules that matches it (as ``_apply_line_rules`` would)."""
    content = _rest(line)
    folded = fold(content)
    for rule in line.held:
        if len(content) <= rule.max_len and rule.match(folded) is not None:
            return (rule.code, rule.id)
    return None


def _extend_block(lines: _Lines, i: int, rule: Rule) -> int:
    """Mark the lines after a block heading that continue it; return the next index."""
    j = i
    while j < len(lines):
        line = lines[j]
        if not line.content:
            if rule.stop_at_blank:
                break
            j += 1
            continue
        if not rule.continues(fold(line.content)):
            break
        line.mark = (rule.code, rule.id)
        j += 1
        i = j
    return i


# A paragraph ending like this has no credit after its last sentence to cut.
_FINAL = frozenset("。！？!?…”’\"」』.")


def _apply_edge_rules(lines: _Lines, ruleset: RuleSet, found: Found, hits: dict) -> None:
    # Datelines (本报讯(记者 …)) open an article, but prefix rules are tried on
    # every line: limited to the first lines, they would find on a second run
    # the dateline that the lines this run removes had pushed out of reach.
    suffix, prefix = ruleset.suffix, ruleset.prefix
    if suffix.always or prefix.always:
        for i in range(len(lines)):
            line = lines[i]
            if line.live:
                _cut_edges(line, suffix, prefix, found, hits.get(i, []))
        return
    contents, made = lines.contents, lines.made
    for i in sorted(hits):
        line_hits = hits[i]
        # No line has cuts yet: what _cut_edges would find first is decided by
        # the hits in its edge windows, made into an object by a line rule or not.
        if not contents[i] or not _reaches_an_edge(contents[i], line_hits, suffix, prefix):
            continue
        line = made.get(i) or lines[i]
        if line.live:
            _cut_edges(line, suffix, prefix, found, line_hits)


def _reaches_an_edge(content: str, line_hits: list[tuple[int, str]], suffix: RuleIndex, prefix: RuleIndex) -> bool:
    """Whether a hit of a suffix rule's keyword is in the end window of an untouched line
    (that may have a credit after its last sentence), or one of a prefix rule's in its start window."""
    tail = len(content) - EDGE_WINDOW
    if suffix.rules and content[-1] not in _FINAL:
        by_keyword = suffix.by_keyword
        for offset, spelling in line_hits:
            if offset >= tail and spelling in by_keyword:
                return True
    if prefix.rules:
        by_keyword = prefix.by_keyword
        for offset, spelling in line_hits:
            if offset < EDGE_WINDOW and spelling in by_keyword:
                return True
    return False


def _cut_edges(line: _Line, suffix: RuleIndex, prefix: RuleIndex | None, found: Found,
               line_hits: list | None = None) -> None:
    """Cut credits off the end (and datelines off the start) of one line, repeatedly.

    The first round picks rules from the whole-text keyword scan (``line_hits``);
    after a cut the shorter line is scanned again.
    """
    left, right = line.left, line.right
    for round_ in range(4):
        content = line.content[left:right]
        if not content:
            break
        cut = None
        if suffix.rules and content[-1] not in _FINAL:
            window = content[-EDGE_WINDOW:]
            if round_ == 0 and line_hits is not None:
                candidates = _line_candidates(suffix, line_hits, right - len(window), right)
            else:
                candidates = suffix.candidates(window)
            folded = fold(window) if candidates else ""
            for rule in candidates:
                m = rule.match(folded)
                if m is not None and m.end() > m.start():
                    cut = (rule, m, right - len(window))
                    break
        if cut is None and prefix is not None and prefix.rules:
            window = content[:EDGE_WINDOW]
            if round_ == 0 and line_hits is not None:
                candidates = _line_candidates(prefix, line_hits, left, left + len(window))
            else:
                candidates = prefix.candidates(window)
            folded = fold(window) if candidates else ""
            for rule in candidates:
                m = rule.match(folded)
                if m is not None and m.end() > m.start():
                    cut = (rule, m, left)
                    break
        if cut is None:
            break
        rule, m, base = cut
        start, end = base + m.start(), base + m.end()
        _take_meta(m, line.content, base, found)
        line.cuts.append((start, end, rule.code, rule.id))
        if rule.scope == "prefix":
            left = end
        else:
            right = start
    line.left, line.right = left, right
    if line.cuts and not line.content[left:right].strip(HSPACE):
        line.mark = (line.cuts[0][2], line.cuts[0][3])
        line.cuts = []


def _take_meta(m, original: str, base: int, found: Found) -> None:
    for name, value in m.groupdict().items():
        if value is None:
            continue
        start, end = m.span(name)
        raw = original[base + start:base + end].strip(HSPACE)
        if not raw:
            continue
        if name == "outlet":
            found.meta.setdefault("outlet", raw)
        else:
            found.meta[name] = join_names(found.meta.get(name), raw)


def _may_take(code: str, content: str, head: list[str]) -> bool:
    """False only when the header parser of ``code`` cannot take the whole line (cheap: no fold of it).

    ``head`` keeps the folded start of the line the checks share (folding costs
    more than either check): empty until one needs it.
    """
    checks = _HEADER_CHECKS.get(code)
    if checks is None:
        return may_be_outlet_line(content)
    may_be, may_be_whole = checks
    if not may_be(content):
        return False
    if not head:
        head.append(fold_head(content))
    return may_be_whole(content, head[0])


# Header line code -> (a cheap look at its first characters, the check on its folded head).
_HEADER_CHECKS = {
    "B302": (may_be_meta_line, may_be_whole_meta_line),
    "B304": (may_be_byline, may_be_whole_byline),
}


def _title_like(content: str) -> bool:
    return 4 <= len(content) <= 80 and not content.endswith(("。", "，", ",", "；", ";", "：")) \
        and content.count("。") == 0


def _parse_header(lines: _Lines, options: BoilerplateOptions, found: Found, known_title: str | None) -> None:
    # The header is the run of header lines at the top, however long: a bound on
    # it would leave lines that a second run, starting after them, takes. Each
    # line is judged on what is left of it after its cuts: a second run sees only that.
    known_key = fold(line_key(known_title)) if known_title else None
    title_done = known_title is not None or not options.title
    for index, content in enumerate(lines.contents):
        if not content:
            continue
        line = lines[index]
        if line.mark:
            continue
        content = _rest(line)
        folded = None
        if is_token_list(content):
            line.mark = ("B202", "links.menu-row")
            continue
        if known_key is not None and len(key := line_key(content)) == len(known_key) and fold(key) == known_key:
            # Every copy in the header: a second run would take the next one.
            line.mark = ("B301", "header.title")
            continue
        parsed = False
        head: list[str] = []
        for code, rule_id, parse in (("B302", "header.meta-line", parse_meta_line),
                                      ("B304", "header.byline", parse_byline),
                                      ("B303", "header.outlet-line", parse_outlet_line)):
            if code == "B303" and not title_done:
                continue  # an outlet-looking first line is more likely the title
            if not _may_take(code, content, head):
                continue  # the line cannot go to metadata this way
            if folded is None:
                folded = fold(content)
            info = parse(content, folded)
            if info.meta and info.consumed:
                line.mark = (code, rule_id)
                for key, value in info.meta.items():
                    if key in ("author", "editor"):
                        found.meta[key] = join_names(found.meta.get(key), value)
                    else:
                        found.meta.setdefault(key, value)
                parsed = True
                break
        if parsed:
            continue
        if not title_done and _title_like(content):
            line.mark = ("B301", "header.title")
            found.title = content
            title_done = True
            # A title printed twice (the page's <title> and its heading): a second
            # run, knowing the title, would take the copy; this one does too.
            known_key = fold(line_key(content))
            continue
        break


# A blog page shows its post, then the blog's other posts, newest first, each a
# title line over a line holding nothing but its time stamp (cwced 8f1cdd94,
# 59562291: the gold keeps the first post only). Such stamps, twice or more after
# running text and going back in time, start the other posts; the same article
# pasted twice (equal stamps) or a live report (times going forward) stays.
_POST_STAMP = re.compile(r"((?:19|20)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})[ \t\u3000]+(\d{1,2}):(\d\d)(?::(\d\d))?")
_STAMP_TIME = re.compile(r":\d\d")
_OTHER_POSTS_MIN = 2
_POST_TITLE_MAX = 40


def _drop_other_posts(text: str, lines: _Lines) -> None:
    colon = text.find(":")
    if colon < 0 or text.find(":", colon + 1) < 0:
        return  # each of two stamps has its time's colon: most pages have fewer, and find is cheap
    # A stamp line holds a time's ":" and two digits: that literal is found at
    # the speed of str.find, where the stamp's pattern would be tried at every digit 1 and 2.
    candidates: list[int] = []
    for m in _STAMP_TIME.finditer(text):
        index = lines.line_at(m.start())
        if not candidates or candidates[-1] != index:
            candidates.append(index)
    if len(candidates) < _OTHER_POSTS_MIN:
        return
    contents = _as_seen_next(lines)
    titles = []
    times = []
    for index in candidates:
        stamp = _POST_STAMP.fullmatch(contents[index])
        if stamp is None:
            continue
        above = index - 1
        while above >= 0 and not contents[above]:
            above -= 1
        if above >= 0 and len(contents[above]) <= _POST_TITLE_MAX and not contents[above].endswith("。"):
            titles.append(above)
            times.append(tuple(int(part or 0) for part in stamp.groups()))
    if len(titles) < _OTHER_POSTS_MIN or any(later >= earlier for earlier, later in zip(times, times[1:])):
        return
    first = titles[0]
    if not any(is_body(content) for content in contents[:first]):
        return  # the page opens with these posts: a blog's list, not a post with others under it
    for index in range(first, len(contents)):
        line = lines[index]
        if line.content and line.mark is None:
            line.mark = ("B203", "links.other-posts")


_REPEAT = ("B401", "repeat.in-document")


def _strip_tail(lines: _Lines, options: BoilerplateOptions) -> int | None:
    """Remove the link list after the last body paragraph; return that paragraph's index.

    Runs after ``_drop_repeats``, so that the tail is the one a second run sees:
    a repeat going from the end does not count as the last paragraph. A repeated
    cell of a table stays, as the table does (its recurring cells are what tell
    it from a link list, on this run and the next).
    """
    run: list[int] = []
    last_body = None
    contents, made = lines.contents, lines.made
    link_max = options.link_max
    for index in range(len(lines) - 1, -1, -1):
        content = contents[index]
        if not content:
            continue
        line = made.get(index)
        if line is None:  # untouched so far: no mark, nothing held, no cuts
            if is_link_like(content, link_max) or is_token_list(content):
                run.append(index)
                continue
            last_body = index
            break
        if line.mark and line.mark != _REPEAT:
            continue
        if line.held is not None:
            line.pending, line.held = _held_hit(line), None
        if line.pending and line.mark is None:
            line.mark = line.pending
            continue
        content = _rest(line)
        if is_link_like(content, link_max) or is_token_list(content):
            run.append(index)
            continue
        if line.mark:
            continue  # a repeated paragraph: it goes, the tail goes on above it
        last_body = index
        break
    if len(run) >= _TABLE_MIN_LINES and _is_table([contents[index] for index in run]):
        for index in run:
            line = made.get(index)
            if line is not None and line.mark == _REPEAT:
                line.mark = None
    elif sum(index not in made or made[index].mark is None for index in run) >= options.link_list_min:
        for index in run:
            lines[index].mark = ("B201", "links.link-list")
    return last_body


# A table printed one cell a line (an exam syllabus, a discography) is short
# lines too, but its cells recur (同上, 1、英语或俄语或日语, 语言：韩语) where the
# headlines of a link list do not: such a run is content (cwced 0df12126, d5bced5e).
_TABLE_MIN_LINES = 8
_TABLE_REPEATED_SHARE = 0.25
_TABLE_CELL_RECURS = 3


def _is_table(run: list[str]) -> bool:
    if len(run) < _TABLE_MIN_LINES:
        return False
    counts = Counter(run)
    repeated = sum(n for n in counts.values() if n > 1)
    # A menu printed twice repeats every line once; table cells recur more often.
    return repeated >= _TABLE_REPEATED_SHARE * len(run) and max(counts.values()) >= _TABLE_CELL_RECURS


def _may_cut_last(content: str, last: RuleIndex) -> bool:
    """Whether ``_cut_edges`` with the last paragraph's rules (suffix rules) may cut an untouched line:
    a line that ends a sentence has no credit after it to cut."""
    return bool(content) and bool(last.rules) and content[-1] not in _FINAL


def _apply_last_rules(line: _Line, ruleset: RuleSet, found: Found) -> None:
    if line.live:
        _cut_edges(line, ruleset.last, None, found)  # few rules: scanned on the line itself


def _drop_repeats(lines: _Lines, options: BoilerplateOptions, title: str | None) -> None:
    seen = {title.strip(HSPACE)} if title else set()
    minimum = options.repeated_min_chars
    contents = _as_seen_next(lines)
    # Only a line whose text occurs twice (or is the title) can go: find those in C first.
    distinct = set(contents)  # cheaper than counting, and most texts repeat only blank lines
    if len(contents) - len(distinct) == max(contents.count("") - 1, 0) and not (seen & distinct):
        return  # no text line occurs twice
    counts = Counter(contents)
    twice = {key for key, n in counts.items() if n > 1 and len(key) >= minimum} | (seen & counts.keys())
    if not twice:
        return
    for index, key in enumerate(contents):
        if key not in twice or len(key) < minimum:
            continue
        line = lines[index]
        if line.mark is not None:
            continue
        if key in seen:
            line.mark = _REPEAT
        else:
            seen.add(key)


def _drop_batch_repeats(lines: _Lines, stats: LineStats, options: BoilerplateOptions) -> None:
    minimum = options.batch_min_chars
    contents = lines.contents
    made = lines.made
    live = [i for i, content in enumerate(contents) if content and (i not in made or made[i].mark is None)]
    # A line is hashed only where its answer matters (hashing is most of this
    # step): lines that are not running text, and the edges walked in to the
    # first line that is not frequent.
    known: dict[int, bool] = {}

    def frequent(i: int) -> bool:
        answer = known.get(i)
        if answer is None:
            key = line_key(contents[i])
            answer = known[i] = len(key) >= minimum and key in stats
        return answer

    # Frequent running text goes only from the edges of the document (a footer, a
    # standing intro); in the middle of the article it is syndicated text and stays.
    edge: set[int] = set()
    for sequence in (live, live[::-1]):
        for i in sequence:
            if not frequent(i):
                break
            edge.add(i)
    drop = [i for i in live if i in edge or (not is_body(contents[i]) and frequent(i))]
    if not drop:
        return
    dropped = set(drop)
    if not any(is_body(contents[i]) for i in live if i not in dropped) and \
            any(is_body(contents[i]) for i in drop):
        return  # the whole article recurs: a duplicate document, not boilerplate
    for i in drop:
        lines[i].mark = ("B402", "repeat.batch")


def _collect(text: str, lines: _Lines, found: Found) -> None:
    made = lines.made
    for index in sorted(made):
        line = made[index]
        if line.mark is None and not line.cuts:
            continue
        if line.mark is not None:
            code, rule_id = line.mark
            found.changes.append(Change(code, line.start, line.end, text[line.start:line.end], "", rule_id))
            found.removed.append({"line": line.content, "rule": rule_id})
            continue
        base = line.start + line.lead
        for start, end, code, rule_id in sorted(line.cuts):
            # Take the white space before a cut credit with it.
            while start > 0 and line.content[start - 1] in HSPACE:
                start -= 1
            before = text[base + start:base + end]
            found.changes.append(Change(code, base + start, base + end, before, "", rule_id))
            found.removed.append({"line": before.strip(HSPACE), "rule": rule_id})
    found.changes.sort(key=lambda c: c.start)
