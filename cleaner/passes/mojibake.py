"""Mojibake repair, before any other text fix (ftfy's ``decode_inconsistent_utf8``
would destroy GBK-as-Latin-1 text first).

The pass is on the hot path of every document and most documents are clean, so
one compiled regex of the traces every mechanism leaves decides first whether
there is anything to look at; the character model and pypinyin are loaded only
when it says yes. Every repair is a ``Change`` of the input; what cannot be
repaired is flagged on the record, never deleted.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass
from functools import cache, partial
from itertools import chain, repeat
from operator import attrgetter, itemgetter, sub

from cleaner.passes.base import Change, Code, Pass, PassResult, count_codes

REPLACEMENT = "\ufffd"
LOST_RUN = re.compile("(?:锟斤拷|锟斤|斤拷|烫烫|屯屯)+")


@dataclass(frozen=True)
class MojibakeOptions:
    pinyin_annotations: bool = True
    gbk_realign: bool = True
    codec_swaps: bool = True
    # ftfy on lines with Latin-family mojibake (UTF-8 read as cp1252 and kin).
    latin: bool = True
    # "锟斤拷" runs (U+FFFD saved as UTF-8, read as GBK) become one U+FFFD.
    lost_runs: bool = True
    # How much better (natural-log probability) a realigned GBK run must read.
    realign_margin: float = 10.0
    # How much better per character a codec-swapped run must read.
    swap_gain_per_char: float = 2.0


_SWAP_CODES = {
    "utf8_as_gbk": "M104", "gbk_as_latin1": "M105", "gbk_as_cp1252": "M105",
    "big5_as_gbk": "M106", "gbk_as_big5": "M106", "utf8_as_cp1252": "M107", "utf8_as_cyrillic": "M109",
}


@cache
def _utf8_as_gbk_chars() -> str:
    """GBK characters whose lead byte is a UTF-8 CJK lead (E4-E9): ``鎴 鐨 涓 锛``."""
    chars = []
    for lead in (*range(0xE4, 0xEA), 0xEF):
        for trail in range(0x80, 0xC0):
            try:
                chars.append(bytes((lead, trail)).decode("gbk"))
            except UnicodeDecodeError:
                pass
    return "".join(chars)


@cache
def _triggers() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(traces of misaligned GBK or annotations, traces of a codec swap): the
    definitions the fast scans (``_traces``, ``_lines_with_realign_traces``)
    answer as, checked by the tests."""
    from cleaner.mojibake.pinyin import SYLLABLE

    u = re.escape(_utf8_as_gbk_chars())
    gbk = re.compile("|".join((
        "[^\\x00-\\x7f][?]|[?][^\\x00-\\x7f]",  # hidden bytes (U+FFFD is lost for good: no marker)
        "[^\\x00-\\x7f][A-Za-z@\\[\\]\\\\^_`{|}~](?![A-Za-z])",  # a trail byte read as ASCII
        f"[(（]{SYLLABLE}[)）]",  # pinyin annotation
    )))
    swap = re.compile("|".join((
        "\ufffd|锟斤|斤拷|烫烫|屯屯",  # lost bytes
        f"[{u}][^\\x00-\\x7f]",  # UTF-8 read as GBK: a 3-byte UTF-8 lead as a GBK lead byte
        "[\u00c0-\u00ff][\u0080-\u00ff\u0152-\u0192\u02c6-\u02dc\u2013-\u2122]",  # Latin-1 family
        "[\u0400-\u04ff][\u0400-\u04ff\u2013-\u201e]",  # UTF-8 read as a Cyrillic code page
        "[\u3040-\u30ff\u2500-\u257f][\u4e00-\u9fff]|[\u4e00-\u9fff][\u3040-\u30ff\u2500-\u257f]",  # Big5 as GBK
        "[\x00-\x08\x0b\x0e-\x1f\x7f]|\x1b\\[",  # control characters, terminal escapes (ftfy)
    )))
    return gbk, swap


