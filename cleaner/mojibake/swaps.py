"""Whole-span codec swaps: text decoded with the wrong codec, undone.

Each swap re-encodes a run with the codec it was wrongly read as and decodes
it with the one it was written in: UTF-8 read as GBK (``鎴戜滑`` for ``我们``),
GBK read as Latin-1/cp1252 (``ÆóÒµ`` for ``企业``), Big5 read as GBK and the
reverse, UTF-8 read as cp1252 or a Cyrillic code page. The character model
keeps a candidate only when it reads far better than the run as it stands.
"""

from __future__ import annotations

import math
import re
from functools import cache, lru_cache
from typing import NamedTuple

from cleaner.mojibake.lm import CharLM

REPLACEMENT = "\ufffd"


class Swap(NamedTuple):
    name: str  # the fixes detail: which reading was undone
    read_as: str  # codec the bytes were wrongly decoded with
    written_in: str  # codec they were written in
    # characters a run of this damage is made of (ASCII may sit inside a run)
    run: re.Pattern[str]


# A run: non-ASCII characters, possibly with single ASCII characters inside
# (GBK trail bytes 0x40-0x7E decode as ASCII letters). A trailing "?" is an odd
# byte the decoder replaced, eating the ASCII byte after it.
# Written as stretches of non-ASCII characters joined by single ASCII ones
# (a class repeated is one loop in C; the alternation repeated, one character
# at a time, cost a hundred instructions a character), the same matches as
# ``[^\x00-\x7f](?:[^\x00-\x7f]|[\x21-\x7e](?=[^\x00-\x7f]))*\??`` (checked by the tests).
_GBK_RUN = re.compile(r"[^\x00-\x7f]+(?:[\x21-\x7e][^\x00-\x7f]+)*\??")
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


class SwapRepair(NamedTuple):
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


def _gbk_offsets(run: str) -> tuple[frozenset[int], frozenset[int]]:
    """(offsets between characters, offsets of dropped bytes) in ``_encode(run, "gbk")``."""
    boundaries, lost = set(), set()
    offset = 0
    last = len(run) - 1
    for i, c in enumerate(run):
        if c == "?" or (c == "？" and i == last):
            lost.add(offset)
            continue
        offset += 1 if c.isascii() or c == "€" else 2
        boundaries.add(offset)
    return frozenset(boundaries - lost), frozenset(lost)


def _try_swap(text: str, start: int, end: int, swap: Swap, lm: CharLM, min_gain_per_char: float,
              max_lost: float, context: PageContext | None = None) -> SwapRepair | None:
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
            boundaries, lost = _gbk_offsets(run)
            restored = _restore_vanished_pairs(data, lm, boundaries, lost, context,
                                               text[max(0, start - 3):start], text[end:end + 3])
            if not _cjk_or_ascii().fullmatch(restored.decode("utf-8", errors="replace")):
                restored = data  # a reading that holds Hebrew or Thai is no repair
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


# A pair the page's GBK decoder could not map (user-defined and unassigned
# codes: AAA1-AFFE, A140-A7A0, gaps in rows A2-A9, D7FA-D7FE ...; GB18030 reads
# them as private use, which the page then lost) vanished without a trace. Only
# pairs whose first byte can sit inside UTF-8 text matter: a continuation byte.
@cache
def _vanished_pairs() -> dict[str, tuple[bytes, ...]]:
    """The vanished pairs of continuation-byte lead, by what their second byte is
    in UTF-8: ``cont`` (80-BF), ``ascii`` (40-7E), ``lead2`` (C2-DF), ``lead3`` (E0-EF)."""
    kinds: dict[str, list[bytes]] = {"cont": [], "ascii": [], "lead2": [], "lead3": []}
    for a in range(0x80, 0xC0):
        for b in (*range(0x40, 0x7F), *range(0x80, 0xFF)):
            pair = bytes((a, b))
            try:
                pair.decode("gbk")
                continue
            except UnicodeDecodeError:
                pass
            if not all(0xE000 <= ord(c) <= 0xF8FF for c in pair.decode("gb18030", errors="replace")):
                continue  # GB18030 shows it as a character: it did not vanish
            kind = ("ascii" if b < 0x80 else "cont" if b < 0xC0 else "lead2" if 0xC2 <= b < 0xE0
                    else "lead3" if 0xE0 <= b < 0xF0 else None)
            if kind:
                kinds[kind].append(pair)
    return {k: tuple(v) for k, v in kinds.items()}


