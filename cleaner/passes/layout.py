"""Layout: white space and line structure.

- line ends normalised to ``\\n``; indentation and trailing space dropped;
- spaces that copying inserted between Chinese characters removed
  (seed 003: ``领导小 组``, ``频次 。``), except in short heading-like lines,
  where a space separates two phrases on purpose (``抓难点堵点 做复工复产``);
- hard-wrapped lines re-joined (seed 004: ``不\\n僅織密``);
- runs of blank lines collapsed to one paragraph break.

All edits are computed against the input (``_newline_edits``, the exact
path), so every change has its exact position for ``check`` and ``explain``;
every edit deletes, so it is kept as ``(start, end, code)``. Whole-text
regexes find the few places that need a look, so a clean line costs no Python
at all. Other line breaks (``\r\n``, U+2028, ...; rare) are read as ``\n``:
the changes of that text are placed back on the input, plus one W106 for each
break that stays.

The pipeline reads only the number of changes by code unless something asks
for the changes, so the pass itself (``Layout.apply``) makes no edits: its
default path (``_fast_layout``) builds the output and those numbers with
splits and rewrites in C, stage after stage, and the exact path runs only
when the changes are read. tests/test_layout_fast.py pins the two together.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache, partial
from itertools import compress, count, repeat
from operator import attrgetter, is_, itemgetter, le, methodcaller, sub

from cleaner.chars import CJK, CLOSERS, HAN, HSPACE, SENTENCE_END
from cleaner.passes.base import Change, Code, Pass, PassResult, apply_changes


# The white space rule (``cleaner.chars.takes_no_space``): a space between two
# Chinese characters or marks; and a space between a Chinese character and an
# ASCII mark the punctuation pass will widen, or after such a mark before a
# Chinese character (once widened it is the first case).
# (Written to start with the space, the lookbehind after it, so the regex engine
# scans for spaces in C instead of trying a lookbehind at every character; the
# text is scanned for each kind of space on its own, a literal being several
# times faster to scan for than a class.)
def _cjk_space(lead: str) -> re.Pattern:
    return re.compile(
        # (One look at the character before first: most spaces sit between
        # Latin words or digits and fail it, not trying the three branches.
        # Past it, a character that is no ASCII mark is a CJK one: a small
        # class to test and to compile.)
        f"{lead}(?<=[{CJK},;:!?].)(?:(?<![,;:!?].)[{HSPACE}]*(?=[{CJK}])"
        f"|(?<=[{HAN}][{HSPACE}])[{HSPACE}]*(?=[,.;:!?](?:[^0-9A-Za-z]|$))"
        f"|(?<=[{HAN}][,;:!?][{HSPACE}])[{HSPACE}]*(?=[{HAN}]))"
    )


_CJK_SPACE = _cjk_space(f"[{HSPACE}]")


_CJK_SPACE_AT = {space: _cjk_space(re.escape(space)) for space in HSPACE}

# What makes a line a sentence rather than a heading. A ``.`` counts where the
# punctuation pass may make it ``。`` (after a Chinese character or a closing
# mark, before a space, a closing mark or the end) and ``...`` as the ``……``
# it may become: the answer must be the same before and after that pass, or a
# second run strips the spaces of a line the first took for a heading.
# (Each branch starts with a character of one class, so the engine scans for
# that class in C rather than trying the branches at every character.)
_SENTENCE_PUNCT = re.compile(
    f"[{re.escape(SENTENCE_END)}，,、：:]"
    f"|\\.(?:\\.\\.|(?<=[{HAN}{CLOSERS}\"']\\.)(?=[{HSPACE}{CLOSERS}\"']|$))"
)
_SENTENCE_END = re.compile(f"[{re.escape(SENTENCE_END)}]")
# Straight quotes count as openers: the punctuation pass makes each an opening
# or a closing quote, which can only close what the line opened, never open
# more, so a line not wrapped before that pass is not wrapped after it.
_OPENERS = "“‘「『（(《〈【\"'"
_OPENER = re.compile(f"[{re.escape(_OPENERS)}]")
# A space next to an ASCII mark may go with the mark when the punctuation pass
# makes it Chinese: it does not tell a caption or credit from a clause.
# (Those it widens: ``-`` only as ``--``.)
_WIDENED_MARKS = frozenset(",.;:!?()\"'")
_HSPACE_SET = frozenset(HSPACE)
_HSPACE_NL = HSPACE + "\n"

# The whole-text scans below start with a literal (the fastest scan the regex
# engine has), so clean text is skipped in C instead of trying the whole
# pattern at every position. (``_NONBLANK`` stops at the first paragraph.)
_OTHER_BREAK = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_NONBLANK = re.compile(f"[^{HSPACE}\n]")
_INDENT = re.compile(f"\n([{HSPACE}]+)(?=[^{HSPACE}\n])")
_FIRST_INDENT = re.compile(f"[{HSPACE}]+")
# A line break after white space. Blank lines (the blank-run scan's) are
# left out in C where their white space is short, as it nearly always is
# (most hold one or two spaces); the caller skips any longer one.
_SPACE_BEFORE_BREAK = re.compile(
    f"\n(?<=[{HSPACE}]\n)" + "".join(f"(?<!\n[{HSPACE}]{{{k}}}\n)" for k in (1, 2, 3))
)
# A line break followed by blank lines that need an edit: more than one, or
# a first one holding white space. (The look at the next character first
# turns away, at one test, the line breaks followed by text, about half.)
_BLANK_RUN = re.compile(f"\n(?=[{HSPACE}\n])(?:[{HSPACE}]+\n|[{HSPACE}]*\n[{HSPACE}]*\n)(?:[{HSPACE}]*\n)*")
_HAN_AHEAD = re.compile(f"[{HSPACE}]*[{HAN}]")

# The default path's patterns (see ``_fast_layout``): each splits or rewrites
# the text in C, counting its edits by the pieces it leaves.
# A line break with white space to go around it, the white space after it
# (blank lines and the next line's indentation) as group 1; white space
# before it goes with the text before the match, stripped at its end. (The
# white space after is tried first, by characters taken, not by looks ahead:
# most line breaks have none, and a look costs more than a character.)
_BREAK_EDITS = re.compile(f"\n([{HSPACE}][{HSPACE}\n]*|\n[{HSPACE}\n]+|(?<=[{HSPACE}]\n))")
# What stays of a line break and the white space after it, by the number of
# blank lines in that (``"\n\n"`` for any other number).
_BREAK_AFTER = {0: "\n"}


@dataclass(frozen=True)
class LayoutOptions:
    strip_cjk_spaces: bool = True
    join_wrapped: bool = True
    # Off: blank lines between paragraphs stay (emptied of white space); those
    # before the first paragraph and after the last go either way.
    collapse_blank_lines: bool = True
    # A line this short without sentence punctuation is a heading: its spaces
    # are kept and it is never joined to the next line.
    heading_max: int = 25
    # Shortest line that may be the first half of a hard wrap.
    wrap_min: int = 12
    # After a full stop, at most this many characters are a caption or credit
    # tail (``。曾竟攝``) and never the first half of a wrap.
    tail_min: int = 8


class Layout(Pass):
    name = "layout"
    summary = "white space and line structure: CJK spaces, hard wraps, blank-line runs"
    Options = LayoutOptions
    codes = (
        Code("W101", "trailing_space", "white space at the end of a line", "正文。   ⏎"),
        Code("W102", "indent", "indentation (spaces, ideographic spaces) at the start of a line",
             "\u3000\u3000正文"),
        Code("W103", "cjk_space", "space inserted between Chinese characters", "领导小 组 -> 领导小组"),
        Code("W104", "line_join", "hard-wrapped line re-joined", "不⏎僅織密 -> 不僅織密"),
        Code("W105", "blank_lines", "run of blank lines collapsed to one paragraph break", "⏎⏎⏎⏎"),
        Code("W106", "line_ending", "line ending normalised to \\n", "\\r\\n"),
    )

    def apply(self, text, doc):
        if _has_other_breaks(text):  # rare
            return PassResult(*fix_layout(text, self.options))
        fast = _fast_layout(text, self.options)
        if fast is not None:
            out, codes = fast
            if not codes:
                return PassResult(text)
            # The changes only when read (explain, check), from the exact
            # edits: the pipeline counts codes.
            return PassResult(out, partial(_exact_changes, text, self.options), codes=codes)
        edits = _newline_edits(text, self.options)
        if not edits:
            return PassResult(text)
        return PassResult.deferred(_deleted(text, edits), edits, _THIRD, partial(_changes_of, text))


def fix_layout(text: str, options: LayoutOptions = LayoutOptions()) -> tuple[str, list[Change]]:
    """Pure core: return the re-laid-out text and the changes made."""
    if _has_other_breaks(text):
        changes = _other_breaks_changes(text, options)
        return apply_changes(text, changes), changes
    edits = _newline_edits(text, options)
    if not edits:
        return text, []
    return _deleted(text, edits), _changes_of(text, edits)


def _exact_changes(text: str, options: LayoutOptions) -> list[Change]:
    return _changes_of(text, _newline_edits(text, options))


def _fast_layout(text: str, options: LayoutOptions) -> tuple[str, dict[str, int]] | None:
    """What ``_newline_edits`` makes of ``text`` (only ``\n`` line breaks):
    the output and the number of edits by code, built by splitting and
    rewriting the text in C rather than by an edit at a time; None where the
    exact path must run (no paragraph, blank lines kept, ``wrap_min`` longer
    than the tail a wrap carries).

    It works in stages, each on the output of the one before: the edges of
    the text go; indentation, blank-line runs and trailing white space go
    (each line now as ``_newline_edits`` judges it: stripped); hard wraps are
    joined; inserted CJK spaces go. A later stage sees the same lines, and the
    same characters around each place it looks at, as the exact path does on
    the input (see the comments at each stage), so it finds the same edits.
    """
    if not options.collapse_blank_lines or options.wrap_min > _keep(options):
        return None
    found = _NONBLANK.search(text)
    if found is None:
        return None
    w101 = w102 = w103 = w104 = w105 = 0
    # The edges, as in ``_newline_edits``: blank lines before the first
    # paragraph, the white space after the last and the blank lines after it.
    begin = text.rfind("\n", 0, found.start()) + 1
    w105 = text.count("\n", 0, begin)
    content_end = len(text.rstrip(_HSPACE_NL))
    end = text.find("\n", content_end)
    if end < 0:
        end = len(text)
    if content_end < end:
        w101 = 1
    if end < len(text):
        w105 += 1 + len(text[end + 1:].splitlines())
    body = text[begin:content_end]  # from the first paragraph to the end of the last
    first = _FIRST_INDENT.match(body)
    if first:
        body = body[first.end():]
        w102 = 1
    parts = _BREAK_EDITS.split(body)  # text, white space after a line break, text, ...
    if len(parts) > 1:
        # (Counted with as few passes over the matches as may be: white space
        # after a line break starts and ends with white space or a line break.)
        after = parts[1::2]
        blank_lines = list(map(str.count, after, repeat("\n")))
        runs = len(after) - blank_lines.count(0)
        # A run of blank lines becomes one empty line: a W101 where its first
        # line held white space, a W105 for each further line.
        w105 += sum(blank_lines) - runs
        w101 += runs - sum(map(str.startswith, after, repeat("\n")))
        w102 += len(after) - after.count("") - sum(map(str.endswith, after, repeat("\n")))
        texts = parts[::2]
        stripped = list(map(str.rstrip, texts, repeat(HSPACE)))
        w101 += len(texts) - sum(map(is_, stripped, texts))
        parts[::2] = stripped
        parts[1::2] = map(_BREAK_AFTER.get, blank_lines, repeat("\n\n"))
        body = "".join(parts)
    if options.join_wrapped:
        body, w104 = _joined_wraps(body, options)
    if options.strip_cjk_spaces:
        body, w103 = _stripped_cjk_spaces(body, options)
    codes = {"W101": w101, "W102": w102, "W103": w103, "W104": w104, "W105": w105}
    return body, {code: n for code, n in codes.items() if n}


def _joined_wraps(body: str, options: LayoutOptions) -> tuple[str, int]:
    """``body`` (stripped lines) with its hard wraps joined, and their number.

    The wrap scan on stripped lines: a candidate is a line break between two
    Chinese characters, as on the input; one the scan is sure of on the input
    is sure here, and one only ``_is_wrapped`` judged there (an indented next
    line, white space before the break) may be sure here, where the scan's
    test is one ``_is_wrapped`` would pass (see ``_wrap_candidate``). The rest
    are judged in order as ``_newline_edits`` does, carrying the joined text.
    """
    parts = _wrap_candidate(options).split(body)  # text, sure ("") or not (None), text, ...
    if len(parts) == 1:
        return body, 0
    joins = len(parts) // 2
    undecided = parts.count(None)
    if not undecided:
        return "".join(parts), joins
    at = 1
    carry, carry_len, carry_at = "", 0, -1
    keep = _keep(options)
    for _ in range(undecided):
        at = parts.index(None, at)
        before = parts[at - 1]
        line_start = before.rfind("\n") + 1
        if line_start or at == 1 or parts[at - 2]:  # the line starts after a line break that stays
            carry, carry_len = "", 0
        elif carry_at != at - 2:  # ... after a sure join (its line is long: only its tail counts)
            carry, carry_len = parts[at - 3][-keep:], keep
        line = before[line_start:]
        if not carry_len and len(line) <= options.heading_max and (
                len(line) < options.wrap_min or not _OPENER.search(line)):
            # Most lines judged here: ``_is_wrapped`` joins a line as short as
            # a heading only where it opened more than it closed.
            parts[at] = "\n"
            joins -= 1
            continue
        if options.strip_cjk_spaces and (carry_len or not _is_heading(line, options)):
            line = _CJK_SPACE.sub("", line)
        wrap_line, wrap_len = _joined(carry, carry_len, line, options)
        after = parts[at + 1]
        following_end = after.find("\n")
        following = after if following_end < 0 else after[:following_end]
        if _is_wrapped(wrap_line, following, options, wrap_len):
            parts[at] = ""
            carry, carry_len, carry_at = wrap_line, wrap_len, at
        else:
            parts[at] = "\n"
            joins -= 1
    return "".join(parts), joins


def _stripped_cjk_spaces(body: str, options: LayoutOptions) -> tuple[str, int]:
    """``body`` (stripped lines, wraps joined) without the spaces copying put
    between Chinese characters, and their number.

    A line with a join is no heading (its first line was none, or it was not
    joined, and it keeps that line's length and punctuation), as every line
    of it is stripped on the input; a line without one is judged on itself,
    as there. The rule's looks around a space stay within its line, and a
    join puts a Chinese character on each side, which no look reaches past.
    So the rule finds here what it finds on the input; the lines of its
    matches are measured in C, and only a short one is judged in Python.
    """
    spans: list[tuple[int, int]] = []
    for space in filter(body.__contains__, HSPACE):
        spans += map(_SPAN, _CJK_SPACE_AT[space].finditer(body))
    if not spans:
        return body, 0
    spans.sort()
    starts, ends = zip(*spans)
    # Where the line of each match starts (one before) and ends (-1: at the end of the text).
    line_starts = list(map(body.rfind, repeat("\n"), repeat(0), starts))
    line_ends = list(map(body.find, repeat("\n"), ends))
    short = list(compress(count(), map(le, map(sub, line_ends, line_starts), repeat(options.heading_max + 1))))
    if short:
        headings = set()
        for i in short:
            start = line_starts[i] + 1
            end = line_ends[i] if line_ends[i] >= 0 else len(body)
            if start not in headings and _is_heading(body[start:end], options):
                headings.add(start)
        if headings:
            spans = [span for span, start in zip(spans, line_starts) if start + 1 not in headings]
            if not spans:
                return body, 0
            starts, ends = zip(*spans)
    pieces = map(body.__getitem__, map(slice, (0, *ends), (*starts, len(body))))
    return "".join(pieces), len(spans)


def _deleted(text: str, edits: list[tuple[int, int, str]]) -> str:
    """``text`` without the spans of ``edits`` (sorted, not overlapping)."""
    # (A plain loop: slicing through map(text.__getitem__, map(slice, ...))
    # costs more than this in CPython 3.11.)
    out = []
    pos = 0
    for start, end, _ in edits:
        out.append(text[pos:start])
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _changes_of(text: str, edits: list[tuple[int, int, str]]) -> list[Change]:
    return [Change(code, start, end, text[start:end], "") for start, end, code in edits]


_THIRD = itemgetter(2)
_SPAN = methodcaller("span")


def _has_other_breaks(text: str) -> bool:
    # Nine substring tests cost half a scan for a class of nine characters.
    return ("\r" in text or "\u2028" in text or "\u2029" in text or "\x85" in text or "\x0b" in text
            or "\x0c" in text or "\x1c" in text or "\x1d" in text or "\x1e" in text)


def _other_breaks_changes(text: str, options: LayoutOptions) -> list[Change]:
    """The changes for text with other line breaks (``\r\n``, U+2028, ...): those
    of the text with ``\n`` for each, placed back on ``text``, and a W106 for
    each break that stays."""
    breaks = list(_OTHER_BREAK.finditer(text))
    # Where each break is in the text with \n for every break, and how many
    # characters longer the text is after it.
    at_in_norm: list[int] = []
    extra_after: list[int] = []
    extra = 0
    for m in breaks:
        at_in_norm.append(m.start() - extra)
        extra += len(m.group()) - 1
        extra_after.append(extra)

    def place(pos: int) -> int:
        i = bisect_left(at_in_norm, pos)  # breaks before ``pos``
        return pos + (extra_after[i - 1] if i else 0)

    changes = []
    for start, end, code in _newline_edits(_OTHER_BREAK.sub("\n", text), options):
        start, end = place(start), place(end)
        changes.append(Change(code, start, end, text[start:end], ""))
    kept = []
    i = 0
    for m in breaks:
        while i < len(changes) and changes[i].end <= m.start():
            i += 1
        if i == len(changes) or changes[i].start > m.start():
            kept.append(Change("W106", m.start(), m.end(), m.group(), "\n"))
    if kept:
        changes = sorted(changes + kept, key=_start)
    return changes


def _newline_edits(text: str, options: LayoutOptions) -> list[tuple[int, int, str]]:
    """The edits of text whose only line break is ``\n``, sorted: each deletes
    ``text[start:end]``, as ``(start, end, code)``."""
    found = _NONBLANK.search(text)
    if found is None:  # no paragraph: every line goes
        edits, pos = [], 0
        for piece in text.splitlines(keepends=True):
            edits.append((pos, pos + len(piece), "W105"))
            pos += len(piece)
        return edits
    edits: list[tuple[int, int, str]] = []
    # Blank lines before the first paragraph go.
    begin = text.rfind("\n", 0, found.start()) + 1
    pos = 0
    for piece in text[:begin].splitlines(keepends=True):
        edits.append((pos, pos + len(piece), "W105"))
        pos += len(piece)
    # So do the white space after the last paragraph, its line break and
    # every blank line after it.
    content_end = len(text.rstrip(_HSPACE_NL))
    end = text.find("\n", content_end)
    if end < 0:
        end = len(text)
    if content_end < end:
        edits.append((content_end, end, "W101"))
    if end < len(text):
        edits.append((end, end + 1, "W105"))
        pos = end + 1
        for piece in text[pos:].splitlines(keepends=True):
            edits.append((pos, pos + len(piece), "W105"))
            pos += len(piece)

    first = _FIRST_INDENT.match(text, begin)
    if first:
        edits.append((begin, first.end(), "W102"))
    for m in _INDENT.finditer(text, begin, end):
        edits.append((m.start(1), m.end(), "W102"))
    # Line breaks that may be hard wraps: those sure to be joined (most of
    # them), and those ``_is_wrapped`` decides.
    sure: list[int] = []
    wrap_candidates: list[int] = []
    if options.join_wrapped:
        for m in _wrap_candidate(options).finditer(text, begin, end):
            (sure if m.lastindex else wrap_candidates).append(m.start())
    for m in _SPACE_BEFORE_BREAK.finditer(text, begin, end):
        at = m.start()
        line_start = text.rfind("\n", 0, at) + 1
        body = text[line_start:at]
        kept = len(body.rstrip(HSPACE))
        if kept:  # white space on blank lines is the blank-run loop's
            edits.append((line_start + kept, at, "W101"))
            if options.join_wrapped and _is_han(body[kept - 1]) and _HAN_AHEAD.match(text, at + 1):
                wrap_candidates.append(at)
    for m in _BLANK_RUN.finditer(text, begin, end):
        # The first blank line of the run stays (a paragraph break), emptied.
        pos = m.start() + 1
        run = m.group()
        if run.count("\n") == 2:  # the common case: one blank line, holding white space
            if len(run) > 2:
                edits.append((pos, m.end() - 1, "W101"))
            continue
        for n, piece in enumerate(run[1:].splitlines(keepends=True)):
            if n == 0 or not options.collapse_blank_lines:
                if len(piece) > 1:
                    edits.append((pos, pos + len(piece) - 1, "W101"))
            else:
                edits.append((pos, pos + len(piece), "W105"))
            pos += len(piece)
    # CJK spaces and wraps are judged on the line as the output will have it:
    # a line joined to the one before is never a heading, and a wrap is judged
    # on the joined text without CJK spaces. Judging the input line instead
    # makes a second run join (or strip) what the first left alone. So the
    # wrap candidates are decided in order, carrying the joined text.
    edits.extend([(at, at + 1, "W104") for at in sure])
    continued = {at + 1 for at in sure}  # starts of lines joined to the line before
    carry, carry_len, carry_at = "", 0, -1
    keep = _keep(options)
    for at in sorted(wrap_candidates):
        line_start = text.rfind("\n", 0, at) + 1
        if carry_at != line_start - 1:
            if line_start in continued:  # a sure wrap: only its own tail matters
                carry, carry_len = text[line_start - 1 - keep:line_start - 1], keep
            else:
                carry, carry_len = "", 0
        line = text[line_start:at].strip(HSPACE)
        if options.strip_cjk_spaces and (carry_len or not _is_heading(line, options)):
            line = _CJK_SPACE.sub("", line)
        wrap_line, wrap_len = _joined(carry, carry_len, line, options)
        following_end = text.find("\n", at + 1)
        following = text[at + 1:following_end if following_end >= 0 else len(text)].strip(HSPACE)
        if _is_wrapped(wrap_line, following, options, wrap_len):
            edits.append((at, at + 1, "W104"))
            continued.add(at + 1)
            carry, carry_len, carry_at = wrap_line, wrap_len, at
    if options.strip_cjk_spaces:
        for space in HSPACE:
            if space not in text:
                continue
            pattern = _CJK_SPACE_AT[space]
            line_start, line_end, strip = -1, -1, False
            for m in pattern.finditer(text, begin, end):
                at = m.start()
                if at >= line_end:  # the next line with a space to look at
                    line_start = text.rfind("\n", 0, at) + 1
                    line_end = text.find("\n", at)
                    if line_end < 0:
                        line_end = len(text)
                    strip = line_start in continued
                    if not strip:
                        strip = not _is_heading(text[line_start:line_end].strip(HSPACE), options)
                if strip:
                    edits.append((at, m.end(), "W103"))
    edits.sort()
    return edits


_start = attrgetter("start")


def _is_heading(line: str, options: LayoutOptions) -> bool:
    return len(line) <= options.heading_max and not _SENTENCE_PUNCT.search(line)


@cache
def _wrap_candidate(options: LayoutOptions) -> re.Pattern:
    """A line break between a Chinese character and a line starting with one,
    group 1 set where ``_is_wrapped`` is sure to join.

    Left out: a line with a sentence end among its last characters (a caption
    or credit tail, never joined). Sure: the line ends after enough characters
    without a space or line break to be no heading, no caption tail and long
    enough whatever came before it, and the next line starts with a Chinese
    character. Most hard wraps are like this, found without Python; the rest
    go through ``_is_wrapped``.
    """
    width = max(options.heading_max + 1, options.wrap_min, options.tail_min + 1, 7)
    tail = options.tail_min
    ends = re.escape(SENTENCE_END)
    return re.compile(
        # (The cheap tests first, a Chinese character on each side, then the
        # looks back for a sentence end.)
        f"\n(?<=[{HAN}]\n)(?=[{HSPACE}]*[{HAN}])"
        # (The looks back below start at that same Chinese character: ``.``
        # is cheaper to test, and to compile, than the class again. The sure
        # test is a branch, not an optional group: cheaper to try.)
        + "".join(f"(?<![{ends}][^\n]{{{k}}}.\n)" for k in range(tail))
        + f"(?:(?<=[^\n{HSPACE}]{{{width - 1 - tail}}}[^\n{HSPACE}{ends}]{{{tail}}}.\n)(?=[{HAN}])()|)"
    )


def _keep(options: LayoutOptions) -> int:
    """How much of a long line's tail ``_is_wrapped`` needs (see ``_joined``)."""
    return max(options.heading_max, options.tail_min, 6) + 1


def _joined(carry: str, carry_len: int, line: str, options: LayoutOptions) -> tuple[str, int]:
    """``carry + line`` as ``_is_wrapped`` needs it: its tail, and its full length.

    Only the tail of a long line matters to ``_is_wrapped`` (a line longer than
    a heading is judged on its last characters), so a paragraph of hundreds
    of hard-wrapped lines is not rebuilt line after line (quadratic on a big
    document).
    """
    keep = _keep(options)
    joined = carry + line if carry_len else line
    return joined[-keep:], carry_len + len(line)


def _is_wrapped(line: str, following: str, options: LayoutOptions, length: int | None = None) -> bool:
    """Does ``line`` break off mid-sentence, to go on in ``following``?

    Its last character is a Chinese character (a sentence ends in punctuation),
    the next line starts with one, and the line is either long, or opened a
    quote or bracket it did not close. Short lines without sentence punctuation
    are headings; a space near the end, or a short tail after a full stop,
    means a caption or credit (``。曾竟 攝``). ``length`` is the length of the
    whole line when ``line`` is only its tail (see ``_joined``).
    """
    length = len(line) if length is None else length
    if not (line and following and _is_han(line[-1]) and _is_han(following[0])):
        return False
    if length < options.wrap_min or length <= options.heading_max and not _SENTENCE_PUNCT.search(line):
        return False
    if not _HSPACE_SET.isdisjoint(line[-6:]) and _spaced_tail(line):
        return False
    # A short tail after a full stop is a caption or credit (``。曾竟攝``), not a clause.
    if _SENTENCE_END.search(line, max(len(line) - 1 - options.tail_min, 0)):
        return False
    if length > options.heading_max:
        return True
    opened = sum(map(line.count, _OPENERS))
    closed = sum(map(line.count, CLOSERS))
    return opened > closed


def _is_han(char: str) -> bool:
    """Is ``char`` in ``HAN``? (A regex search for ``[HAN]$`` tries every
    character of the line.)"""
    return ("\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\uf900" <= char <= "\ufaff"
            or "\U00020000" <= char <= "\U0003134f")


def _spaced_tail(line: str) -> bool:
    """Is there a space among the last six characters of ``line`` that no mark touches?"""
    end = len(line)
    for at in range(max(end - 6, 0), end):
        if line[at] in _HSPACE_SET:
            left = at - 1
            while left >= 0 and line[left] in _HSPACE_SET:
                left -= 1
            right = at + 1
            while right < end and line[right] in _HSPACE_SET:
                right += 1
            if not (_widened_mark(line, left, -1) or _widened_mark(line, right, 1)):
                return True
    return False


def _widened_mark(line: str, at: int, step: int) -> bool:
    if not 0 <= at < len(line):
        return False
    return line[at] in _WIDENED_MARKS or line[at] == "-" and 0 <= at + step < len(line) and line[at + step] == "-"