# The pre-check runs on every document, so each of its patterns starts with a
# literal or a character class: the regex engine then skips ahead in C to the
# few characters that can start a trace, instead of trying every alternative
# at every CJK character. A hit is then confirmed by the condition the repair
# itself needs, so clean text with a ``呢?`` or a ``的C`` costs a look-up.
_QUESTION = re.compile("\\?")
_WEDGED = re.compile("[A-Za-z@\\[\\]\\\\^_`{|}~](?<=[^\\x00-\\x7f].)(?![A-Za-z])")
_LOST_TRACE = re.compile("锟斤|斤拷|烫烫|屯屯")
_RARE_SWAP_CHAR = re.compile("[\u00c0-\u00ff\u0400-\u04ff\u3040-\u30ff\u2500-\u257f\x00-\x08\x0b\x0e-\x1f\x7f]")
_RARE_SWAP = re.compile("|".join((
    "[\u00c0-\u00ff][\u0080-\u00ff\u0152-\u0192\u02c6-\u02dc\u2013-\u2122]",  # Latin-1 family
    "[\u0400-\u04ff][\u0400-\u04ff\u2013-\u201e]",  # UTF-8 read as a Cyrillic code page
    "[\u3040-\u30ff\u2500-\u257f][\u4e00-\u9fff]|[\u4e00-\u9fff][\u3040-\u30ff\u2500-\u257f]",  # Big5 as GBK
    "[\x00-\x08\x0b\x0e-\x1f\x7f]|\x1b\\[",  # control characters, terminal escapes (ftfy)
)))

# ``_RARE_SWAP`` on a line with no kana or box drawing, where its Big5/GBK
# alternatives cannot match: the others open with a rare character and each
# overlaps only its own kind, so opened by their first characters (skipped to
# in C) they find the same matches. The alternation, which sre cannot skip
# ahead for, tried all five at every Han character of the line.
_KANA_BOX = re.compile("[\u3040-\u30ff\u2500-\u257f]")
_RARE_SWAP_NO_KANA = re.compile(
    "[\u00c0-\u00ff\u0400-\u04ff\x00-\x08\x0b\x0e-\x1f\x7f]"
    "(?:(?<=[\u00c0-\u00ff])[\u0080-\u00ff\u0152-\u0192\u02c6-\u02dc\u2013-\u2122]"
    "|(?<=[\u0400-\u04ff])[\u0400-\u04ff\u2013-\u201e]"
    "|(?<=[\x00-\x08\x0b\x0e-\x1f\x7f]))")  # ``\x1b`` is a control: ``\x1b\[`` never matches


@cache
def _fast_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    utf8_lead = re.compile(f"[{re.escape(_utf8_as_gbk_chars())}](?=[^\\x00-\\x7f])")
    return _annotation_shape(), utf8_lead


@cache
def _annotation_shape() -> re.Pattern[str]:
    # apart from the UTF-8 lead pattern, whose class of 380 characters costs
    # 10 million instructions to compile, and the repair no longer scans for
    from cleaner.mojibake.pinyin import SYLLABLE

    return re.compile(f"[(（]({SYLLABLE})[)）]")


def _hidden_byte_run(text: str, pos: int) -> bool:
    """Can the ``?`` at ``pos`` start a misaligned GBK run (``find_realignments``)?
    It must sit beside CJK and have another marker after it on its line."""
    from cleaner.mojibake.gbk import _END_LETTER, _MARKER, MAX_RUN

    end = _MARKER.match(text, pos).end()
    if (pos == 0 or text[pos - 1].isascii()) and text[end:end + 3].isascii():
        return False
    line_end = text.find("\n", end)
    limit = min(len(text) if line_end < 0 else line_end, end + MAX_RUN + 1)
    return text.find("?", end, limit) >= 0 or _END_LETTER.search(text, end, limit) is not None


