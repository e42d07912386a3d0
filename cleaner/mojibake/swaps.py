"""Whole-span codec swaps: text decoded with the wrong codec, undone.

Each swap re-encodes a run with the codec it was wrongly read as and decodes
it with the one it was written in: UTF-8 read as GBK (``鎴戜滑`` for ``我们``),
GBK read as Latin-1/cp1252 (``ÆóÒµ`` for ``企业``), Big5 read as GBK and the
reverse, UTF-8 read as cp1252 or a Cyrillic code page. The character model
keeps a candidate only when it reads far better than the run as it stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cleaner.mojibake.lm import CharLM

REPLACEMENT = "\ufffd"


@dataclass(frozen=True, slots=True)
class Swap:
    name: str  # the fixes detail: which reading was undone
    read_as: str  # codec the bytes were wrongly decoded with
    written_in: str  # codec they were written in
    # characters a run of this damage is made of (ASCII may sit inside a run)
    run: re.Pattern[str]


# A run: non-ASCII characters, possibly with single ASCII characters inside
# (GBK trail bytes 0x40-0x7E decode as ASCII letters). A trailing "?" is an odd
# byte the decoder replaced, eating the ASCII byte after it.
_GBK_RUN = re.compile(r"[^\x00-\x7f](?:[^\x00-\x7f]|[\x21-\x7e](?=[^\x00-\x7f]))*\??")
_LATIN_RUN = re.compile(
    "[\u00a0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e"
    "\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122\u0081\u008d\u008f\u0090\u009d]"
    "(?:[\u00a0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e"
    "\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122\u0081\u008d\u008f\u0090\u009d]|[\x21-\x7e](?=[\u00a0-\u00ff]))+"
)
_CYRILLIC_RUN = re.compile("[\u0400-\u04ff\u2013-\u201e\u2116](?:[\u0400-\u04ff\u2013-\u201e\u2116\u00a0-\u00bf])+")

SWAPS = (
    Swap("utf8_as_gbk", "gbk", "utf-8", _GBK_RUN),
    Swap("gbk_as_latin1", "latin-1", "gb18030", _LATIN_RUN),
    Swap("gbk_as_cp1252", "sloppy-windows-1252", "gb18030", _LATIN_RUN),
    Swap("utf8_as_cp1252", "sloppy-windows-1252", "utf-8", _LATIN_RUN),
    Swap("utf8_as_cyrillic", "ptcp154", "utf-8", _CYRILLIC_RUN),
    Swap("big5_as_gbk", "gbk", "big5hkscs", _GBK_RUN),
    Swap("gbk_as_big5", "big5hkscs", "gb18030", _GBK_RUN),
)


@dataclass(frozen=True, slots=True)
class SwapRepair:
    start: int
    end: int
    after: str
    gain: float
    swap: str
    lossy: bool


def _encode(run: str, codec: str) -> bytes | None:
    if codec == "gbk":
        # "?" stands for a byte the decoder replaced; cp936 shows byte 0x80 as "€".
        parts = []
        last = len(run) - 1
        for i, c in enumerate(run):
            # a later pass may have widened the "?" to "？"
            if c == "?" or (c == "？" and i == last):
                continue
            if c == "€":
                parts.append(b"\x80")
                continue
            try:
                parts.append(c.encode("gbk"))
            except UnicodeEncodeError:
                return None
        return b"".join(parts)
    try:
        return run.encode(codec)
    except UnicodeEncodeError:
        return None


def _try_swap(text: str, start: int, end: int, swap: Swap, lm: CharLM, min_gain_per_char: float,
              max_lost: float) -> SwapRepair | None:
    run = text[start:end]
    if len(run) < 2 or run.isascii():
        return None
    if swap.read_as.startswith("sloppy-"):
        # registers the sloppy codecs; importing ftfy costs 0.1 s, paid only
        # by a run that may be UTF-8 or GBK read as cp1252
        import ftfy.bad_codecs  # noqa: F401
    if swap.run is _GBK_RUN and len(_HAN.findall(run)) < 2:
        return None  # GBK-decoded garble is mostly Han characters
    data = _encode(run, swap.read_as)
    if not data:
        return None
    try:
        after = data.decode(swap.written_in)
        lossy = False
    except UnicodeDecodeError:
        restored = data
        first_try = data.decode(swap.written_in, errors="replace")
        if first_try.count(REPLACEMENT) > max_lost * max(1, len(first_try)):
            return None
        if swap.name == "utf8_as_gbk":
            restored = _restore_vanished_pairs(data, lm)
            if not _CJK_OR_ASCII.fullmatch(restored.decode("utf-8", errors="replace")):
                restored = data  # a guess that decodes to Hebrew or Thai is no repair
        after = _collapse_replacements(restored.decode(swap.written_in, errors="replace"))
        # restored pairs are the model's best guess, not the bytes: say so
        lossy = REPLACEMENT in after or restored != data
    if run.endswith(("?", "？")) and not after.endswith(REPLACEMENT):
        after += REPLACEMENT
        lossy = True
    lost = after.count(REPLACEMENT)
    if after == run or lost > max_lost * max(1, len(after)):
        return None
    if any(0xE000 <= ord(c) <= 0xF8FF or (ord(c) < 32 and c not in "\t\n") for c in after):
        return None  # private use or control characters: not what was written
    if not plausible(after, lm):
        return None
    left = text[max(0, start - 2):start]
    right = text[end:end + 2]
    gain = lm.score(left + after + right) - lm.score(left + run + right)
    if gain >= min_gain_per_char * len(run) and gain >= 8.0:
        return SwapRepair(start, end, after, gain, swap.name, lossy)
    return None


# GBK's user-defined areas (AAA1-AFFE; F8A1-FEFE cannot occur inside UTF-8):
# a pair of UTF-8 bytes that landed there vanished when the page was decoded.
_VANISHED = [bytes((a, b)) for a in range(0xAA, 0xB0) for b in range(0xA1, 0xFF)]


def _restore_vanished_pairs(data: bytes, lm: CharLM, max_pairs: int = 4) -> bytes:
    """Put back vanished pairs where UTF-8 decoding breaks, if the model agrees."""
    for _ in range(max_pairs):
        try:
            data.decode("utf-8")
            return data
        except UnicodeDecodeError as err:
            bad = err.start
        best, best_score = None, None
        for pos in range(max(0, bad - 2), min(len(data), bad + 2) + 1):
            # Only the bytes around the break are built per candidate (copying the
            # whole run for each of ~2,800 candidates made long pages quadratic).
            # data[:bad] is valid UTF-8, so the candidate's prefix up to bad + 3 is
            # valid exactly when it is valid from the last character start <= pos.
            start = min(pos, bad)
            while start > 0 and 0x80 <= data[start] <= 0xBF:
                start -= 1
            head, tail, upto = data[start:pos], data[pos:bad + 1], bad + 3 - start
            w_head, w_tail = data[max(0, bad - 6):pos], data[pos:bad + 7]
            for pair in _VANISHED:
                try:
                    (head + pair + tail)[:upto].decode("utf-8")
                except UnicodeDecodeError:
                    continue
                score = lm.score((w_head + pair + w_tail).decode("utf-8", errors="ignore"))
                if best_score is None or score > best_score:
                    best, best_score = (pos, pair), score
        if best is None:
            return data
        data = data[:best[0]] + best[1] + data[best[0]:]
    return data


_CJK_OR_ASCII = re.compile("[\x00-\x7f\u2000-\u206f\u3000-\u303f\u3400-\u9fff\uff00-\uffef\ufffd]*")


def _garbled_han(run: str, lm: CharLM, min_share: float = 0.15) -> bool:
    """Garble read as GBK is mostly rare characters (鎴戜滑); clean text is not."""
    han = _HAN.findall(run)
    # counted in C over the set of common characters (see CharLM.common_set)
    return bool(han) and len(han) - sum(map(lm.common_set(-12.5).__contains__, han)) >= min_share * len(han)


def _collapse_replacements(text: str) -> str:
    # Truly lost bytes become one U+FFFD, however many the decoder reported.
    return re.sub("\ufffd+", REPLACEMENT, text)


def find_swaps(text: str, lm: CharLM, min_gain_per_char: float = 2.0,
               max_lost: float = 0.25, hot: list[int] | None = None) -> list[SwapRepair]:
    """Codec swaps in ``text``; with ``hot`` (sorted positions of cheap triggers),
    only runs holding one are tried, so a long clean document costs little."""
    from bisect import bisect_left

    found: list[SwapRepair] = []
    # No run crosses a line break, so only the lines holding a hot position are
    # scanned: the runs found there are the ones a scan of the whole text finds.
    spans = [(0, len(text))] if hot is None else _lines_holding(text, hot)
    garbled: dict[tuple[int, int], bool] = {}  # three swaps read the same GBK runs
    for swap in SWAPS:
        for m in (m for lo, hi in spans for m in swap.run.finditer(text, lo, hi)):
            if hot is not None:
                i = bisect_left(hot, m.start())
                if i == len(hot) or hot[i] >= m.end():
                    continue
            if swap.run is _GBK_RUN:
                span = m.span()
                if span not in garbled:
                    garbled[span] = _garbled_han(m.group(), lm)
                if not garbled[span]:
                    continue
            best = None
            # clean text may run straight into the garble: try dropping a few leading characters
            for skip in range(0, min(8, len(m.group()) - 1)):
                r = _try_swap(text, m.start() + skip, m.end(), swap, lm, min_gain_per_char, max_lost)
                if r and (best is None or r.gain > best.gain):
                    best = r
            if best:
                found.append(best)
    chosen: list[SwapRepair] = []
    for r in sorted(found, key=lambda r: -r.gain):
        if all(r.end <= c.start or r.start >= c.end for c in chosen):
            chosen.append(r)
    return sorted(chosen, key=lambda r: r.start)


def _lines_holding(text: str, positions: list[int]) -> list[tuple[int, int]]:
    """(start, end) of each line holding one of the sorted ``positions``, in order."""
    spans: list[tuple[int, int]] = []
    for pos in positions:
        if spans and pos < spans[-1][1]:
            continue
        end = text.find("\n", pos)
        spans.append((text.rfind("\n", 0, pos) + 1, len(text) if end < 0 else end))
    return spans


_HAN = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def plausible(candidate: str, lm: CharLM, min_known: float = 0.25) -> bool:
    """Does ``candidate`` hold real words? Garble decoded from garble is common
    characters in pairs no dictionary knows (``岸岸岸`` from box drawing)."""
    pairs = [a + b for a, b in zip(candidate, candidate[1:]) if _HAN.match(a) and _HAN.match(b)]
    if not pairs:
        return False
    known = sum(p in lm.bigrams for p in pairs)
    return known >= 1 and known >= min_known * len(pairs)
