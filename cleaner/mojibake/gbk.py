"""GBK text decoded one byte out of step, and how to put it back in step.

Two mechanisms leave the same trace (see SPEC and ``examples/README.md``):

- a byte-level pinyin annotator matched the two bytes that straddle two
  characters (``抗爭`` = BF B9 A0 8E, B9 A0 is 範 fàn) and inserted ``(fàn)``
  after A0; A0 plus ``(`` decoded as one ``?`` and the rest of the run is read
  one byte late: ``抗?fàn)幍膰?yán)重`` for ``抗爭的嚴(yán)重``;
- a lead byte was lost: ``。縣`` = A1 A3 BF 68 read from A3 is ``？h``; the
  page later folded full-width ASCII to ASCII, so ``??h委`` for ``。縣委``.

A misaligned run is read as: a start (a ``?`` that hid a byte, a ``?py)``
annotation, or nothing), characters each made of the trail byte of one real
character and the lead byte of the next, and an end where an ASCII byte put
the decoder back in step (an ASCII letter that is really a trail byte, a ``?``
that hid a trail byte and ate an ASCII byte, or another ``?py)``). Re-encoding
the run, choosing the hidden bytes and decoding gives the candidate; the
character model decides whether it is better.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from operator import add
from typing import NamedTuple

from cleaner.mojibake.lm import CharLM, LazyDocumentBigrams
from cleaner.mojibake.pinyin import SYLLABLE, is_reading

REPLACEMENT = "\ufffd"
# ASCII punctuation that the page folded from full-width GBK (A3xx) forms.
FOLDED = frozenset("?!,:;")
# A "?" that hides a byte, optionally with the annotation after it. Never U+FFFD:
# that is what a repair writes for bytes lost for good (here or in a codec swap),
# so reading it as a hidden byte would "repair" the repair on the next run
# (``总人\ufffdg`` -> ``总人間``) and cleaning twice would differ from cleaning once.
_MARKER = re.compile(f"[?](?:({SYLLABLE})\\))?")
# GBK trail bytes 0x40-0x7E read alone are these ASCII characters.
_END_LETTER = re.compile("(?:(?<=[^\\x00-\\x7f])|(?<=[?!,:;)]))[A-Za-z@\\[\\]\\\\^_`{|}~](?![A-Za-z])")
MAX_RUN = 40
# spelled as the html pass spells it: one compiled pattern in a pipeline's process
# (compiling the class fills a table of its characters in Python, once)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LEADS = range(0x81, 0xFF)
TRAILS = [*range(0x40, 0x7F), *range(0x80, 0xFF)]


class Repair(NamedTuple):
    start: int
    end: int
    after: str
    gain: float
    kind: str  # "annotation" (straddled annotation) or "lost_lead"
    annotations: int = 0  # real annotations removed inside the repaired run


@cache
def _gbk2(c: str) -> bytes | None:
    try:
        b = c.encode("gbk")
    except UnicodeEncodeError:
        return None
    return b if len(b) == 2 else None


def _char(pair: bytes) -> str | None:
    try:
        c = pair.decode("gbk")
    except UnicodeDecodeError:
        return None
    return c if len(c) == 1 and not c.isascii() else None


# The search tries every lead byte before a trail byte and every trail byte
# after a lead byte, run after run: each row and column of the GBK table is
# decoded once (decoding pair by pair was a fifth of the pass).
@cache
def _row(lead: int) -> tuple[tuple[int, str], ...]:
    """(trail, character) of the characters ``lead`` + a trail byte, in byte order."""
    return _decoded_pairs(TRAILS, [bytes((lead, t)) for t in TRAILS])


@cache
def _column(trail: int) -> tuple[tuple[int, str], ...]:
    """(lead, character) of the characters a lead byte + ``trail``, in byte order."""
    return _decoded_pairs(LEADS, [bytes((x, trail)) for x in LEADS])


def _decoded_pairs(keys, pairs: list[bytes]) -> tuple[tuple[int, str], ...]:
    """(key, ``_char(pair)``) of each pair that decodes, all decoded in one call
    (a decode per pair, its error caught, cost a row 1.3 million instructions).
    Each pair follows a line break, which no GBK byte pair takes as its own, so
    each decodes alone; a pair that does not decode leaves more than one
    character, a surrogate for each bad byte (checked against ``_char`` by the tests)."""
    pieces = b"\n".join(pairs).decode("gbk", "surrogateescape").split("\n")
    return tuple((k, c) for k, c in zip(keys, pieces)
                 if len(c) == 1 and not c.isascii())


def _run_bytes(run: str) -> bytes | None:
    out = bytearray()
    for c in run:
        if "!" <= c <= "~":  # folded from a full-width form (A3A1-A3FE)
            out += bytes((0xA3, ord(c) + 0x80))
            continue
        b = _gbk2(c)
        if b is None:
            return None
        out += b
    return bytes(out)


@lru_cache(maxsize=4096)
def _reading_leads(byte: int, syllable: str) -> tuple[int, ...]:
    """Second bytes after ``byte`` that make a character read ``syllable``
    (the annotator's match), each a possible hidden lead byte."""
    return tuple(x for x, c in _row(byte) if x >= 0x81 and is_reading(c, syllable))


@lru_cache(maxsize=4096)
def _first_candidates(trail: int, leads: tuple[int, ...] | None) -> tuple[str, ...]:
    """Characters a hidden lead byte (any, or one of ``leads``) + ``trail``."""
    if leads is None:
        return tuple(c for _, c in _column(trail))
    column = dict(_column(trail))
    return tuple(column[x] for x in leads if x in column)


@lru_cache(maxsize=4096)
def _reading_trails(lead: int, syllable: str) -> tuple[str, ...]:
    return tuple(c for _, c in _row(lead) if is_reading(c, syllable))


@cache
def _trails(lead: int) -> tuple[str, ...]:
    return tuple(c for _, c in _row(lead))


# The best reading of one character depends on nothing else, and the same
# damage recurs (the same garbled line on every page of a site, a run tried
# again from the next marker): remembered, bounded.
@lru_cache(maxsize=4096)
def _best(cands: tuple[str, ...], left: str, right: str, lm: CharLM) -> str | None:
    best, best_score = None, lm.score(left + REPLACEMENT + right)
    # ``left`` is scored once; each candidate adds its own terms (same floats as
    # scoring ``left + c + right`` whole, see CharLM.extend)
    texts = [c + right for c in cands]
    scores = lm.extend_each(lm.score(left), left[-1], texts) if left else lm.score_each(texts)
    for c, s in zip(cands, scores):
        if s > best_score:
            best, best_score = c, s
    return best


# The same damaged line recurs on many pages of a site (seed 004's lines on 56
# pages of the benchmark corpus: 1,600 searches of 170 lines). A line's search
# depends on its page only through the vanished-pair searches that finish its
# candidates: the rest (markers, runs, hidden bytes, the model's scores) is
# remembered per line, and each vanished-pair search under the page's values
# of the pairs it can score (``_page_answers``). Both memos are bounded
# (emptied when full).
_LINE_MEMO: dict = {}
_VANISHED_MEMO: dict = {}
_MAX_MEMO = 4096


class _Candidate(NamedTuple):
    """A realigned run before its vanished-pair search: ``chars`` between
    ``left`` and ``right`` (``search_right`` is what the search sees after it,
    ``suffix`` what follows it in the repair)."""

    start: int
    end: int
    chars: str
    left: str
    right: str
    search_right: str
    suffix: str
    original: float  # score of the run as it stands, with its context
    kind: str
    annotations: int


def find_realignments(text: str, lm: CharLM, margin: float = 10.0,
                      cache: dict[str, float] | None = None) -> list[Repair]:
    """Non-overlapping repairs of misaligned GBK runs in ``text``, best first chosen."""
    return _choose([_finish(c, lm, cache) for c in line_candidates(text, lm, margin)])


def line_candidates(text: str, lm: CharLM, margin: float = 10.0) -> tuple[_Candidate, ...]:
    """The candidate repairs of the line ``text``, remembered (see _LINE_MEMO).
    Every candidate becomes a repair of ``find_realignments`` or loses to one
    that overlaps it, so none means that the line has nothing to realign,
    whatever page holds it."""
    key = (text, margin, lm)
    candidates = _LINE_MEMO.get(key)
    if candidates is None:
        candidates = _candidates(text, lm, margin)
        if len(_LINE_MEMO) >= _MAX_MEMO:
            _LINE_MEMO.clear()
        _LINE_MEMO[key] = candidates
    return candidates


def _find_realignments(text: str, lm: CharLM, margin: float, cache) -> list[Repair]:
    """``find_realignments`` with nothing remembered (for the tests)."""
    return _choose([_finish(c, lm, cache, remember=False) for c in _candidates(text, lm, margin)])


def _choose(repairs: list[Repair]) -> list[Repair]:
    """The best non-overlapping ``repairs``, in text order."""
    chosen: list[Repair] = []
    for r in sorted(repairs, key=lambda r: -r.gain):
        if all(r.end <= c.start or r.start >= c.end for c in chosen):
            chosen.append(r)
    return sorted(chosen, key=lambda r: r.start)


def _finish(c: _Candidate, lm: CharLM, cache, remember: bool = True) -> Repair:
    search = _remembered_vanished if remember else _insert_vanished
    after = search(c.chars, c.left, c.search_right, lm, cache) + c.suffix
    gain = lm.score(c.left + after + c.right) - c.original
    return Repair(c.start, c.end, after, gain, c.kind, c.annotations)


def _candidates(text: str, lm: CharLM, margin: float) -> tuple[_Candidate, ...]:
    """The candidate repairs of ``text``, in the order they are found."""
    # (pos, end, syllable-or-None, is_letter)
    markers: list[tuple[int, int, str | None, bool]] = []
    for m in _MARKER.finditer(text):
        s = m.start()
        # beside a non-ASCII character, looking past other folded marks (``??h``)
        near_cjk = not text[max(0, s - 1):s].isascii() or not text[m.end():m.end() + 3].isascii()
        if near_cjk:
            markers.append((s, m.end(), m.group(1), False))
    if not markers and not _END_LETTER.search(text):
        return ()
    in_gloss = _inside_pinyin_gloss(text)
    for m in _END_LETTER.finditer(text):
        if m.start() not in in_gloss:
            markers.append((m.start(), m.end(), None, True))
    markers.sort()

    candidates: list[_Candidate] = []
    for i, (s, s_end, syl, letter) in enumerate(markers):
        ends = [mk for mk in markers[i + 1:i + 4] if mk[0] - s_end <= MAX_RUN]
        if letter:
            # No trace of the lost lead byte (``崿F`` for ``實現``): try starts before the letter.
            if s == 0 or lm.char_logp(text[s - 1]) > -12.5:
                continue  # the pair read out of step before the letter is a rare character (崿F)
            for k in range(1, 7):
                start = s - k
                if start < 0 or not all(not c.isascii() or c in FOLDED for c in text[start:s]):
                    break
                r = _try(text, start, start, None, "none", (s, s_end, None, True), lm, margin)
                if r:
                    candidates.append(r)
            continue
        for end in ends:
            if "\n" in text[s_end:end[0]]:
                break
            r = _try(text, s, s_end, syl, "annotation" if syl else "lost", end, lm, margin)
            if r:
                candidates.append(r)
    return tuple(candidates)


_GLOSS = re.compile(f"[(（]{SYLLABLE}[)）]")


def _inside_pinyin_gloss(text: str) -> set[int]:
    """Positions inside ``(chǎn)``-shaped groups: the ``n`` after ``ǎ`` is a pinyin
    letter the converter wrote, not a GBK trail byte read as ASCII (trying it cost
    a model search per annotation on seed 004 and found nothing)."""
    return {i for m in _GLOSS.finditer(text) for i in range(m.start() + 1, m.end() - 1)}


def _try(text: str, s: int, run_start: int, syl: str | None, start_kind: str,
         end: tuple[int, int, str | None, bool], lm: CharLM, margin: float) -> _Candidate | None:
    e, e_end, e_syl, e_letter = end
    run = text[run_start:e]
    if not _HAN.search(text[max(0, s - 1):e_end + 1]):
        return None  # misread GBK Chinese is mostly Han characters
    if not run and start_kind != "none" and not e_letter:
        return None
    body = _run_bytes(run)
    if body is None:
        return None
    if e_letter:
        tail = text[e].encode("ascii")
        body_all = body + tail
    else:
        body_all = body  # last byte hidden under the end marker
    left = text[max(0, s - 2):s]
    right = text[e_end:e_end + 2]

    # the first real character: hidden lead byte + first byte of the run
    if start_kind == "annotation":
        if s == 0:
            return None
        prev = _gbk2(text[s - 1])
        if prev is None:
            return None
        leads = _reading_leads(prev[1], syl)
    else:
        leads = None  # any
    if not body_all:
        return None
    # middle characters decode in step
    if e_letter:
        mid_bytes = body_all[1:]
        if len(mid_bytes) % 2:
            return None
    else:
        mid_bytes = body_all[1:-1] if len(body_all) >= 2 else b""
        if len(body_all) < 2 or len(mid_bytes) % 2:
            return None
    try:
        middle = mid_bytes.decode("gbk")
    except UnicodeDecodeError:
        return None
    if len(middle) * 2 != len(mid_bytes):
        return None
    first_cands = _first_candidates(body_all[0], leads)
    if not first_cands:
        return None
    first = _best(first_cands, left, middle[:1] or right[:1], lm)
    if first is None:
        if start_kind == "annotation":
            return None
        first = REPLACEMENT
    annotations = 0
    last = ""
    suffix = ""
    if not e_letter:
        lead = body_all[-1]
        if e_syl:
            trails = _reading_trails(lead, e_syl)
            annotations = 1
        else:
            trails = _trails(lead)
            suffix = REPLACEMENT  # the ASCII byte the decoder ate is lost
        before_last = (first + middle)[-1:]
        last = _best(trails, before_last, suffix or right[:1], lm)
        if last is None:
            if e_syl:
                return None
            last = REPLACEMENT
            suffix = ""
    after = first + middle + last + suffix
    original = lm.score(left + text[s:e_end] + right)
    if lm.score(left + after + right) - original < margin:
        return None
    kind = "annotation" if start_kind == "annotation" else "lost_lead"
    return _Candidate(s, e_end, first + middle + last, left, right, suffix or right, suffix, original, kind,
                      annotations)


# GBK's user-defined areas: a misaligned pair landing there vanished without a trace.
_VANISHED_FIRST = [*range(0xAA, 0xB0), *range(0xF8, 0xFF)]
_VANISHED_SECOND = range(0xA1, 0xFF)


@cache
def _vanished_firsts(lead: int) -> tuple[str, ...]:
    """Characters ``lead`` + a byte that opens a user-defined pair, in byte order."""
    return tuple(c for t, c in _row(lead) if t in _VANISHED_FIRST)


@cache
def _vanished_seconds(trail: int) -> tuple[str, ...]:
    """Characters a user-defined area's second byte + ``trail``, in byte order."""
    return tuple(c for x, c in _column(trail) if x >= _VANISHED_SECOND.start)


def _by_score(cands, scores: list[float]) -> list[str]:
    """``cands`` best first; equals keep their order (a stable sort, as before)."""
    return [cands[i] for i in sorted(range(len(cands)), key=lambda i: -scores[i])]


def _window_candidates(pair: bytes, prev: str, window_end: str, lm: CharLM, cache) -> list[tuple[str, str]]:
    """(a, b) pairs to try for the two-byte ``pair``: the 13 best first halves
    after ``prev`` by 5 best second halves before ``window_end``."""
    firsts, seconds = _vanished_firsts(pair[0]), _vanished_seconds(pair[1])
    firsts = _by_score(firsts, lm.extend_each(lm.first_logp(prev), prev, firsts, cache))[:13]
    seconds = _by_score(seconds, lm.score_each([c + window_end for c in seconds], cache))[:5]
    return [(a, b) for a in firsts for b in seconds]


def _doc_window_candidates(pair: bytes, prev: str, window_end: str, lm: CharLM, cache) -> list[tuple[str, str]]:
    """``_window_candidates`` under a document that knows some of the pairs:
    the model's scores of the halves (remembered), with the score of each half
    whose pair recurs in the document worked out again under it (for any other
    pair the document's score is the model's, to the last bit)."""
    firsts, seconds = _vanished_firsts(pair[0]), _vanished_seconds(pair[1])
    first_scores, second_scores = _model_half_scores(pair, prev, window_end, lm)
    first_scores = _rescored(first_scores, firsts, cache.after(prev), lambda a: lm.score(prev + a, cache))
    before_end = cache.before(window_end) if window_end else None
    second_scores = _rescored(second_scores, seconds, before_end, lambda b: lm.score(b + window_end, cache))
    firsts = _by_score(firsts, first_scores)[:13]
    seconds = _by_score(seconds, second_scores)[:5]
    return [(a, b) for a in firsts for b in seconds]


def _rescored(scores: list[float], halves: tuple[str, ...], recurring, score_of) -> list[float]:
    """``scores`` of ``halves``, with each half that the page pairs with the
    window's character (``recurring``) scored again by ``score_of`` (a copy
    when any is: the model's scores are remembered)."""
    if not recurring:
        return scores
    index = _index(halves)
    known = [c for c in recurring if c in index]
    if not known:
        return scores
    scores = list(scores)
    for c in known:
        scores[index[c]] = score_of(c)
    return scores


@lru_cache(maxsize=4096)
def _model_half_scores(pair: bytes, prev: str, window_end: str, lm: CharLM) -> tuple[list[float], list[float]]:
    """Model scores of ``prev + a`` for each first half and of ``b + window_end``
    for each second half of the two-byte ``pair`` (callers copy before changing)."""
    firsts, seconds = _vanished_firsts(pair[0]), _vanished_seconds(pair[1])
    return (lm.extend_each(lm.first_logp(prev), prev, firsts),
            lm.score_each([c + window_end for c in seconds]))


@lru_cache(maxsize=1024)
def _index(chars: tuple[str, ...]) -> dict[str, int]:
    return {c: i for i, c in enumerate(chars)}


def _model_alone(cache, prev: str, window_end: str, pair: bytes) -> bool:
    """Are all the pairs ``_window_candidates`` and the windows score unknown to
    the document? Then the model alone decides, the same on every page."""
    firsts, seconds = _vanished_firsts(pair[0]), _index(_vanished_seconds(pair[1]))
    after_prev = cache.after(prev)
    if any(a in after_prev for a in firsts):
        return False
    if window_end and any(b in seconds for b in cache.before(window_end)):
        return False
    after = cache.after
    return not any(b in seconds for a in firsts for b in after(a))


@lru_cache(maxsize=4096)
def _model_windows(pair: bytes, prev: str, window_end: str, lm: CharLM):
    """``_window_candidates`` under the model alone, with the three terms each
    window adds (0.0 for a missing third: adding it changes no float)."""
    candidates = _window_candidates(pair, prev, window_end, lm, None)
    terms = [(lm.term(prev + a), lm.term(a + b), lm.term(b + window_end) if window_end else 0.0)
             for a, b in candidates]
    return candidates, terms


def _remembered_vanished(chars: str, left: str, right: str, lm: CharLM, cache) -> str:
    """``_insert_vanished``, remembered under the page's answers (see _LINE_MEMO)."""
    if not isinstance(cache, LazyDocumentBigrams):
        return _insert_vanished(chars, left, right, lm, cache)
    answers = _page_answers(chars, left, right, cache)
    key = (chars, left, right, lm)
    seen = _VANISHED_MEMO.get(key)
    if seen is None:
        if len(_VANISHED_MEMO) >= _MAX_MEMO:
            _VANISHED_MEMO.clear()
        seen = _VANISHED_MEMO[key] = {}
    result = seen.get(answers)
    if result is None:
        if len(seen) >= 64:
            seen.clear()
        result = seen[answers] = _insert_vanished(chars, left, right, lm, cache)
    return result


def _page_answers(chars: str, left: str, right: str, cache: LazyDocumentBigrams) -> tuple:
    """What ``_insert_vanished(chars, left, right, lm, cache)`` learns from the
    page: the page's value of each pair it can score that has one.

    Its result is the candidate that scoring whole picks (checked by the tests),
    and the whole scores use pairs of ``left + chars + right``, of the
    character before a vanished pair with its first half, of the halves, and
    of the second half with the character after. A pair the page gives no
    value (one not recurring there, or with a rare character) scores as the
    model alone scores it, and only pairs of the page's characters recur.
    """
    whole, by_prev, by_end, by_first = _answer_plan(chars, left, right)
    found = set(filter(cache.recurs, whole))
    after, before = cache.after, cache.before
    # the page's recurring pairs are few: the candidates are looked up among them
    for prev, firsts in by_prev.items():
        found.update(prev + a for a in after(prev) if a in firsts)
    for window_end, seconds in by_end.items():
        found.update(b + window_end for b in before(window_end) if b in seconds)
    for a, seconds in by_first.items():
        followers = after(a)  # mostly empty: the page lacks ``a``
        if followers:
            found.update(a + b for b in followers if b in seconds)
    return tuple((p, v) for p in sorted(found) if (v := cache.get(p)) is not None)


@lru_cache(maxsize=4096)
def _answer_plan(chars: str, left: str, right: str) -> tuple[frozenset[str], dict, dict, dict]:
    """The pairs ``_page_answers`` asks a page about, the same on every page:
    (the pairs of ``left + chars + right``, the first halves that may follow
    each character before a vanished pair, the second halves that may come
    before each character after one, the second halves that may follow each
    first half). A pair is asked about when one place ``k`` in ``chars`` makes it."""
    whole = left + chars + right
    by_prev: dict[str, set[str]] = {}
    by_end: dict[str, set[str]] = {}
    by_first: dict[str, set[str]] = {}
    for k in range(1, len(chars)):
        pair = _gbk2(chars[k])
        if pair is None:
            continue
        prev, window_end = (left + chars[:k])[-1], (chars[k + 1:] + right)[:1]
        firsts, seconds = _vanished_firsts(pair[0]), _vanished_seconds(pair[1])
        by_prev.setdefault(prev, set()).update(firsts)
        if window_end:
            by_end.setdefault(window_end, set()).update(seconds)
        for a in firsts:
            by_first.setdefault(a, set()).update(seconds)
    return frozenset(map(add, whole, whole[1:])), _frozen(by_prev), _frozen(by_end), _frozen(by_first)


def _frozen(sets: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    return {c: frozenset(v) for c, v in sets.items()}


# Two scores of one candidate computed in a different order may differ in the
# last bits; far below any difference the model makes between two readings.
_ROUNDING = 1e-6


def _insert_vanished(chars: str, left: str, right: str, lm: CharLM,
                     cache, margin: float = 5.0) -> str:
    """Put back one pair that vanished inside the run (``奔疵旱V`` lost AA D4 of ``吉源``).

    The whole candidate ``left + chars[:k] + a + b + chars[k + 1:] + right`` is
    what is compared, but a bigram score of candidates that share a head and
    a tail differs only in the terms of ``a``, ``b`` and the character after
    them: the head is scored once per ``k``, each candidate's window is added to
    it, and only the candidates whose window comes within rounding of the best
    window get the tail added (a running score only grows with its start, so no
    other candidate can reach the best). The result is the candidate the whole
    scoring picks, the first of equals included.
    """
    if not cache:
        return chars
    best, best_score = chars, lm.score(left + chars + right, cache)
    base = best_score
    for k in range(1, len(chars)):
        pair = _gbk2(chars[k])
        if pair is None:
            continue
        before, after = left + chars[:k], chars[k + 1:] + right
        prev, window_end, tail = before[-1], after[:1], after[1:]
        head = lm.score(before, cache)
        if _model_alone(cache, prev, window_end, pair):
            candidates, terms = _model_windows(pair, prev, window_end, lm)
            windows = []
            for t1, t2, t3 in terms:
                w = head
                w += t1
                w += t2
                w += t3
                windows.append(w)
        else:
            candidates = _doc_window_candidates(pair, prev, window_end, lm, cache)
            windows = lm.extend_each(head, prev, [a + b + window_end for a, b in candidates], cache)
        if not candidates:
            continue
        top = max(windows)
        for w, (a, b) in zip(windows, candidates):
            if w < top - _ROUNDING:
                continue
            s = lm.extend(w, window_end or b, tail, cache)
            if s > best_score:
                best, best_score = chars[:k] + a + b + chars[k + 1:], s
    return best if best_score - base >= margin else chars