def _garbled_run_at(text: str, pos: int, lm, scan_from: int = 0) -> int:
    """End of the GBK-decoded run holding ``pos`` if it reads as garble (swaps'
    own test), else -1 after that run (0 when no run holds ``pos``).

    The runs are those a scan from the start of the line finds; ``scan_from``,
    the end of a run such a scan found before ``pos``, is where that scan
    would go on from (a line of Chinese is one run after another: scanning each
    from the line start made a page's look-ups grow with its lines squared).
    """
    from cleaner.mojibake.swaps import _GBK_RUN, _garbled_counts, han_counts

    start = text.rfind("\n", scan_from, pos) + 1 or scan_from
    line_end = text.find("\n", pos)
    for m in _GBK_RUN.finditer(text, start, len(text) if line_end < 0 else line_end):
        if m.start() <= pos < m.end():
            han, rare = han_counts(m.group(), lm)
            if han >= 2 and _garbled_counts(han, rare):
                return m.end()
            return -m.end()
    return 0


def _in_gloss(text: str, pos: int, annotation: re.Pattern[str]) -> bool:
    """Is ``pos`` inside a ``(chǎn)``-shaped group (see ``gbk._inside_pinyin_gloss``)?"""
    return any(m.start() < pos < m.end() - 1 for m in annotation.finditer(text, max(0, pos - 8), pos + 8))


@cache
def _traces() -> re.Pattern[str]:
    """Every trace ``needs_repair`` confirms, in one scan of the text (five
    scans cost 7 ms per MB of clean text).

    The pattern opens with one character class, the union of the characters a
    trace can start with, so the engine skips ahead in C to the few places
    worth a look (an alternation of groups gets no such skip); each alternative
    then looks back at that character. Only the lost-bytes and codec-swap
    alternatives, which decide at once, consume more than that one character,
    so no trace hides another.
    """
    from cleaner.mojibake.pinyin import SYLLABLE

    utf8_lead = re.escape(_utf8_as_gbk_chars())
    latin1, cyrillic, kana_box = "\u00c0-\u00ff", "\u0400-\u04ff", "\u3040-\u30ff\u2500-\u257f"
    controls = "\x00-\x08\x0b\x0e-\x1f\x7f"
    letters = "A-Za-z@\\[\\]\\\\^_`{|}~"  # GBK trail bytes 40-7E read as ASCII
    starts = f"[锟斤烫屯{latin1}{cyrillic}{kana_box}{controls}\x1b?{letters}(（{utf8_lead}]"
    # Most characters the scan stops at are letters of ASCII words: each kind
    # of start is told apart by one look back, so a letter is tried against
    # the wedged trace alone (trying every alternative cost 2,000 instructions
    # per stop, more than the scan between stops). Each look back is a
    # sub-match in the engine: a letter inside a word now fails two (the
    # others' guard, and the wedged trace's look at it and the character
    # before it at once) where it failed five.
    return re.compile(starts + "(?:(?<![" + letters + "])(?:" + "|".join((
        "(?<=[?])(?P<question>)",
        f"(?<=[(（])(?P<annotation>(?=(?P<syllable>{SYLLABLE})[)）]))",
        "(?<![?(（])(?:" + "|".join((
            "(?P<lost>(?<=锟)斤|(?<=斤)拷|(?<=烫)烫|(?<=屯)屯)",
            (f"(?P<swap>(?<=[{latin1}])[\u0080-\u00ff\u0152-\u0192\u02c6-\u02dc\u2013-\u2122]"
             f"|(?<=[{cyrillic}])[{cyrillic}\u2013-\u201e]"
             f"|(?<=[{kana_box}])(?:(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff].))"  # Big5/GBK swaps
             f"|(?<=[{controls}])|(?<=\x1b)\\[)"),
            # what is left of the start class is a UTF-8 lead (锟 is one too);
            # told by the small classes, so the 380 leads are compiled once
            f"(?P<utf8_lead>(?<![斤烫屯{latin1}{cyrillic}{kana_box}{controls}])(?=[^\\x00-\\x7f]))",
        )) + ")",
    )) + f")|(?<=[^\\x00-\\x7f][{letters}])(?P<wedged>(?![A-Za-z])))")