@lru_cache(maxsize=256)
def _completions(head: bytes, kind: str) -> tuple[tuple[bytes, str], ...]:
    """(pair, character) for each vanished pair of ``kind`` whose first byte (or
    both bytes, for ``cont``) completes the UTF-8 character ``head`` starts."""
    out = []
    for pair in _vanished_pairs()[kind]:
        whole = head + (pair if kind == "cont" else pair[:1])
        try:
            c = whole.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if len(c) == 1:
            out.append((pair, c))
    return tuple(out)


_PUNCT = frozenset("，。、；：？！“”‘’（）《》「」『』【】—…·～％")


class PageContext:
    """What a page says about its own damaged runs, worked out on the first
    damaged run that needs it: the bigrams and characters of its readable text
    (its garbled runs as the swap reads them, U+FFFD where bytes are missing,
    and the restorations made so far: ``卫健委`` repaired on one line tells
    ``卫健?在`` on another), and its script (a Simplified page gains no
    Traditional-only character)."""

    def __init__(self, text: str, lm: CharLM, spans: list[tuple[int, int]]):
        self._text, self._lm, self._spans = text, lm, spans
        self._readable: str | None = None
        self._bigrams: dict[str, float] | None = None
        self._chars: dict[str, int] = {}
        self._han_total = 1
        self._excluded: frozenset[str] = frozenset()
        self.learned: list[str] = []  # restored stretches, with their context
        self.decisions: dict[tuple, tuple[int, bytes] | None] = {}  # memo per break

    def _readable_text(self) -> str:
        if self._readable is None:
            pieces, pos = [], 0
            for lo, hi in self._spans:
                for m in _GBK_RUN.finditer(self._text, lo, hi):
                    data = _encode(m.group(), "gbk") if _garbled_han(m.group(), self._lm) else None
                    if data:
                        pieces += [self._text[pos:m.start()], data.decode("utf-8", errors="replace")]
                        pos = m.end()
            pieces.append(self._text[pos:])
            self._readable = "".join(pieces)
            from cleaner.passes.script import tables

            data = tables().data
            traditional, simplified = frozenset(data["traditional"]), frozenset(data["simplified"])
            n_trad = sum(map(traditional.__contains__, self._readable))
            n_simp = sum(map(simplified.__contains__, self._readable))
            if n_simp > 2 * n_trad:
                self._excluded = traditional
            elif n_trad > 2 * n_simp:
                self._excluded = simplified
        return self._readable

    def learn(self) -> bool:
        """Count the restorations made so far in the page's evidence; True when
        there were any new ones (the breaks left alone are then tried again)."""
        if not self.learned or self._bigrams is None or None not in self.decisions.values():
            return False
        self._bigrams = None
        self.decisions = {k: v for k, v in self.decisions.items() if v is not None}
        return True

    def _build(self) -> None:
        from collections import Counter

        from cleaner.mojibake.lm import document_bigrams

        page = self._readable_text() + "\n" + "\n".join(self.learned)
        # a pair seen once in the page's readable text is evidence enough for a
        # character the bytes leave open
        self._bigrams = document_bigrams(page, self._lm, min_count=1)
        self._chars = Counter(_HAN.findall(page))
        self._han_total = max(1, sum(self._chars.values()))

    @property
    def bigrams(self) -> dict[str, float]:
        if self._bigrams is None:
            self._build()
        return self._bigrams

    def allowed(self, c: str) -> bool:
        """Can ``c`` be what vanished: a character the model knows, of the page's script."""
        self._readable_text()
        return (c in _PUNCT or "\u3400" <= c <= "\u9fff" and c in self._lm.unigrams) and c not in self._excluded

    def page_bonus(self, text: str) -> float:
        """What the page's own character frequencies add to the model's score of
        ``text`` (a cache model: a page about 核酸检测 writes 检 again)."""
        if self._bigrams is None:
            self._build()
        bonus = 0.0
        for c in text:
            p = self._lm.unigrams.get(c)
            if p is not None:
                bonus += math.log(1 - PAGE_WEIGHT + PAGE_WEIGHT * self._chars.get(c, 0) / self._han_total
                                  / math.exp(p))
        return bonus


