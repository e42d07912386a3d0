"""Punctuation and width, after GB/T 15834-2011.

In Chinese context ASCII marks become Chinese ones (``,`` -> ``，``, ``(``...``)``
-> ``（``...``）``, ``"``...``"`` -> ``“``...``”``, ``...`` -> ``……``, ``--`` -> ``——``);
full-width Latin letters and digits become ASCII (``１９９８`` -> ``1998``);
ideographic-space indentation goes; doubled artifacts (``,,`` ``,。`` ``,、``)
collapse to their strongest mark. What each mark becomes is data
(``rules/punctuation/marks.toml``).

Context is local: the nearest letter on each side of a mark, skipping digits,
spaces and other punctuation, within the line. A Han character there makes it
Chinese; a Latin letter or nothing does not. So ``发展,不停步`` and
``截至2月20日,彭水`` change while ``Hello, world`` and a Latin sentence quoted
inside Chinese text do not. Numbers (``1.86``, ``14:16``, ``2020/2/29``,
``10,000``, ``3:1``), URLs, e-mail addresses and ``code`` are matched first and
never touched.

One scan of one compiled pattern finds everything, so every change has its
exact offset in the input (kept as plain lists, made Change objects only
when read), and a text with nothing to do costs one regex search and the
cheap hints for doubled runs. Cleaning is idempotent: the decisions do not
depend on the width of the marks around.

Two paths compute this. ``_fixed`` makes the edits and the changes (what
explain and check show). With the default switches the pass's text and its
counts by code come from ``_fast``, which makes the same decisions in one scan
whose pattern sorts the commonest candidates in C and builds the text as it
goes; the changes are built by ``_fixed`` only when read. tests/
test_punctuation_fast.py holds the two to the same output on real text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources
from operator import itemgetter
from typing import Any

from cleaner.chars import HAN, HSPACE, takes_no_space
from cleaner.passes.base import Change, Code, Pass, PassResult

STYLES = ("zh", "ascii", "keep")
QUOTES = ("auto", "curly", "corner")


@dataclass(frozen=True)
class PunctuationOptions:
    # zh: Chinese marks in Chinese context (GB/T 15834); ascii: ASCII marks
    # throughout; keep: marks as they are (width, indentation and doubled
    # artifacts are still fixed unless switched off below).
    style: str = "zh"
    # Full-width Latin letters and digits to ASCII: １９９８ -> 1998.
    fullwidth_alnum: bool = True
    # Ideographic spaces indenting a line (the layout pass also drops indentation).
    ideographic_indent: bool = True
    # ,, ,。 ,; ,、 -> their strongest mark.
    collapse_doubled: bool = True
    # Quote marks: "curly" “”‘’ (GB/T 15834; 「」 become “”), "corner" 「」『』
    # (a Traditional convention), "auto": curly for Simplified documents, and
    # Traditional ones keep what they use.
    quotes: str = "auto"

    def __post_init__(self):
        if self.style not in STYLES:
            raise ValueError(f"style must be one of {', '.join(STYLES)}, not {self.style!r}")
        if self.quotes not in QUOTES:
            raise ValueError(f"quotes must be one of {', '.join(QUOTES)}, not {self.quotes!r}")


@cache
def rules() -> dict[str, Any]:
    text = resources.files("cleaner.rules").joinpath("punctuation", "marks.toml").read_text("utf-8")
    return tomllib.loads(text)


# Characters that make context Chinese (Han) or Latin (ASCII letters); the
# context scan skips anything else (digits, spaces, punctuation) up to this far.
_CONTEXT_REACH = 8
_SCAN_LIMIT = 256
_FREE = frozenset(HSPACE + ",.;:!?()\"'-…—，。；：！？、（）“”‘’「」『』《》〈〉【】－·")
_LATIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                   "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ")
_CLOSERS = "”’」』）)》〉】\"'"  # straight quotes too: they may be closing quotes about to be curled


def _is_han(c: str) -> bool:
    return ("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\uf900" <= c <= "\ufaff"
            or "\U00020000" <= c <= "\U0003134f")


def _word_before(text: str, pos: int) -> str:
    """'h' (Han), 'l' (Latin) or '' for the nearest letter before ``pos`` in its line.

    Spaces and marks do not count towards the reach: the pass drops spaces
    after the marks it widens and collapses doubled marks, and the answer must
    not change when it has (idempotence).
    """
    return _nearest_word(text, range(pos - 1, max(pos - _SCAN_LIMIT, 0) - 1, -1))


def _word_after(text: str, pos: int) -> str:
    """The same for the nearest letter at or after ``pos``."""
    return _nearest_word(text, range(pos, min(pos + _SCAN_LIMIT, len(text))))


def _nearest_word(text: str, positions: range) -> str:
    budget = _CONTEXT_REACH
    for pos in positions:
        if not budget:
            break
        c = text[pos]
        if _is_han(c):
            return "h"
        if c in _LATIN:
            return "l"
        if c == "\n":
            return ""
        if c not in _FREE:
            budget -= 1
    return ""


_HAN_IN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_FULLWIDTH_ALNUM = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF5B) if chr(c - 0xFEE0).isalnum()}
_FULLWIDTH_ALNUM.update({ord("．"): ".", ord("："): ":", ord("／"): "/"})

# Characters that can start something to fix. The scan visits only these (a
# search for one large character class runs in C at hundreds of MB/s), so clean
# Chinese text with full-width marks costs one pass of that search.
_ASCII_MARKS = ",;:!?.()\"'`-"
_STARTS_WIDTH = "０-９Ａ-Ｚａ-ｚ"
_STARTS_ZH = "－…"
# A doubled artifact made only of Chinese marks starts at a full-width mark,
# which is everywhere in clean text: found by a separate search first (taking
# these marks into the scan below costs more, for all the ones it rejects).
_DOUBLED_SET = ",，;；:：、.。"
_FULLWIDTH_DOUBLED = re.compile(f"[，；：、。][{HSPACE}]*[{_DOUBLED_SET}]")
# Where a run may start, one pattern for each mark: five scans for a literal
# cost less than one for a class of five, and one look at the next character
# less than trying ``[{HSPACE}]*`` at every comma. (They say where a run may
# be; the search above says where one is.)
_FULLWIDTH_DOUBLED_HINTS = [re.compile(f"{mark}[{HSPACE}{_DOUBLED_SET}]") for mark in "，。、；："]
# Between the marks of a run: the same spaces a widened mark takes with it, so
# that ``,\u3000,`` collapses in one go rather than over two runs.
# A run stops before an ellipsis written ``...`` (which becomes ``……`` of its own).
_DOUBLED = re.compile(f"[{_DOUBLED_SET}](?:[{HSPACE}]*(?:[,，;；:：、。]|\\.(?!\\.\\.)))+")
# What follows a widened mark and goes with it: the spaces the layout pass
# strips between Chinese characters (cleaner.chars.HSPACE).
_SPACES = re.compile(f"[{HSPACE}]*")
_STOPS = re.compile("[!?]+")
_DOTS = re.compile(r"\.{3,}")
_DASHES = re.compile("-{2,}|－{2,}")
_ELLIPSES = re.compile("…+")
_WIDTH = re.compile("[０-９Ａ-Ｚａ-ｚ]+(?:[．：／][０-９]+)*")
_INDENT = re.compile("[\u3000 \t]*")
_PAREN_BODY = re.compile("[^()（）\n]{0,300}(?=[)）])")
# A pair's body holds no quote of its own kind, straight or curled: what a
# first run curls must not pair up differently in the second.
_DQUOTE_BODY = re.compile('[^"“”「」\n]{0,500}(?=")')
_SQUOTE_BODY = re.compile("[^'‘’『』\n]{1,100}(?='(?![A-Za-z]))")
# After the scheme's ``:`` or ``www``'s ``.``: ASCII but quotes and brackets,
# ending on a character that can end a URL (not , . ; and the like).
_URL_REST = re.compile(r"[!#-&*-~]*[A-Za-z0-9/_=#&%~+\-]")
_SCHEMES = ("http", "https", "ftp")
_START = re.Match.start
_PERIOD_NEXT = frozenset(" \t\n\r”’」』）)\"'")
# After a comma: a space it takes with it, or a mark of a doubled run.
_NOT_PLAIN_AFTER_COMMA = frozenset(HSPACE + _DOUBLED_SET)


@cache
def _candidates(style: str, width: bool, indent: bool, extra: str) -> re.Pattern:
    chars = _ASCII_MARKS if style == "zh" else "`"
    if style == "zh":
        chars += _STARTS_ZH
    if width:
        chars += _STARTS_WIDTH
    if indent:
        chars += "\u3000"
    if style != "zh":
        chars += ",;:."  # only for doubled artifacts
    chars += extra
    body = "".join("\\" + c if c in "\\]^-[" else c for c in chars)
    # Keep the ranges of _STARTS_WIDTH as ranges.
    body = body.replace("０\\-９Ａ\\-Ｚａ\\-ｚ", "０-９Ａ-Ｚａ-ｚ")
    # Left out in C, each after the character is taken (so the scan stays a
    # scan for one class): marks the loop below would pass over.
    skip = [
        "(?!(?<=[0-9][,;:])[0-9])",  # 10,000  14:16  3:1
        "(?!(?<=[0-9A-Za-z]\\.)(?<![wW]{3}\\.)[0-9A-Za-z])",  # 3.14  example.com (www. is a URL to skip)
    ]
    if style == "zh":
        skip.append("(?!(?<=[^-]-)[^-])")  # a lone hyphen
        skip.append("(?!(?<=…)…)(?<!……)")  # …… is right already
    return re.compile(f"[{body}]" + "".join(skip))


class _Marks:
    """The rule file, arranged for lookups on the hot path."""

    def __init__(self, data: dict[str, Any]):
        self.single = {m["ascii"]: (m["zh"], m["code"], m["id"], m["context"]) for m in data["mark"]}
        pair = data["pair"]
        self.paren = pair["paren"]
        self.double_quote = pair["double_quote"]
        self.single_quote = pair["single_quote"]
        self.ellipsis = pair["ellipsis"]
        self.dash = pair["dash"]
        doubled = data["doubled"]
        self.strength = {mark: i for i, mark in enumerate(doubled["strength"])}
        self.same = doubled["same"]
        self.corner = data["quotes"]["corner"]
        self.curly = data["quotes"]["curly"]
        self.ascii = dict(data["ascii_style"]["map"])
        self.ascii_multi = {"……": "...", "——": "--"}


@cache
def _marks() -> _Marks:
    return _Marks(rules())


def fix_punctuation(text: str, options: PunctuationOptions = PunctuationOptions(),
                    traditional: bool = False) -> tuple[str, list[Change]]:
    """Pure core: the text with its punctuation and width fixed, and the changes.

    ``traditional`` says the document is written in Traditional characters
    (for ``quotes = "auto"``).
    """
    new, edits = _fixed(text, options, traditional)
    return new, _changes_of(edits)


# An edit is a list [code, start, end, before, after, detail], the fields of
# a Change: a list costs a fraction of a Change to build, and the pipeline
# only counts the codes (see PassResult). _take_spaces widens some.
_CODE, _START_AT, _END_AT, _BEFORE, _AFTER = range(5)


def fix_changes(text: str, options: PunctuationOptions = PunctuationOptions(),
                traditional: bool = False) -> list[Change]:
    """The changes ``fix_punctuation`` makes."""
    return _changes_of(_fixed(text, options, traditional)[1])


def _changes_of(edits: list[list]) -> list[Change]:
    return [Change(*edit) for edit in edits]


def _fixed(text: str, options: PunctuationOptions, traditional: bool) -> tuple[str, list[list]]:
    """``fix_punctuation`` with its changes as edits."""
    marks = _marks()
    style = options.style
    quotes = options.quotes
    if quotes == "auto":
        quotes = "keep" if traditional else "curly"
    quote_map: dict[str, str] = {}
    if style != "ascii":
        quote_map = marks.corner if quotes == "corner" else marks.curly if quotes == "curly" else {}
    extra = "".join(quote_map) + ("".join(marks.ascii) if style == "ascii" else "")
    candidates = _candidates(style, options.fullwidth_alnum, options.ideographic_indent, extra)
    positions: Iterable[int] = map(_START, candidates.finditer(text))
    if options.collapse_doubled and (first := _first_doubled(text)) >= 0:
        # Rare: merge in the doubled runs that start at a full-width mark.
        positions = sorted({*positions, *(m.start() for m in _FULLWIDTH_DOUBLED.finditer(text, first))})
    zh = style == "zh"
    # Straight quotes become the configured style's quotes directly.
    double_quote = [quote_map.get(q, q) for q in marks.double_quote]
    single_quote = [quote_map.get(q, q) for q in marks.single_quote]
    changes: list[list] = []
    add = changes.append
    # Closing marks of pairs decided at their opening: position -> (mark, index of the opening change).
    pending: dict[int, tuple[str, int]] = {}
    skip = 0
    n = len(text)
    single = marks.single
    collapse = options.collapse_doubled
    comma_zh, comma_code, comma_rule, _ = single[","]
    for pos in positions:
        if pos < skip:
            continue
        c = text[pos]
        if pending and pos in pending:
            mark, _ = pending.pop(pos)
            if c != mark:
                rule = "paren" if mark == marks.paren[1] else "double_quote" if mark == double_quote[1] \
                    else "single_quote"
                add(["P105" if rule == "paren" else "P106", pos, pos + 1, c, mark, rule])
            continue
        # The commonest change (a third of them), a comma right after a Han
        # character and before neither a space nor a mark, in a few steps;
        # the general path below makes the same change.
        if c == "," and zh and pos and "\u4e00" <= text[pos - 1] <= "\u9fff" \
                and text[pos + 1:pos + 2] not in _NOT_PLAIN_AFTER_COMMA:
            add([comma_code, pos, pos + 1, ",", comma_zh, comma_rule])
            skip = pos + 1
            continue
        if not zh and c == "." and (dots := _DOTS.match(text, pos)) is not None:
            skip = dots.end()  # an ellipsis, in any style
            continue
        # A run needs a second mark after this one (perhaps after spaces): look
        # at the next character before paying for a regex match.
        if collapse and c in _DOUBLED_SET and pos + 1 < n and (text[pos + 1] in _DOUBLED_SET
                                                                 or text[pos + 1] in HSPACE):
            run = _DOUBLED.match(text, pos)
            if run is not None and not _DOTS.match(text, pos) and _doubled(text, run, marks, add, style == "ascii"):
                skip = run.end()
                continue
        if not zh:
            if c == "`":
                close = text.find("`", pos + 1)
                line_end = text.find("\n", pos)
                if close > 0 and (line_end < 0 or close < line_end):
                    skip = close + 1
            elif c in quote_map:
                add(["P401", pos, pos + 1, c, quote_map[c], quotes])
            elif style == "ascii" and c in marks.ascii:
                pair = text[pos:pos + 2]
                if pair in marks.ascii_multi:
                    skip = pos + 2
                    add(["P501", pos, skip, pair, marks.ascii_multi[pair], "ascii"])
                else:
                    add(["P501", pos, pos + 1, c, marks.ascii[c], "ascii"])
            elif c == "\u3000" or "０" <= c <= "ｚ":
                skip = _width_or_indent(text, pos, options, add)
            continue
        if c in _DECIDED_ALONE:
            skip = _decide_alone(c, text, pos, skip, marks, add)
        elif c == "(":
            body = _PAREN_BODY.match(text, pos + 1)
            if body is None:
                continue
            inner = body.group()
            close_at = body.end()
            if not (_HAN_IN.search(inner) or _word_before(text, pos) == "h"
                    or (_LATIN.isdisjoint(inner) and _word_after(text, close_at + 1) == "h")):
                continue
            add(["P105", pos, pos + 1, "(", marks.paren[0], "paren"])
            if text[close_at] == ")":
                pending[close_at] = (marks.paren[1], len(changes) - 1)
        elif c == '"':
            body = _DQUOTE_BODY.match(text, pos + 1)
            if body is None:
                # A quote without a partner in its line: a quote running over
                # several paragraphs opens in each and closes only in the last.
                after = pos + 1 < n and _is_han(text[pos + 1])
                before = pos > 0 and _is_han(text[pos - 1])
                if after and not before:
                    add(["P106", pos, pos + 1, '"', double_quote[0], "double_quote"])
                elif before and not after:
                    add(["P106", pos, pos + 1, '"', double_quote[1], "double_quote"])
                continue
            close_at = body.end()
            # Only what touches the quotes counts: in {"key": "值"} a Han
            # character is near the first pair but not in or next to it.
            if _HAN_IN.search(body.group()) or (pos > 0 and _is_han(text[pos - 1])) \
                    or (close_at + 1 < n and _is_han(text[close_at + 1])):
                add(["P106", pos, pos + 1, '"', double_quote[0], "double_quote"])
                pending[close_at] = (double_quote[1], len(changes) - 1)
            else:
                # Keep the pair together: its closing quote must not open another.
                pending[close_at] = ('"', -1)
        elif c == "'":
            if pos and text[pos - 1] in _LATIN:
                continue  # don't, it's
            body = _SQUOTE_BODY.match(text, pos + 1)
            if body is None:
                continue
            inner = body.group()
            close_at = body.end()
            if _HAN_IN.search(inner) and _LATIN.isdisjoint(inner):
                add(["P106", pos, pos + 1, "'", single_quote[0], "single_quote"])
                pending[close_at] = (single_quote[1], len(changes) - 1)
            else:
                pending[close_at] = ("'", -1)
        elif c == "`":
            close = text.find("`", pos + 1)
            line_end = text.find("\n", pos)
            if close > 0 and (line_end < 0 or close < line_end):
                skip = close + 1
        elif c == "\u3000" or "０" <= c <= "ｚ":
            skip = _width_or_indent(text, pos, options, add)
        elif c in quote_map:
            add(["P401", pos, pos + 1, c, quote_map[c], quotes])
    if pending:
        # A pair whose closing mark was skipped (inside a URL, say): undo its opening.
        orphans = {index for _, index in pending.values() if index >= 0}
        changes = [change for i, change in enumerate(changes) if i not in orphans]
    if not changes:
        return text, []
    _take_spaces(text, changes)
    out = []
    pos = 0
    for edit in changes:
        out.append(text[pos:edit[_START_AT]])
        out.append(edit[_AFTER])
        pos = edit[_END_AT]
    out.append(text[pos:])
    return "".join(out), changes


# Marks decided by their neighbours alone, the same way on both paths.
_DECIDED_ALONE = frozenset(",;:!?.-－…")


def _decide_alone(c: str, text: str, pos: int, skip: int, marks: _Marks, add: Callable[[list], object]) -> int:
    """The edit, if any, of the mark ``c`` (in ``_DECIDED_ALONE``) at ``pos``,
    given to ``add`` as ``[code, start, end, before, after, rule]``; where the
    scan goes on (``skip`` when that does not move)."""
    n = len(text)
    single = marks.single
    if c in ",;:":
        if c == ":" and text.startswith("//", pos + 1) and text[max(pos - 5, 0):pos].lower().endswith(_SCHEMES):
            url = _URL_REST.match(text, pos + 3)
            return url.end() if url else pos + 3
        # (10,000  14:16  3:1 are not candidates: see _candidates.)
        zh_mark, code, rule, context = single[c]
        end = pos + 1
        if end < n and text[end] in HSPACE:
            end = _SPACES.match(text, end).end()
        if not (pos and "\u4e00" <= text[pos - 1] <= "\u9fff") and _word_before(text, pos) != "h" \
                and (context == "before" or _word_after(text, end) != "h"):
            return skip
        # Spaces after a Chinese mark go with it: 你好, 世界 -> 你好，世界.
        add([code, pos, end, text[pos:end], zh_mark, rule])
        return end
    if c in "!?":
        run = _STOPS.match(text, pos).group()  # type: ignore[union-attr]
        end = _SPACES.match(text, pos + len(run)).end()  # type: ignore[union-attr]
        if not (pos and "\u4e00" <= text[pos - 1] <= "\u9fff") and _word_before(text, pos) != "h":
            return pos + len(run)
        add([single[c][1], pos, end, text[pos:end], "".join(single[x][0] for x in run), single[c][2]])
        return end
    if c == ".":
        dots = _DOTS.match(text, pos)
        if dots is not None:
            if _word_before(text, pos) == "h" or _word_after(text, dots.end()) == "h":
                add(["P107", pos, dots.end(), dots.group(), marks.ellipsis, "ellipsis"])
            return dots.end()
        if pos >= 3 and text[pos - 3:pos].lower() == "www":
            url = _URL_REST.match(text, pos + 1)
            return url.end() if url else pos + 1
        if pos and (_is_han(text[pos - 1]) or text[pos - 1] in _CLOSERS and _word_before(text, pos) == "h") \
                and (pos + 1 == n or text[pos + 1] in _PERIOD_NEXT):
            add(["P109", pos, pos + 1, ".", single["."][0], "period"])
        return skip
    if c == "…":
        ellipsis = _ELLIPSES.match(text, pos).group()  # type: ignore[union-attr]
        end = pos + len(ellipsis)
        if len(ellipsis) == 1 and (_word_before(text, pos) == "h" or _word_after(text, end) == "h"):
            add(["P107", pos, end, ellipsis, marks.ellipsis, "ellipsis"])
        return end
    dashes = _DASHES.match(text, pos)  # - or －
    if dashes is None:
        return skip
    if _word_before(text, pos) == "h" or _word_after(text, dashes.end()) == "h":
        add(["P108", pos, dashes.end(), dashes.group(), marks.dash, "dash"])
    return dashes.end()


def _first_doubled(text: str, hints: list[re.Pattern] = _FULLWIDTH_DOUBLED_HINTS) -> int:
    """Where the first match of ``_FULLWIDTH_DOUBLED`` starts, or -1 (of the ones
    that start at the marks of ``hints``).

    Found from the hints: the first match starts a hint (a match of a hint
    covering its start would start at a mark followed by a mark, a match
    before it), so the hints before the first match found so far are tried.
    """
    first = len(text)
    for pattern in hints:
        for hint in pattern.finditer(text, 0, first + 1):
            if _FULLWIDTH_DOUBLED.match(text, hint.start()):
                first = hint.start()
                break
    return first if first < len(text) else -1


def _take_spaces(text: str, changes: list[list]) -> None:
    """The white space rule (``cleaner.chars``) around the marks made Chinese.

    A change whose new mark is Chinese takes the spaces between it and a
    Chinese character or mark on either side (as it will be once every change
    is made), so that a second run of the layout pass finds nothing to strip.
    """
    # Only changes with a space beside them need a look. (A plain loop: the
    # same test made in C through map() over method wrappers costs more.)
    spaces = _HSPACE_SET
    n = len(text)
    last = len(changes) - 1
    for i, change in enumerate(changes):
        start, end = change[_START_AT], change[_END_AT]
        if not (start and text[start - 1] in spaces or end < n and text[end] in spaces):
            continue
        after = change[_AFTER]
        if not after:
            continue
        prev_end = changes[i - 1][_END_AT] if i else 0
        if start > prev_end and text[start - 1] in HSPACE and takes_no_space(after[0]):
            s = start - 1
            while s > prev_end and text[s - 1] in HSPACE:
                s -= 1
            left = changes[i - 1][_AFTER][-1:] if i and changes[i - 1][_END_AT] == s else text[s - 1:s]
            if takes_no_space(left):
                change[_BEFORE] = text[s:end]
                change[_START_AT] = start = s
        limit = changes[i + 1][_START_AT] if i < last else n
        if end < limit and text[end] in HSPACE and takes_no_space(after[-1]):
            e = end + 1
            while e < limit and text[e] in HSPACE:
                e += 1
            right = changes[i + 1][_AFTER][:1] if i < last and changes[i + 1][_START_AT] == e else text[e:e + 1]
            if takes_no_space(right):
                change[_BEFORE] = text[start:e]
                change[_END_AT] = e


_HSPACE_SET = frozenset(HSPACE)
_FIRST = itemgetter(0)


def _width_or_indent(text: str, pos: int, options: PunctuationOptions, add) -> int:
    """Full-width letters and digits, or ideographic-space indentation, at ``pos``;
    returns where the scan goes on."""
    if text[pos] == "\u3000":
        line_start = text.rfind("\n", 0, pos) + 1
        if text[line_start:pos].strip(" \t"):
            return pos + 1  # inside a line: not indentation
        end = _INDENT.match(text, pos).end()
        add(["P202", line_start, end, text[line_start:end], "", "ideographic_indent"])
        return end
    run = _WIDTH.match(text, pos) if options.fullwidth_alnum else None
    if run is None:
        return pos + 1
    before = run.group()
    add(["P201", pos, run.end(), before, before.translate(_FULLWIDTH_ALNUM), "fullwidth"])
    return run.end()


def _doubled(text: str, run: re.Match, marks: _Marks, add, ascii_style: bool = False) -> bool:
    """``,,`` ``,。`` ``,、``: the run becomes its strongest mark. False when left alone."""
    marks_run = run.group()
    start, end = run.span()
    if not marks_run.strip("." + HSPACE) or "..." in marks_run:
        return False  # .. or 1..10, or an ellipsis after a mark: left as they are
    if len(marks_run) >= 3 and marks_run.count("。") == len(marks_run):
        add(["P107", start, end, marks_run, "..." if ascii_style else marks.ellipsis, "ellipsis"])
        return True
    if any(c in marks.same for c in marks_run):
        # With ASCII in it, the run must be in Chinese context (a::b stays).
        if _word_before(text, start) != "h" and _word_after(text, end) != "h":
            return False
    best = min((marks.same.get(c, c) for c in marks_run if c not in HSPACE), key=marks.strength.__getitem__)
    if ascii_style:
        best = marks.ascii.get(best, best)
    if best == marks_run:
        return False
    add(["P301", start, end, marks_run, best, "doubled"])
    return True


# -- The default path --------------------------------------------------------------------
#
# The pipeline reads a document's counts by code, not its changes. With the default
# switches, ``_fast`` computes what ``_fixed`` does -- the text and how many edits of each
# code -- in one scan whose pattern sorts the candidates in C: a comma after a Han
# character, a bracket pair around Chinese text (taken whole when nothing in it is a
# candidate), a pair of quotes, ``?`` or ``!`` after a Han character, a closing bracket;
# and it passes over more of what ``_fixed`` would look at and leave (an ideographic space
# inside a line, a full stop before a letter, a bracket that closes nowhere, a full-width
# mark that starts no doubled run). The text is built as the scan goes: no edit lists,
# no second pass to rebuild it; ``_take_spaces``' rule is applied to the edits in turn
# (an edit with a space after it waits for the next one). The rarer candidates take the
# steps ``_fixed`` takes. It gives up (None) on `code`, whose spans ``_fixed`` skips, and
# on an opening mark whose closing one was skipped; then ``_fixed`` runs. ``_fixed`` is
# also what builds the changes when explain or check reads them.

_DEFAULTS = PunctuationOptions()
_ESCAPE = {c: "\\" + c for c in "\\]^-["}  # inside a character class


def _in_class(chars: str) -> str:
    return "".join(_ESCAPE.get(c, c) for c in chars)


# The body of a pair as _DQUOTE_BODY and _PAREN_BODY match it.
_DQ = '[^"“”「」\\n]'
_PB = "[^()（）\\n]"
# The doubled runs that start at these marks are found by the scan (at ， and 。, which
# are everywhere, by the hints _first_doubled uses).
_RUN_MARKS = "、；："
_SHORT = 40
_TAGS = ("han_before", "comma", "sep", "run", "dq_body", "dq_pair", "dq_open", "dq_maybe", "close",
         "paren_body", "paren_pair", "paren_open", "paren_maybe", "stop", "dash", "dots", "other")
(_, _T_COMMA, _T_SEP, _T_RUN, _T_DQ_BODY, _T_DQ_PAIR, _T_DQ_OPEN, _T_DQ_MAYBE, _T_CLOSE, _T_PAREN_BODY,
 _T_PAREN_PAIR, _T_PAREN_OPEN, _T_PAREN_MAYBE, _T_STOP, _T_DASH, _T_DOTS, _T_OTHER) = range(1, len(_TAGS) + 1)
# What ; and : after a Han character become, and their codes.
_SEP = {";": ("；", "P103"), ":": ("：", "P102")}


@cache
def _fast_scan() -> re.Pattern:
    """The candidates of ``_candidates("zh", ...)`` with the default switches and the
    marks in _RUN_MARKS, less the ones ``_fixed`` passes over, tagged by group
    (``lastindex``): an edit whose tag says so has no space beside it.

    Whether the character before a candidate is Han is looked at once, in the group
    han_before that the tags test: each class of Han characters in a pattern costs a
    millisecond to compile. One pattern serves both quote conventions: 「」『』 are
    candidates in it, which a Traditional document keeps.
    """
    plain = _candidates("zh", True, True, "「」『』").pattern
    body = plain[1:plain.index("]", 1)]  # the class of candidate characters
    hs = _in_class(HSPACE)
    doubled = _in_class(_DOUBLED_SET)
    # Whole pairs: nothing in them the scan stops at or a doubled run starts at.
    clean = f"[^{body}（）\\n，。{_RUN_MARKS}]"
    dq_clean = f"[^{body}“”「」\\n，。{_RUN_MARKS}]"
    never = "(?!)"
    scan = re.compile(
        f"[{body}{_RUN_MARKS}]"
        f"(?!(?<=[{_RUN_MARKS}])(?![{hs}]*[{doubled}]))"
        f"(?:(?<=(?P<han_before>[{HAN}]).)|)"
        "(?:"
        # , ; : after a Han character and before neither a space nor a mark of a doubled
        # run; , ; before one (and after no space).
        f"(?<=[,;:])(?:(?(han_before)(?![{hs}{doubled}])|{never})|(?<=[,;])(?<![{hs}].)(?=[{HAN}]))"
        "(?:(?<=,)(?P<comma>)|(?P<sep>))"
        f"|(?<=[{_RUN_MARKS}])(?P<run>)"
        # A pair of quotes with a short body (the scan looks at what follows a closing
        # quote too, not knowing it closes: a long look there would be wasted); after a
        # Han character, taken whole when nothing in it is a candidate and no space is
        # beside a quote.
        f'|(?<=")(?=(?P<dq_body>{_DQ}{{0,{_SHORT}}})")(?(han_before)'
        f'(?:(?![{hs}]){dq_clean}{{0,{_SHORT}}}(?<![{hs}])"(?![{hs}])(?P<dq_pair>)|(?P<dq_open>))|(?P<dq_maybe>))'
        "|(?<=\\))(?P<close>)"
        # A bracket pair, likewise.
        f"|(?<=\\()(?=(?P<paren_body>{_PB}{{0,300}})[)）])(?(han_before)"
        f"(?:(?![{hs}]){clean}{{0,300}}(?<![{hs}])\\)(?![{hs}])(?P<paren_pair>)|(?P<paren_open>))|(?P<paren_maybe>))"
        f"|(?<=[?!])(?(han_before)(?![?!{hs}])|{never})(?P<stop>)"
        # (a run whole: -+ giving a dash back must not make the test after it pass)
        f"|(?<=-)(?(han_before)-+(?![{hs}-])|{never})(?P<dash>)"
        f"|(?<=\\.)(?(han_before)\\.\\.+(?![{hs}.])|{never})(?P<dots>)"
        # The rest, but what _candidates leaves out and what _fixed passes over: an
        # opening bracket that closes nowhere, an ideographic space inside a line (not
        # indentation), a full stop before a plain character (not www.).
        + "|(?<!\\()" + plain[plain.index("]", 1) + 1:]
        + "(?<![^\\n \\t]\\u3000)"
        + f"(?!(?<=\\.)(?<![wW]{{3}}\\.)[^{hs}{doubled}\\n\\r”’」』）)\"'])"
        + "(?P<other>)"
        ")"
    )
    assert tuple(scan.groupindex) == _TAGS
    return scan


# The hints of the doubled runs that start at ， or 。 (the scan finds the others).
_COMMA_STOP_HINTS = _FULLWIDTH_DOUBLED_HINTS[:2]


class _GiveUp(Exception):
    """Where only ``_fixed`` can say."""


def _fast(text: str, corners: bool) -> tuple[str, dict[str, int]] | None:
    """``_fixed`` with the default switches (``corners``: 「」『』 become “”‘’, the
    Simplified default) as the new text and its counts by code, or None where only
    ``_fixed`` can say."""
    try:
        return _fast_or_give_up(text, corners)
    except _GiveUp:
        return None


def _fast_or_give_up(text: str, corners: bool) -> tuple[str, dict[str, int]]:
    marks = _marks()
    single = marks.single
    quote_map = marks.curly if corners else {}
    hspace = _HSPACE_SET
    n = len(text)
    out: list[str] = []
    put = out.append
    last = 0  # where the text not yet in ``out`` starts (the end of the last edit)
    skip = 0
    codes: dict[str, int] = {}
    commas = brackets = quotes = 0  # the commonest codes: P101, P105, P106
    # Closing marks of the pairs opened: position -> (its new mark, code), (the mark, "") when kept.
    pending: dict[int, tuple[str, str]] = {}
    # An edit with a space after it waits for the next: _take_spaces looks at what follows the spaces.
    held: tuple[int, int, str, str] | None = None

    def put_edit(start: int, end: int, after: str, code: str) -> None:
        nonlocal last
        put(text[last:start])
        put(after)
        last = end
        codes[code] = codes.get(code, 0) + 1

    def release(limit: int, next_after: str) -> None:
        """The held edit, widened as _take_spaces does, the next edit starting at ``limit``."""
        nonlocal held
        start, end, after, code = held  # type: ignore[misc]
        held = None
        if end < limit:
            e = end + 1
            while e < limit and text[e] in hspace:
                e += 1
            right = next_after[:1] if limit == e else text[e:e + 1]
            if takes_no_space(right):
                end = e
        put_edit(start, end, after, code)

    def edit(start: int, end: int, after: str, code: str) -> None:
        nonlocal held
        if held is not None:
            release(start, after)
        if after:
            # _take_spaces: the spaces between a Chinese mark and a Chinese neighbour go.
            if start > last and text[start - 1] in hspace and takes_no_space(after[0]):
                s = start - 1
                while s > last and text[s - 1] in hspace:
                    s -= 1
                left = out[-1][-1:] if out and last == s else text[s - 1:s]
                if takes_no_space(left):
                    start = s
            if end < n and text[end] in hspace and takes_no_space(after[-1]):
                held = (start, end, after, code)
                return
        put_edit(start, end, after, code)

    def edit_of(change: list) -> None:  # an edit as _decide_alone gives it
        edit(change[1], change[2], change[4], change[0])

    def dq_opener(pos: int) -> None:
        """A quote that opens (or has no partner), as _fixed takes it."""
        body = _DQUOTE_BODY.match(text, pos + 1)
        if body is None:
            after = pos + 1 < n and _is_han(text[pos + 1])
            before = pos > 0 and _is_han(text[pos - 1])
            if after and not before:
                edit(pos, pos + 1, "“", "P106")
            elif before and not after:
                edit(pos, pos + 1, "”", "P106")
            return
        close = body.end()
        if _HAN_IN.search(body.group()) or (pos > 0 and _is_han(text[pos - 1])) \
                or (close + 1 < n and _is_han(text[close + 1])):
            edit(pos, pos + 1, "“", "P106")
            pending[close] = ("”", "P106")
        else:
            pending[close] = ('"', "")

    def doubled(start: int) -> int:
        """A doubled run at ``start`` as _fixed takes it; where the scan goes on."""
        run = _DOUBLED.match(text, start)
        found: list = []
        if run is None or _DOTS.match(text, start) or not _doubled(text, run, marks, found.append):
            return -1
        code, start, end, _, after, _ = found[0]
        edit(start, end, after, code)
        return run.end()

    # The doubled runs that start at a full-width mark where _fixed finds them (the
    # matches of _FULLWIDTH_DOUBLED, each after the one before): the ones at ， and 。
    # from their hints (a hint covering a start is a match before it), the others from
    # the scan, all in order.
    runs = []
    for hints in _COMMA_STOP_HINTS:
        if (hint := hints.search(text)) is not None:  # (rare: a search costs less than a finditer)
            runs += [hint.start() for hint in hints.finditer(text, hint.start())
                     if _FULLWIDTH_DOUBLED.match(text, hint.start())]
    runs.sort(reverse=True)
    next_run = runs.pop() if runs else n
    runs_end = 0  # where the last match of _FULLWIDTH_DOUBLED taken ends
    for m in _fast_scan().finditer(text):
        pos = m.start()
        while next_run < pos:
            if next_run >= runs_end:
                runs_end = _FULLWIDTH_DOUBLED.match(text, next_run).end()  # type: ignore[union-attr]
                if next_run >= skip and (end := doubled(next_run)) >= 0:
                    skip = end
            next_run = runs.pop() if runs else n
        tag = m.lastindex
        if tag == _T_RUN:
            if pos >= runs_end:
                runs_end = _FULLWIDTH_DOUBLED.match(text, pos).end()  # type: ignore[union-attr]
                if pos >= skip and (end := doubled(pos)) >= 0:
                    skip = end
            continue
        if pos < skip:
            if tag == _T_DQ_PAIR:
                raise _GiveUp  # (never: no skip covers a quote)
            continue
        if tag == _T_COMMA:
            if held is not None:
                release(pos, "，")
            put(text[last:pos])
            put("，")
            last = pos + 1
            commas += 1
            continue
        if tag == _T_PAREN_PAIR:
            if held is not None:
                release(pos, "（")
            close = m.end() - 1
            put(text[last:pos])
            put("（")
            put(text[pos + 1:close])
            put("）")
            last = close + 1
            brackets += 2
            continue
        if tag == _T_DQ_PAIR:
            close = m.end() - 1
            if not (pending and pos in pending):
                if held is not None:
                    release(pos, "“")
                put(text[last:pos])
                put("“")
                put(text[pos + 1:close])
                put("”")
                last = close + 1
                quotes += 2
                continue
            # It closes the pair before, and its partner opens the next one.
            mark, code = pending.pop(pos)
            if mark != '"':
                edit(pos, pos + 1, mark, code)
            dq_opener(close)
            continue
        c = text[pos]
        if pending and pos in pending:
            mark, code = pending.pop(pos)
            if c == mark:
                continue
            if held is None and text[pos - 1] not in hspace and (pos + 1 == n or text[pos + 1] not in hspace):
                put(text[last:pos])
                put(mark)
                last = pos + 1
                if code == "P105":
                    brackets += 1
                else:
                    quotes += 1
            else:
                edit(pos, pos + 1, mark, code)
            continue
        if tag == _T_DQ_OPEN:
            if held is None and not (pos and text[pos - 1] in hspace) and (pos + 1 == n or text[pos + 1] not in hspace):
                put(text[last:pos])
                put("“")
                last = pos + 1
                quotes += 1
            else:
                edit(pos, pos + 1, "“", "P106")
            pending[m.end(_T_DQ_BODY)] = ("”", "P106")
            continue
        if tag == _T_CLOSE:
            continue
        if tag == _T_PAREN_OPEN or tag == _T_PAREN_MAYBE:
            close = m.end(_T_PAREN_BODY)
            if tag == _T_PAREN_MAYBE and not (  # not after a Han character
                    _HAN_IN.search(text, pos + 1, close) or _word_before(text, pos) == "h"
                    or (_LATIN.isdisjoint(text[pos + 1:close]) and _word_after(text, close + 1) == "h")):
                continue
            if held is None and not (pos and text[pos - 1] in hspace) and text[pos + 1] not in hspace:
                put(text[last:pos])
                put("（")
                last = pos + 1
                brackets += 1
            else:
                edit(pos, pos + 1, "（", "P105")
            if text[close] == ")":
                pending[close] = ("）", "P105")
            continue
        if tag == _T_SEP:
            zh_mark, code = _SEP[c]
            if held is not None:
                release(pos, zh_mark)
            put(text[last:pos])
            put(zh_mark)
            last = pos + 1
            codes[code] = codes.get(code, 0) + 1
            continue
        if tag == _T_STOP or tag == _T_DASH or tag == _T_DOTS:
            end = m.end()
            if tag == _T_STOP:
                zh_mark, code = single[c][0], "P104"
            elif tag == _T_DASH:
                zh_mark, code = marks.dash, "P108"
            else:
                zh_mark, code = marks.ellipsis, "P107"
            if held is not None:
                release(pos, zh_mark)
            put(text[last:pos])
            put(zh_mark)
            last = skip = end
            codes[code] = codes.get(code, 0) + 1
            continue
        if tag == _T_DQ_MAYBE:  # not after a Han character
            close = m.end(_T_DQ_BODY)
            if _HAN_IN.search(text, pos + 1, close) or (close + 1 < n and _is_han(text[close + 1])):
                edit(pos, pos + 1, "“", "P106")
                pending[close] = ("”", "P106")
            else:
                pending[close] = ('"', "")
            continue
        # The rest as _fixed takes it (style zh).
        if c in _DOUBLED_SET and pos + 1 < n and (text[pos + 1] in _DOUBLED_SET or text[pos + 1] in HSPACE) \
                and (end := doubled(pos)) >= 0:
            skip = end
            continue
        if c in _DECIDED_ALONE:
            skip = _decide_alone(c, text, pos, skip, marks, edit_of)
        elif c == '"':  # a pair with a long body (a short one is tagged above), or a lone quote
            dq_opener(pos)
        elif c == "'":
            if pos and text[pos - 1] in _LATIN:
                continue
            body = _SQUOTE_BODY.match(text, pos + 1)
            if body is None:
                continue
            inner = body.group()
            if _HAN_IN.search(inner) and _LATIN.isdisjoint(inner):
                edit(pos, pos + 1, "‘", "P106")
                pending[body.end()] = ("’", "P106")
            else:
                pending[body.end()] = ("'", "")
        elif c == "`":
            raise _GiveUp  # a code span is skipped whole
        elif c == "\u3000" or "０" <= c <= "ｚ":
            found: list = []
            skip = _width_or_indent(text, pos, _DEFAULTS, found.append)
            for code, start, end, _, after, _ in found:
                edit(start, end, after, code)
        elif c in quote_map:
            edit(pos, pos + 1, quote_map[c], "P401")
    while next_run < n:
        if next_run >= runs_end:
            runs_end = _FULLWIDTH_DOUBLED.match(text, next_run).end()  # type: ignore[union-attr]
            if next_run >= skip and (end := doubled(next_run)) >= 0:
                skip = end
        next_run = runs.pop() if runs else n
    if pending and any(code for _, code in pending.values()):
        raise _GiveUp  # an opening mark whose closing one was passed over
    if held is not None:
        release(n, "")
    if commas:
        codes["P101"] = codes.get("P101", 0) + commas
    if brackets:
        codes["P105"] = codes.get("P105", 0) + brackets
    if quotes:
        codes["P106"] = codes.get("P106", 0) + quotes
    if not codes:
        return text, codes
    put(text[last:])
    return "".join(out), codes


class Punctuation(Pass):
    name = "punctuation"
    summary = "Chinese punctuation in Chinese context (GB/T 15834), ASCII letters and digits, doubled marks"
    Options = PunctuationOptions
    codes = (
        Code("P101", "punctuation", "ASCII comma in Chinese context", "发展,不停步 -> 发展，不停步"),
        Code("P102", "punctuation", "ASCII colon in Chinese context", "来源:人民网 -> 来源：人民网"),
        Code("P103", "punctuation", "ASCII semicolon in Chinese context", "效能;县 -> 效能；县"),
        Code("P104", "punctuation", "ASCII ? or ! ending a Chinese sentence", "太周到了! -> 太周到了！"),
        Code("P105", "punctuation", "ASCII parentheses in Chinese context", "乡镇(街道) -> 乡镇（街道）"),
        Code("P106", "punctuation", "straight quotes around Chinese text", '"两手抓" -> “两手抓”'),
        Code("P107", "punctuation", "ellipsis written ... or 。。。", "等等... -> 等等……"),
        Code("P108", "punctuation", "dash written -- in Chinese context", "草，--我 -> 草，——我"),
        Code("P109", "punctuation", "full stop written . after a Chinese sentence", "生产. -> 生产。"),
        Code("P201", "fullwidth", "full-width Latin letters or digits", "１９９８ -> 1998"),
        Code("P202", "ideographic_indent", "ideographic spaces indenting a line", "\u3000\u3000正文 -> 正文"),
        Code("P301", "punct_doubled", "doubled punctuation left by copying", "，。 -> 。"),
        Code("P401", "quote_style", "quote marks changed to the configured style", "「两手抓」 -> “两手抓”"),
        Code("P501", "punct_ascii", "Chinese punctuation written in ASCII (style ascii)", "，-> ,"),
    )

    def apply(self, text, doc):
        traditional = (doc.script or doc.script_in) in ("hant", "tw", "hk")
        corners = self._fast_corners(traditional)
        if doc.title:  # taken from the text by an earlier pass: the same conventions
            got = _fast(doc.title, corners) if corners is not None else None
            doc.title = got[0] if got is not None else fix_punctuation(doc.title, self.options, traditional)[0]
        if corners is not None and (got := _fast(text, corners)) is not None:
            new, codes = got
            if not codes:
                return PassResult(text)
            # The changes only when read (explain, check): the pipeline counts codes.
            return PassResult(new, partial(fix_changes, text, self.options, traditional), codes=codes)
        new, edits = _fixed(text, self.options, traditional)
        if not edits:
            return PassResult(text)
        return PassResult.deferred(new, edits, _FIRST, _changes_of)

    def _fast_corners(self, traditional: bool) -> bool | None:
        """For ``_fast``: whether 「」『』 become “”‘’, or None when the options are not
        ones it knows (it knows the defaults, with either quote convention)."""
        options = self.options
        if not (options.style == "zh" and options.fullwidth_alnum and options.ideographic_indent
                and options.collapse_doubled) or options.quotes == "corner":
            return None
        return options.quotes == "curly" or not traditional