def needs_repair(text: str, options: MojibakeOptions = MojibakeOptions()) -> bool:
    """The cheap pre-check: does ``text`` show a trace of mojibake that a repair
    could act on? Each confirmation mirrors the condition of its repair."""
    if text.isascii():
        return _RARE_SWAP_CHAR.search(text) is not None and _RARE_SWAP.search(text) is not None
    annotation = _annotation_shape()
    lm = None
    checked_to = 0
    questions_to = 0  # the lines before hold no realignment
    for m in _traces().finditer(text):
        kind, pos = m.lastgroup, m.start()
        if kind == "lost" or kind == "swap":
            return True
        if kind == "question":
            if pos >= questions_to and _hidden_byte_run(text, pos):
                if not options.gbk_realign:
                    return True
                # Web pages write ASCII question marks in Chinese (``呢?在``): the
                # line is searched as the repair would search it (remembered for
                # it) and passes only with a candidate repair. That search is the
                # whole line's answer: the line's other ``?`` are not looked at.
                from cleaner.mojibake.gbk import line_candidates

                if lm is None:
                    from cleaner.mojibake import lm as charlm

                    lm = charlm.load()
                line_start = text.rfind("\n", 0, pos) + 1
                questions_to = text.find("\n", pos)
                if questions_to < 0:
                    questions_to = len(text)
                if line_candidates(text[line_start:questions_to], lm, options.realign_margin):
                    return True
        elif kind == "annotation":
            if pos and not text[pos - 1].isascii():
                from cleaner.mojibake.pinyin import is_reading

                if is_reading(text[pos - 1], m.group("syllable")):
                    return True
        else:
            if lm is None:
                from cleaner.mojibake import lm as charlm

                lm = charlm.load()
            if kind == "wedged":
                # a trail byte read as ASCII with no trace of the lost lead: the pair read
                # out of step before it is a rare character (``崿F`` for ``實現``)
                if lm.char_logp(text[pos - 1]) <= -12.5 and not _in_gloss(text, pos, annotation):
                    return True
            elif pos >= checked_to:  # utf8_lead
                end = _garbled_run_at(text, pos, lm, checked_to)
                if end > 0:
                    return True
                checked_to = -end
    return False


def fix_mojibake(text: str, options: MojibakeOptions = MojibakeOptions()) -> tuple[str, list[Change]]:
    """Pure core: the repaired text and one change per repair.

    A repair can uncover another (a run realigned next to a swapped one), so the
    repair runs until nothing changes (at most three rounds): cleaning twice must
    give what cleaning once gave. When a second round was needed, the changes are
    reported per changed line.
    """
    new, changes, annotations = _repair(text, options)
    return new, _with_annotations(text, changes, annotations)


def _repair(text: str, options: MojibakeOptions) -> tuple[str, list[Change], list[tuple[int, int, str]]]:
    """``fix_mojibake`` with the pinyin annotations it removes kept apart, as
    (start, end, syllable): a page can have hundreds, and the pipeline counts
    them without their changes (``_with_annotations`` builds those)."""
    if not needs_repair(text, options):
        return text, [], []
    new, changes, annotations = _fix_round(text, options, checked=True)
    if not changes and not annotations:
        return new, [], []
    final = new
    for _ in range(2):
        again, more, more_annotations = _fix_round(final, options)
        if not more and not more_annotations:
            break
        final = again
    if final == new:
        return new, changes, annotations
    changes = _with_annotations(text, changes, annotations)
    merged: list[Change] = []
    pos = 0
    old_lines, new_lines = text.split("\n"), final.split("\n")
    if len(old_lines) != len(new_lines):
        s, e, after = _trim(text, final)
        return final, [Change(changes[0].code, s, e, text[s:e], after, "several repairs")], []
    for old, line in zip(old_lines, new_lines):
        if old != line:
            s, e, after = _trim(old, line)
            inside = [c for c in changes if pos <= c.start <= pos + len(old)]
            code = inside[0].code if inside else changes[0].code
            detail = "; ".join(c.detail for c in inside) or "repair uncovered by another"
            merged.append(Change(code, pos + s, pos + e, old[s:e], after, detail))
        pos += len(old) + 1
    return final, merged, []