# Weight of the page's own character frequencies against the model's.
PAGE_WEIGHT = 0.1
# A restored character must read this much better (natural log) than every
# other reading of the bytes, else the break stays U+FFFD: a made-up character
# reads as text, U+FFFD says that something is lost. On the cwced pages damaged
# like page-033 (benchmarks/mojibake_quality.py --synthetic 69), readings that
# win by 2.5-3 are right 9 times in 10, those that win by 2-2.5 only 7 in 10.
RESTORE_MARGIN = 2.5
_CONTEXT_CHARS = 3


def _restore_vanished_pairs(data: bytes, lm: CharLM, boundaries: frozenset[int] = frozenset(),
                            lost: frozenset[int] = frozenset(), context: PageContext | None = None,
                            left: str = "", right: str = "") -> bytes:
    """Put back vanished GBK pairs where UTF-8 decoding of ``data`` breaks, where
    the model (with the page's own bigrams) clearly prefers one reading.

    ``boundaries`` are the byte offsets between the characters of the garbled
    run: a pair can only have vanished there, never inside a character. At one
    boundary one pair or two side by side may be gone (``中说`` lost AD E8 AF B4),
    searched jointly. ``lost`` are offsets where the decoder dropped an odd byte
    (a ``?``): a break there is not a vanished pair. ``left``/``right`` are the
    text around the run. A break left alone decodes to U+FFFD.
    """
    context = context or PageContext("", lm, [])
    done = bytearray()
    pos = 0
    while pos < len(data):
        try:
            data[pos:].decode("utf-8")
            break
        except UnicodeDecodeError as err:
            bad = pos + err.start
        f = bad + 1
        while f < len(data) and 0x80 <= data[f] <= 0xBF:
            f += 1
        cs = bad
        if 0x80 <= data[bad] <= 0xBF:
            # a stray continuation byte: the pair vanished inside the character
            # before it, which took this one's bytes (``捻`` E6 8D BB for ``据从``
            # E6 8D AE | E4 BB 8E with AE E4 gone)
            cs = bad - 1
            while cs > pos and 0x80 <= data[cs] <= 0xBF:
                cs -= 1
            if not (cs >= pos and 0xC2 <= data[cs] <= 0xEF and cs + (2 if data[cs] < 0xE0 else 3) == bad):
                cs = bad
        choice = None
        if 0xC2 <= data[cs] <= 0xEF and not any(cs <= x <= f for x in lost):
            choice = _choose(data, cs, f, boundaries, done + data[pos:cs], lm, context, left, right)
        if choice is None:
            # decodes to U+FFFD; a character that took a stray byte's place is
            # not what was written either
            done += data[pos:f] if cs == bad else data[pos:cs] + b"\xff"
        else:
            p, pairs = choice
            done += data[pos:p] + pairs + data[p:f]
        pos = f
    done += data[pos:]
    return bytes(done)