def _with_annotations(text: str, changes: list[Change], annotations: list[tuple[int, int, str]]) -> list[Change]:
    """``changes`` and a change for each removed annotation, by start."""
    if not annotations:
        return changes
    out = changes + [Change("M101", s, e, text[s:e], "", f"reading {syllable} of {text[s - 1]}")
                     for s, e, syllable in annotations]
    out.sort(key=_START)
    return out


_START = attrgetter("start")
_CODE = attrgetter("code")


def _fix_once(text: str, options: MojibakeOptions, checked: bool = False) -> tuple[str, list[Change]]:
    """One round of repair, every change built (for the tests)."""
    new, changes, annotations = _fix_round(text, options, checked)
    return new, _with_annotations(text, changes, annotations)


def _fix_round(text: str, options: MojibakeOptions,
               checked: bool = False) -> tuple[str, list[Change], list[tuple[int, int, str]]]:
    """One round: the repaired text, the changes other than annotations removed
    (by start), and the annotations removed (by start)."""
    if not checked and not needs_repair(text, options):
        return text, [], []
    from cleaner.mojibake import lm as charlm
    from cleaner.mojibake.gbk import find_realignments
    from cleaner.mojibake.pinyin import find_annotations, strip_annotations
    from cleaner.mojibake.swaps import find_swaps

    lm = charlm.load()
    changes: list[Change] = []
    # Claimed spans sorted by start: a page with hundreds of annotations checked
    # each against all the others (quadratic). A span overlapping [s, e) starts
    # before e and less than the longest span before s.
    claimed: list[tuple[int, int]] = []
    longest = 0

    def free(s: int, e: int) -> bool:
        lo = bisect_right(claimed, (s - longest, len(text) + 1))
        hi = bisect_left(claimed, (e, -1))
        return all(e <= a or s >= b for a, b in claimed[lo:hi])

    def add(change: Change) -> None:
        nonlocal longest
        changes.append(change)
        insort(claimed, (change.start, change.end))
        longest = max(longest, change.end - change.start)

    if options.lost_runs and _has_lost_run(text):
        for m in LOST_RUN.finditer(text):
            add(Change("M108", m.start(), m.end(), m.group(), REPLACEMENT, "lost bytes (U+FFFD read as GBK)"))
    hot, rare_swap_chars = _swap_traces(text)
    if options.codec_swaps and hot:
        for r in find_swaps(text, lm, options.swap_gain_per_char, hot=hot):
            if free(r.start, r.end):
                after, _ = strip_annotations(r.after)
                add(Change(_SWAP_CODES[r.swap], r.start, r.end, text[r.start:r.end], after,
                           r.swap + (" (lossy)" if r.lossy else "")))
    if options.gbk_realign:
        cache = None
        for line_start, line in _lines_with_realign_traces(text):
            if cache is None:
                cache = charlm.LazyDocumentBigrams(text, lm)
            for r in find_realignments(line, lm, options.realign_margin, cache):
                s, e = line_start + r.start, line_start + r.end
                if free(s, e):
                    code = "M102" if r.kind == "annotation" else "M103"
                    detail = "straddled pinyin annotation" if r.kind == "annotation" else "lost lead byte"
                    if r.annotations:
                        detail += f"; {r.annotations} annotation removed"
                    add(Change(code, s, e, text[s:e], r.after, detail))
    annotations: list[tuple[int, int, str]] = []
    if options.pinyin_annotations:
        annotations = _unclaimed(find_annotations(text), claimed)
        if annotations:
            longest = max(longest, max(map(sub, map(_END, annotations), map(_FIRST, annotations))))
    if options.latin and hot and rare_swap_chars:
        if annotations:
            claimed = sorted(claimed + [(s, e) for s, e, _ in annotations])
        for line_start, line in _lines_holding(text, _LATIN_START):
            from cleaner.mojibake.latin import fix_latin

            fixed = fix_latin(line)
            if fixed != line:
                s, e, after = _trim(line, fixed)
                s, e = line_start + s, line_start + e
                if free(s, e):
                    add(Change("M107", s, e, text[s:e], after, "latin mojibake (ftfy)"))
    changes.sort(key=_START)
    return _applied(text, changes, annotations), changes, annotations


_FIRST, _END = itemgetter(0), itemgetter(1)


def _unclaimed(annotations: list[tuple[int, int, str]], claimed: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """The ``annotations`` (sorted, none overlapping another) that overlap no
    ``claimed`` span (sorted by start, none overlapping another, so their ends
    are sorted too). The annotations a span overlaps are one stretch of them,
    found by bisection: a page has hundreds of annotations and few other repairs."""
    if not claimed or not annotations:
        return annotations
    ends = list(map(_END, annotations))
    starts = list(map(_FIRST, annotations))
    kept, pos = [], 0
    for a, b in claimed:
        lo = max(bisect_right(ends, a), pos)  # the first ending after the span starts
        hi = bisect_left(starts, b)  # past the last starting before it ends
        if lo < hi:
            kept += annotations[pos:lo]
            pos = hi
    return kept + annotations[pos:] if pos else annotations


def _applied(text: str, changes: list[Change], annotations: list[tuple[int, int, str]]) -> str:
    """``apply_changes`` of ``changes`` and of the removal of ``annotations``,
    the pieces cut and joined in C (a page's hundreds of annotations cost a
    Python step each as changes)."""
    if not annotations:
        from cleaner.passes.base import apply_changes

        return apply_changes(text, changes)
    if changes:
        edits = sorted(chain(((c.start, c.end, c.after) for c in changes),
                             zip(map(_FIRST, annotations), map(_END, annotations), repeat(""))))
        starts, ends, afters = zip(*edits)
    else:
        starts, ends, afters = tuple(map(_FIRST, annotations)), tuple(map(_END, annotations)), ()
    gaps = map(text.__getitem__, map(slice, chain((0,), ends), chain(starts, (len(text),))))
    if not changes:
        return "".join(gaps)
    return "".join(chain.from_iterable(zip(gaps, chain(afters, ("",)))))


_LATIN = re.compile("[\u00c0-\u00ff][\u0080-\u00ff\u0152-\u0192\u02c6-\u02dc\u2013-\u2122]|[\x00-\x08\x0b\x0e-\x1f\x7f]|\x1b\\[")
# Where a _LATIN match starts (``\x1b`` is a control character): the scan
# skips ahead in C to the characters a match opens with.
_LATIN_START = re.compile(
    "[\u00c0-\u00ff\x00-\x08\x0b\x0e-\x1f\x7f]"
    "(?:(?<=[\u00c0-\u00ff])[\u0080-\u00ff\u0152-\u0192\u02c6-\u02dc\u2013-\u2122]|(?<=[\x00-\x08\x0b\x0e-\x1f\x7f]))")


def _lines_holding(text: str, pattern: re.Pattern[str]):
    """(start, line) of each line holding a match of ``pattern`` (which never
    matches a line break), in order."""
    for start in _line_starts_holding(text, pattern):
        end = text.find("\n", start)
        yield start, text[start:] if end < 0 else text[start:end]


def _line_starts_holding(text: str, pattern: re.Pattern[str]) -> list[int]:
    """Where each line holding a match of ``pattern`` (which never matches a
    line break) starts, in order: the search goes on from the end of a line
    found (lines of garble hold a match every few characters)."""
    starts = []
    m = pattern.search(text)
    while m is not None:
        pos = m.start()
        starts.append(text.rfind("\n", 0, pos) + 1)
        end = text.find("\n", pos)
        if end < 0:
            break
        m = pattern.search(text, end)
    return starts


def _hot_positions(text: str) -> list[int]:
    """Sorted positions of codec-swap traces: a swap is tried only on a run holding one."""
    return _swap_traces(text)[0]


def _swap_traces(text: str) -> tuple[list[int], bool]:
    """(``_hot_positions``, does ``text`` hold one of ``_RARE_SWAP_CHAR``)."""
    hot = [m.start() for m in _LOST_OR_REPLACED.finditer(text)] if (
        "\ufffd" in text or _has_lost_run(text)) else []
    # One scan stops at UTF-8 leads read as GBK and at rare swap characters
    # (two scans of a class cost 50 instructions a character each). Every
    # _RARE_SWAP match holds one of _RARE_SWAP_CHAR and none crosses a line
    # break: only the lines holding one are scanned (the pattern's
    # alternatives open with no common character, so its scan tries each one).
    rare_to = -1
    utf8_lead = _utf8_lead_set()
    for m in _swap_starts().finditer(text):
        pos = m.start()
        if text[pos] in utf8_lead:
            if not text[pos + 1:pos + 2].isascii():
                hot.append(pos)
        elif pos >= rare_to:
            start = text.rfind("\n", 0, pos) + 1
            rare_to = text.find("\n", pos)
            if rare_to < 0:
                rare_to = len(text)
            rare = _RARE_SWAP if _KANA_BOX.search(text, start, rare_to) else _RARE_SWAP_NO_KANA
            hot += [r.start() for r in rare.finditer(text, start, rare_to)]
    return sorted(hot), rare_to >= 0


@cache
def _utf8_lead_set() -> frozenset[str]:
    return frozenset(_utf8_as_gbk_chars())


@cache
def _swap_starts() -> re.Pattern[str]:
    return re.compile(f"[{re.escape(_utf8_as_gbk_chars())}{_RARE_SWAP_CHAR.pattern[1:-1]}]")


# U+FFFD or the start of a lost-bytes pair: the scan skips ahead in C to the
# five characters a match opens with (an alternation tries every character)
_LOST_OR_REPLACED = re.compile("[\ufffd锟斤烫屯](?:(?<=\ufffd)|(?<=锟)斤|(?<=斤)拷|(?<=烫)烫|(?<=屯)屯)")
def _has_lost_run(text: str) -> bool:
    """Does ``LOST_RUN`` match in ``text``? Each of its runs holds one of four
    pairs, and a look-up of one character runs at memchr speed (a class scan
    costs 50 instructions a character, a pair's look-up 4)."""
    return (("锟" in text and "锟斤" in text) or ("拷" in text and "斤拷" in text)
            or ("烫" in text and "烫烫" in text) or ("屯" in text and "屯屯" in text))


def _lines_with_realign_traces(text: str):
    """(start, line) of the lines where a misaligned GBK run can start: a ``?``
    or an ASCII character wedged after a non-ASCII one (``find_realignments``
    finds nothing on a line with neither), that show a trace of ``_triggers``'
    GBK pattern. A wedged character is one; a line with only a ``?`` needs it
    beside a non-ASCII character or a ``(chǎn)``-shaped group (the pattern's
    alternation tried every character of such a line)."""
    wedged = set(_line_starts_holding(text, _WEDGED))
    starts = wedged.union(_line_starts_holding(text, _QUESTION))
    annotation = None
    for start in sorted(starts):
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if start not in wedged and not _QUESTION_BESIDE_NON_ASCII.search(line):
            if annotation is None:
                annotation = _annotation_shape()
            if not annotation.search(line):
                continue
        yield start, line


_QUESTION_BESIDE_NON_ASCII = re.compile("[?](?:(?<=[^\\x00-\\x7f][?])|(?=[^\\x00-\\x7f]))")


def _trim(before: str, after: str) -> tuple[int, int, str]:
    """The smallest (start, end, replacement) that turns ``before`` into ``after``."""
    p = 0
    while p < min(len(before), len(after)) and before[p] == after[p]:
        p += 1
    q = 0
    while q < min(len(before), len(after)) - p and before[-1 - q] == after[-1 - q]:
        q += 1
    return p, len(before) - q, after[p:len(after) - q]


def residual_damage(text: str) -> bool:
    """Traces of mojibake the repair left (for the record's flags)."""
    if _has_lost_run(text):
        return True
    if _HIDDEN_BYTE.search(text) is not None:
        return True
    # Two UTF-8 leads read as GBK within three characters, or a Latin-family
    # pair (``_LATIN_START``): told at the stops of the codec-swap scan, whose
    # class holds both openings (a pattern of its own compiled the 380 leads
    # again, 10 million instructions, for one search a page)
    utf8_lead = _utf8_lead_set()
    for m in _swap_starts().finditer(text):
        pos = m.start()
        if text[pos] in utf8_lead:
            for c in text[pos + 1:pos + 4]:
                if c in utf8_lead:
                    return True
                if c.isascii():
                    break
        elif _LATIN_START.match(text, pos):
            return True
    return False


_HIDDEN_BYTE = re.compile("[?](?<=[^\\x00-\\x7f][?])")


class Mojibake(Pass):
    name = "mojibake"
    summary = "mojibake repair: pinyin annotations, misaligned GBK, codec swaps (UTF-8/GBK/Big5/Latin-1), ftfy"
    Options = MojibakeOptions
    codes = (
        Code("M101", "pinyin_annotation", "pinyin reading a converter appended to a character", "企業(yè) -> 企業"),
        Code("M102", "gbk_realign", "GBK run read out of step after a straddled pinyin annotation",
             "抗?fàn)幍膰?yán)重 -> 抗爭的嚴重"),
        Code("M103", "gbk_realign", "GBK run read out of step after a lost lead byte", "??h委 -> 。縣委"),
        Code("M104", "utf8_as_gbk", "UTF-8 bytes read as GBK", "鎴戜滑 -> 我们"),
        Code("M105", "gbk_as_latin1", "GBK bytes read as Latin-1/cp1252", "ÆóÒµ -> 企业"),
        Code("M106", "big5_gbk", "Big5 bytes read as GBK or the reverse", ""),
        Code("M107", "latin_mojibake", "UTF-8 read as cp1252/Latin-1 (ftfy's domain)", "Ã© -> é"),
        Code("M108", "lost_bytes", "bytes lost for good, replaced by one U+FFFD", "锟斤拷 -> \ufffd"),
        Code("M109", "utf8_as_cyrillic", "UTF-8 bytes read as a Cyrillic code page", "жҲ‘жҳҜ -> 我是"),
    )

    def apply(self, text, doc):
        new, changes, annotations = _repair(text, self.options)
        # an annotation's change (``reading yè of 業``) is neither lossy nor holds annotations
        if changes or annotations or REPLACEMENT in text:
            if REPLACEMENT in new or any("lossy" in c.detail for c in changes):
                doc.flag("mojibake_lossy")
        if (changes or annotations) and residual_damage(new):
            doc.flag("mojibake_unrepaired")
        counts = {}
        inside = sum(int(c.detail.split("; ")[1].split()[0]) for c in changes if "annotation removed" in c.detail)
        if inside:
            counts["pinyin_annotation"] = inside
        if not annotations:
            return PassResult(new, changes, counts)
        codes = count_codes(changes, _CODE)
        codes["M101"] = len(annotations)
        return PassResult(new, partial(_with_annotations, text, changes, annotations), counts, codes)