def _choose(data: bytes, cs: int, f: int, boundaries: frozenset[int], before: bytes, lm: CharLM,
            context: PageContext, outer_left: str, outer_right: str) -> tuple[int, bytes] | None:
    """(offset, pairs) to insert into ``data[cs:f]``, the UTF-8 character broken
    at ``cs`` and its continuation bytes, or None when no reading is clearly best."""
    left = (outer_left + before.decode("utf-8", errors="replace"))[-_CONTEXT_CHARS:]
    after = data[f:f + 4 * _CONTEXT_CHARS].decode("utf-8", errors="replace")
    cut = after.find(REPLACEMENT)
    right = (after if cut < 0 else after[:cut])[:_CONTEXT_CHARS]
    if cut < 0 and len(right) < _CONTEXT_CHARS and f + 4 * _CONTEXT_CHARS >= len(data):
        right = (right + outer_right)[:_CONTEXT_CHARS]
    spots = tuple(p - cs for p in range(cs + 1, f + 1) if p in boundaries)
    key = (left, data[cs:f], spots, right)
    if key in context.decisions:
        return context.decisions[key]
    # candidates: (offset, inserted bytes, text of data[cs:f] with them)
    candidates: list[tuple[int, bytes, str]] = []
    lead = data[cs]
    size = 2 if lead < 0xE0 else 3
    allowed = context.allowed
    top_pairs = []
    for rel in spots:
        p = cs + rel
        head, conts = data[cs:p], data[p:f]
        need = size - len(head)
        if need == 2 and not conts:
            candidates += [(p, pair, c) for pair, c in _completions(head, "cont") if allowed(c)]
        elif need == 1:
            kind = {0: "ascii", 1: "lead2", 2: "lead3"}.get(len(conts))
            for pair, c in _completions(head, kind) if kind else ():
                if not allowed(c):
                    continue
                try:
                    nxt = (pair[1:] + conts).decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if kind == "ascii" or allowed(nxt):
                    candidates.append((p, pair, c + nxt))
            if not conts:
                # two pairs side by side: the first completes this character and
                # starts a 3-byte one, the second is that one's continuation bytes
                firsts = [(pair, c) for pair, c in _completions(head, "lead3") if allowed(c)]
                seconds = {}
                for pair, c in firsts:
                    if pair[1:] not in seconds:
                        seconds[pair[1:]] = [(q, d) for q, d in _completions(pair[1:], "cont") if allowed(d)]
                pool = [(q, d) for lead3 in seconds.values() for q, d in lead3]
                if pool:
                    # the second character is judged first by what follows it
                    scores = lm.score_each([d + right for _, d in pool], context.bigrams)
                    ranked = sorted(zip(scores, range(len(pool))), reverse=True)[:24]
                    keep = {pool[i][1] for _, i in ranked}
                    for pair, c in firsts:
                        for q, d in seconds[pair[1:]]:
                            if d in keep:
                                top_pairs.append((p, pair + q, c + d))
    candidates += top_pairs
    choice = None
    if candidates:
        scores = lm.score_each([left + text + right for _, _, text in candidates], context.bigrams)
        scores = [s + context.page_bonus(text) for s, (_, _, text) in zip(scores, candidates)]
        order = sorted(range(len(candidates)), key=scores.__getitem__, reverse=True)
        best = order[0]
        runner_up = next((scores[i] for i in order[1:] if candidates[i][2] != candidates[best][2]), None)
        if runner_up is None or scores[best] - runner_up >= RESTORE_MARGIN:
            choice = (candidates[best][0], candidates[best][1])
        if choice:
            context.learned.append(left + candidates[best][2] + right)
    context.decisions[key] = choice
    return choice


@cache
def _cjk_or_ascii() -> re.Pattern[str]:
    # compiled when a swap first gets this far (its class fills a table of
    # 25,000 characters in Python): most processes never need it
    return re.compile("[\x00-\x7f\u00b0\u00b7\u00d7\u00f7\u2000-\u206f\u3000-\u303f\u3400-\u9fff\uff00-\uffef\ufffd]*")


def _garbled_han(run: str, lm: CharLM, min_share: float = 0.15) -> bool:
    """Garble read as GBK is mostly rare characters (鎴戜滑); clean text is not."""
    return _garbled_counts(*han_counts(run, lm), min_share)


def _garbled_counts(han: int, rare: int, min_share: float = 0.15) -> bool:
    """``_garbled_han`` of a run with ``han`` characters of ``_HAN``, ``rare`` of them not common."""
    return bool(han) and rare >= min_share * han


def han_counts(run: str, lm: CharLM) -> tuple[int, int]:
    """(characters of ``_HAN`` in ``run``, those of them the model finds rare,
    below ``common_set(-12.5)``), counted in C: ``run`` translated through a
    table of what each character is (finding the Han characters and looking
    each up in the common set made a string of every one)."""
    kinds = run.translate(_han_kinds(lm))
    rare = kinds.count("r")
    return rare + kinds.count("c"), rare


@cache
def _han_kinds(lm: CharLM) -> str:
    """For each BMP code point: ``c`` a common character of ``_HAN``, ``r`` another
    of ``_HAN``, ``.`` anything else (a character past the table stays itself)."""
    table = bytearray(b"." * 0x10000)
    for lo, hi in ((0x3400, 0xA000), (0xF900, 0xFB00)):  # _HAN's ranges
        table[lo:hi] = b"r" * (hi - lo)
    for c in lm.common_set(-12.5):
        if ord(c) < 0x10000 and table[ord(c)] == ord("r"):
            table[ord(c)] = ord("c")
    return table.decode("latin-1")


def _collapse_replacements(text: str) -> str:
    # Truly lost bytes become one U+FFFD, however many the decoder reported.
    return re.sub("\ufffd+", REPLACEMENT, text)


def find_swaps(text: str, lm: CharLM, min_gain_per_char: float = 2.0,
               max_lost: float = 0.25, hot: list[int] | None = None) -> list[SwapRepair]:
    """Codec swaps in ``text``; with ``hot`` (sorted positions of cheap triggers),
    only runs holding one are tried, so a long clean document costs little."""
    found: list[SwapRepair] = []
    # No run crosses a line break, so only the lines holding a hot position are
    # scanned: the runs found there are the ones a scan of the whole text finds.
    spans = [(0, len(text))] if hot is None else _lines_holding(text, hot)
    context = PageContext(text, lm, spans)  # does its work only when a run needs it
    garbled: dict[tuple[int, int], bool] = {}  # three swaps read the same GBK runs
    runs: dict[re.Pattern[str], list[tuple[int, int]]] = {}  # and find them once
    for swap in SWAPS:
        found += _find_runs(text, lm, swap, spans, hot, context, garbled, min_gain_per_char, max_lost, runs)
        if swap.name == "utf8_as_gbk" and context.learn():
            # a break left alone may read clearly once the page's other
            # restorations are counted: its runs are tried once more
            found = [r for r in found if r.swap != "utf8_as_gbk"]
            found += _find_runs(text, lm, swap, spans, hot, context, garbled, min_gain_per_char, max_lost, runs)
    chosen: list[SwapRepair] = []
    for r in sorted(found, key=lambda r: -r.gain):
        if all(r.end <= c.start or r.start >= c.end for c in chosen):
            chosen.append(r)
    return sorted(chosen, key=lambda r: r.start)


def _find_runs(text: str, lm: CharLM, swap: Swap, spans: list[tuple[int, int]], hot: list[int] | None,
               context: PageContext, garbled: dict[tuple[int, int], bool], min_gain_per_char: float,
               max_lost: float, runs: dict | None = None) -> list[SwapRepair]:
    """The best repair by ``swap`` of each run in ``spans`` holding a ``hot`` position
    (``runs`` keeps the runs each pattern found for the next swap using it)."""
    found = []
    spans_found = None if runs is None else runs.get(swap.run)
    if spans_found is None:
        spans_found = _hot_runs(text, swap.run, spans, hot)
        if runs is not None:
            runs[swap.run] = spans_found
    for start, end in spans_found:
        if swap.run is _GBK_RUN:
            span = (start, end)
            if span not in garbled:
                garbled[span] = _garbled_han(text[start:end], lm)
            if not garbled[span]:
                continue
        best = best_score = None
        # clean text may run straight into the garble: try dropping a few leading
        # characters, and keep the reading of the whole run that scores best
        for skip in range(min(8, end - start - 1)):
            r = _try_swap(text, start + skip, end, swap, lm, min_gain_per_char, max_lost, context)
            if r:
                score = lm.score(text[start:r.start] + r.after)
                if best is None or score > best_score:
                    best, best_score = r, score
        if best:
            found.append(best)
    return found


def _hot_runs(text: str, run: re.Pattern[str], spans: list[tuple[int, int]],
              hot: list[int] | None) -> list[tuple[int, int]]:
    """(start, end) of each match of ``run`` in ``spans`` that holds a ``hot`` position."""
    from bisect import bisect_left

    found = []
    for lo, hi in spans:
        for m in run.finditer(text, lo, hi):
            if hot is not None:
                i = bisect_left(hot, m.start())
                if i == len(hot) or hot[i] >= m.end():
                    continue
            found.append(m.span())
    return found


def _lines_holding(text: str, positions: list[int]) -> list[tuple[int, int]]:
    """(start, end) of each line holding one of the sorted ``positions``, in order."""
    spans: list[tuple[int, int]] = []
    for pos in positions:
        if spans and pos < spans[-1][1]:
            continue
        end = text.find("\n", pos)
        spans.append((text.rfind("\n", 0, pos) + 1, len(text) if end < 0 else end))
    return spans


# spelled as the html pass spells it: one compiled pattern in a pipeline's process
# (compiling the class fills a table of its characters in Python, once)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def plausible(candidate: str, lm: CharLM, min_known: float = 0.25) -> bool:
    """Does ``candidate`` hold real words? Garble decoded from garble is common
    characters in pairs no dictionary knows (``岸岸岸`` from box drawing)."""
    pairs = [a + b for a, b in zip(candidate, candidate[1:]) if _HAN.match(a) and _HAN.match(b)]
    if not pairs:
        return False
    known = sum(p in lm.bigrams for p in pairs)
    return known >= 1 and known >= min_known * len(pairs)
