"""A character language model: is this run of characters Chinese or garble?

Unigram and bigram counts of Simplified and Traditional characters, built by
``scripts/build_charlm.py`` from jieba's dictionary (MIT). The model is loaded
on first use (a few milliseconds), never at import, so ``cleaner --help`` stays fast.
Scores are natural-log probabilities; only differences between two readings of
the same bytes matter, so the constants for non-Han characters are coarse.
"""

from __future__ import annotations

import functools
import math
import re
from array import array
from bisect import bisect_left
from collections import Counter
from functools import cache
from operator import add, itemgetter

from cleaner.data import read_table, u32_array

# Interpolation weight of the bigram estimate.
BIGRAM_WEIGHT = 0.7
# Characters below this unigram log-probability count as rare.
RARE_LOGP = -13.0

_CJK_PUNCT = frozenset("，。、；：？！“”‘’（）《》「」『』【】—…·～％")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_HAN_CLASS = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"


def _is_han(c: str) -> bool:
    """Does ``c`` open with a character of ``_HAN_CLASS``? Compared, not
    matched: compiling the class fills a table of its 28,000 characters in
    Python, once per process (``_HAN_RUN`` needs it compiled, this does not)."""
    c = c[:1]
    return ("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\uf900" <= c <= "\ufaff"
            or "\U00020000" <= c <= "\U0003134f")

# log-probabilities of characters the dictionary does not cover
LOGP_CJK_PUNCT = math.log(0.03)
LOGP_ASCII = math.log(0.004)
LOGP_SPACE = math.log(0.01)
LOGP_REPLACEMENT = math.log(1e-5)
LOGP_QUESTION = math.log(2e-4)  # an ASCII "?" in Chinese text is often damage
LOGP_OTHER = math.log(1e-7)  # kana, Cyrillic, Latin-1 letters, private use ...


_LOG_UNSEEN_PAIR = math.log(1.0 - BIGRAM_WEIGHT)
# Memoised terms kept at most (about 30 MB); a corpus with damage meets a few
# thousand distinct pairs per damaged page, mostly the same ones.
_MAX_TERMS = 200_000


class _BigramTable:
    """log P(b | a) from the count tables, worked out per pair when it is first
    asked for: a corpus meets a few thousand of the 111k pairs. The pairs are
    a sorted array of ``ord(a) << 16 | ord(b)`` keys searched in C (building a
    dictionary of them cost 20 ms per process)."""

    def __init__(self, keys: array, counts: array, chars: list[str], unigram_counts: array):
        self._keys, self._counts = keys, counts
        # the characters' counts, made a dictionary when a pair is first asked
        # for (11 million instructions): the pre-check loads the model for the
        # characters' probabilities, and clean pages never ask for a pair
        self._chars, self._unigram_array = chars, unigram_counts
        self._unigram_counts: dict[str, int] | None = None

    def count(self, pair: str) -> int | None:
        if len(pair) != 2 or pair[0] > "\uffff" or pair[1] > "\uffff":
            return None
        key = ord(pair[0]) << 16 | ord(pair[1])
        i = bisect_left(self._keys, key)
        return self._counts[i] if i < len(self._keys) and self._keys[i] == key else None

    def get(self, pair: str, default: float | None = None) -> float | None:
        n = self.count(pair)
        if n is None:
            return default
        unigram_counts = self._unigram_counts
        if unigram_counts is None:
            unigram_counts = self._unigram_counts = dict(zip(self._chars, self._unigram_array))
        first = unigram_counts.get(pair[0])
        if first is None:
            return default
        return math.log(n) - math.log(first)

    def __contains__(self, pair: str) -> bool:
        return self.get(pair) is not None


class CharLM:
    def __init__(self, unigrams: dict[str, float], bigrams, floor: float):
        self.unigrams = unigrams  # char -> log P(char)
        self.bigrams = bigrams  # pair -> log P(b | a), a mapping with .get and ``in``
        self.floor = floor  # log P of an unseen Han character
        # A score is a sum of one term per character, and the GBK search scores
        # hundreds of thousands of short candidates built from a few thousand
        # distinct pairs: each term (an exp and a log) is worked out once.
        self._char_logps: dict[str, float] = {}
        self._terms: dict[str, float] = {}

    def char_logp(self, c: str) -> float:
        p = self.unigrams.get(c)
        if p is not None:
            return p
        if c in _CJK_PUNCT:
            return LOGP_CJK_PUNCT
        if c == "?":
            return LOGP_QUESTION
        if c == "\ufffd":
            return LOGP_REPLACEMENT
        if c.isspace():
            return LOGP_SPACE
        if c.isascii():
            return LOGP_ASCII
        if _is_han(c):
            return self.floor
        return LOGP_OTHER

    def _term(self, pair: str, cache) -> float:
        """What ``pair[1]`` adds to a score after ``pair[0]``."""
        b = cache.get(pair) if cache else None
        model_term = b is None  # the document does not know the pair: the model's own
        if model_term:
            t = self._terms.get(pair)
            if t is not None:
                return t
            b = self.bigrams.get(pair)
        u = self._char_logps.get(pair[1])
        if u is None:
            u = self._char_logps[pair[1]] = self.char_logp(pair[1])
        if b is None:
            t = _LOG_UNSEEN_PAIR + u
        else:
            t = math.log(BIGRAM_WEIGHT * math.exp(b) + (1.0 - BIGRAM_WEIGHT) * math.exp(u))
        if model_term:
            if len(self._terms) >= _MAX_TERMS:
                self._terms.clear()  # a long run of damaged pages: memory stays bounded
            self._terms[pair] = t
        return t

    def term(self, pair: str) -> float:
        """What ``pair[1]`` adds to a score after ``pair[0]`` (the model alone)."""
        t = self._terms.get(pair)
        return self._term(pair, None) if t is None else t

    def first_logp(self, c: str) -> float:
        """What the first character of a text adds to its score."""
        p = self._char_logps.get(c)
        if p is None:
            p = self._char_logps[c] = self.char_logp(c)
        return p

    def score(self, text: str, cache=None) -> float:
        """Log-probability of ``text`` (first character scored by its unigram).

        ``cache`` holds bigram log-probabilities from the document itself (see
        ``LazyDocumentBigrams``): names such as ``吉源煤礦`` are in no dictionary
        but recur in the article that is being repaired.
        """
        return self._extend_each(0.0, None, (text,), cache)[0]

    def extend(self, total: float, prev: str, text: str, cache=None) -> float:
        """``score(s + text)`` given ``total == score(s)`` and ``prev == s[-1]``.

        The terms are added one at a time, left to right, exactly as ``score``
        adds them, so the result is the same float: a search can score the
        shared head of its candidates once and the decisions stay the same.
        """
        return self._extend_each(total, prev, (text,), cache)[0]

    def extend_each(self, total: float, prev: str, texts, cache=None) -> list[float]:
        """``[extend(total, prev, t, cache) for t in texts]``: the GBK search
        scores a hundred candidates at a time."""
        return self._extend_each(total, prev, texts, cache)

    def score_each(self, texts, cache=None) -> list[float]:
        """``[score(t, cache) for t in texts]``."""
        return self._extend_each(0.0, None, texts, cache)

    def _extend_each(self, total: float, prev: str | None, texts, cache) -> list[float]:
        # With ``prev`` None, each text is scored from its first character.
        # A term is the document's own only for a pair that recurs in it (see
        # LazyDocumentBigrams); every other pair takes the model's memoised
        # term, so a new document does not work out its terms again. Under a
        # document, each term met is kept with it: a pair is asked about once.
        model_terms = self._terms
        if not cache:
            doc_terms, recurs = model_terms, None
        elif isinstance(cache, LazyDocumentBigrams):
            doc_terms, recurs = cache.terms, cache.recurs
        else:  # a plain dict of bigrams
            doc_terms, recurs = {}, cache.__contains__
        doc_get, model_get = doc_terms.get, model_terms.get
        first_logps = self._char_logps
        out = []
        for text in texts:
            if prev is not None:
                s, p = total, prev
            elif not text:
                out.append(0.0)
                continue
            else:
                p = text[0]
                s = first_logps.get(p)
                if s is None:
                    s = self.first_logp(p)
                text = text[1:]
            for c in text:
                pair = p + c
                t = doc_get(pair)
                if t is None:
                    if recurs is not None and recurs(pair):
                        t = self._term(pair, cache)
                    else:
                        t = model_get(pair)
                        if t is None:
                            t = self._term(pair, None)
                    if recurs is not None:
                        doc_terms[pair] = t
                s += t
                p = c
            out.append(s)
        return out

    @functools.lru_cache(maxsize=4)  # noqa: B019 (one model per process, loaded once)
    def common_set(self, threshold: float) -> frozenset[str]:
        """Characters in the unigram table at or above ``threshold``: for a
        character of the Han blocks, exactly those with ``char_logp(c) >=
        threshold``, since one the table lacks scores ``floor`` or
        ``LOGP_OTHER``, both below any threshold the callers use (checked)."""
        assert max(self.floor, LOGP_OTHER) < threshold
        return frozenset(c for c, p in self.unigrams.items() if p >= threshold)

    def is_rare(self, c: str) -> bool:
        return self.char_logp(c) < RARE_LOGP

    def common_chars(self) -> str:
        return "".join(c for c, p in self.unigrams.items() if p >= RARE_LOGP)


@cache
def load() -> CharLM:
    """The model from ``charlm.bin`` (see ``scripts/build_charlm.py`` for the
    format; the same counts as ``charlm.txt.gz``, checked by the tests)."""
    fields, payload = read_table("charlm.bin", "#charlm-bin 2", "scripts/build_charlm.py")
    n_uni, n_bi = int(fields["unigrams"]), int(fields["bigrams"])
    if len(payload) != 8 * (n_uni + n_bi):
        raise ValueError("charlm.bin: truncated")
    tables = []
    offset = 0
    for n in (n_uni, n_uni, n_bi, n_bi):
        tables.append(u32_array(payload[offset:offset + 4 * n]))
        offset += 4 * n
    _, uni_counts, keys, counts = tables  # the code points are decoded whole below
    # the characters decoded in one call, each log-probability worked out in C
    # (a comprehension over the 13,700 characters cost a third of the loading)
    # (one list of them, so both tables share each key and its hash)
    chars = list(bytes(payload[:4 * n_uni]).decode("utf-32-le"))
    total = float(fields["total"])
    log_total = math.log(total)
    # the counts take a few hundred values: each one's log-probability is
    # worked out once (the same float as working it out per character)
    logp_of = {n: math.log(n) - log_total for n in set(uni_counts)}
    unigrams = dict(zip(chars, map(logp_of.__getitem__, uni_counts)))
    return CharLM(unigrams, _BigramTable(keys, counts, chars, uni_counts), math.log(0.5) - log_total)


_HAN_RUN = re.compile(f"{_HAN_CLASS}{{2,}}")


def _han_runs(text: str) -> str:
    # One string of the runs, counted in C: a per-run Counter.update loop cost
    # 5 ms on a long page. The "\n" between runs is never Han: its pairs are
    # dropped by the callers.
    return "\n".join(_HAN_RUN.findall(text))


def _document_counts(text: str) -> tuple[Counter[str], Counter[str]]:
    """(characters, adjacent pairs) of the runs of Han characters in ``text``."""
    runs = _han_runs(text)
    return Counter(runs), Counter(map(add, runs, runs[1:]))


def document_bigrams(text: str, lm: CharLM, min_count: int = 2) -> dict[str, float]:
    """Bigrams of common Han characters that recur in ``text``, as log P(b | a)."""
    firsts, pairs = _document_counts(text)
    return {ab: math.log(n / firsts[ab[0]]) for ab, n in pairs.items()
            if n >= min_count and "\n" not in ab and not lm.is_rare(ab[0]) and not lm.is_rare(ab[1])}


def _followers(runs: str, a: str) -> dict[str, int]:
    """How often each character follows ``a`` in ``runs`` ("\n"-joined Han runs).
    Found occurrence by occurrence, each ``find`` a scan in C: a character
    asked about is on a news-sized page a few times, and a split of the whole
    page into pieces, counted, cost half as much again (a long page, where a
    common character is there thousands of times, splits: ``_split_followers``)."""
    counts: dict[str, int] = {}
    find = runs.find
    i = find(a)
    while i >= 0:
        b = runs[i + 1:i + 2]
        counts[b] = counts.get(b, 0) + 1
        i = find(a, i + 1)
    counts.pop("", None)  # the end of the text
    counts.pop("\n", None)
    return counts


def _preceders(runs: str, b: str) -> dict[str, int]:
    """How often each character comes before ``b`` in ``runs``: ``_followers``
    read backwards (``_split_preceders`` on a long page)."""
    counts: dict[str, int] = {}
    find = runs.find
    i = find(b)
    while i >= 0:
        if i:
            a = runs[i - 1]
            counts[a] = counts.get(a, 0) + 1
        i = find(b, i + 1)
    counts.pop("\n", None)
    return counts




def _split_followers(runs: str, a: str) -> Counter[str]:
    """``_followers`` by one split in C. A piece after a split opens with the
    follower; an empty one is ``a`` again, or the end of the text after the last piece."""
    pieces = runs.split(a)
    if len(pieces) == 1:
        return Counter()
    counts = Counter(map(_FIRST, pieces[1:]))
    doubled = counts.pop("", 0) - (pieces[-1] == "")
    counts.pop("\n", None)
    if doubled:
        counts[a] = doubled
    return counts


def _split_preceders(runs: str, b: str) -> Counter[str]:
    """``_preceders`` by one split: ``_split_followers`` read backwards (the
    empty first piece is the start of the text)."""
    pieces = runs.split(b)
    if len(pieces) == 1:
        return Counter()
    counts = Counter(map(_LAST, pieces[:-1]))
    doubled = counts.pop("", 0) - (pieces[0] == "")
    counts.pop("\n", None)
    if doubled:
        counts[b] = doubled
    return counts


_FIRST = itemgetter(slice(0, 1))
_LAST = itemgetter(slice(-1, None))


class LazyDocumentBigrams:
    """``document_bigrams(text, lm).get``, counted where a search looks.

    A search asks about a few hundred pairs of a page, and the page writes few
    of them: the pairs that open with one character are counted together the
    first time one of them is asked about (a split of the page's Han runs, in
    C), and a pair's value is worked out when it is asked for. Counting every
    pair of the page cost 2,000 instructions per character of it.
    """

    # Each look splits the whole page: a long page (a book, a site in one
    # record) is asked about thousands of characters, and the looks grow with
    # its length squared. Counting every pair once costs about as much as 150
    # splits of a long page (a 1M-character page: 140 ms against 0.4-1.5 ms a
    # split), so after that many looks a long page has every pair counted. A
    # page of news size never is: there a split costs microseconds and building
    # the tables of all pairs costs more than all its looks (measured: twice the
    # whole pass on the benchmark corpus).
    _SPLIT_BUDGET = 150
    _LONG_PAGE = 50_000  # characters of Han runs

    def __init__(self, text: str, lm: CharLM, min_count: int = 2):
        self._text, self._lm, self._min_count = text, lm, min_count
        self._runs: str | None = None
        self._after: dict[str, dict[str, int]] = {}
        self._before: dict[str, dict[str, int]] = {}
        self._opens: dict[str, int] = {}  # how often a character is in the runs
        self._scanned = 0  # looks that split the page
        # every pair, by first and by second character, once the splits cost more
        self._by_first: dict[str, dict[str, int]] | None = None
        self._by_second: dict[str, dict[str, int]] = {}
        # score terms under this document (see CharLM._extend_each)
        self.terms: dict[str, float] = {}

    def _han_runs(self) -> str:
        if self._runs is None:
            self._runs = _han_runs(self._text)
        return self._runs

    def after(self, a: str) -> dict[str, int]:
        """The characters that follow ``a`` at least ``min_count`` times, with
        how often: the pairs opening with ``a`` that have a value."""
        found = self._after.get(a)
        if found is None:
            runs = self._runs
            # most characters a search asks about are not on a page of news
            # size: answered here, without the general look
            if runs is not None and len(runs) < self._LONG_PAGE and a not in runs:
                found = self._after[a] = {}
            else:
                found = self._after[a] = self._recurring(a, _followers, first=True)
        return found

    def before(self, b: str) -> dict[str, int]:
        """The characters that come before ``b`` at least ``min_count`` times."""
        found = self._before.get(b)
        if found is None:
            found = self._before[b] = self._recurring(b, _preceders, first=False)
        return found

    def _recurring(self, c: str, split, first: bool) -> dict[str, int]:
        if c == "\n":
            return {}
        runs = self._han_runs()
        if self._by_first is None and len(runs) >= self._LONG_PAGE:
            self._scanned += 1
            if self._scanned > self._SPLIT_BUDGET:
                self._count_all()
        if self._by_first is not None:
            counts = (self._by_first if first else self._by_second).get(c, {})
        elif len(runs) >= self._LONG_PAGE:
            if c not in runs:
                return {}
            counts = (_split_followers if first else _split_preceders)(runs, c)
        elif c not in runs:  # most characters asked about
            return {}
        else:
            counts = split(runs, c)
        m = self._min_count
        return {x: n for x, n in counts.items() if n >= m}

    def _count_all(self) -> None:
        runs = self._runs
        by_first: dict[str, dict[str, int]] = {}
        by_second: dict[str, dict[str, int]] = {}
        for pair, n in Counter(map(add, runs, runs[1:])).items():
            a, b = pair
            if a != "\n" and b != "\n":
                by_first.setdefault(a, {})[b] = n
                by_second.setdefault(b, {})[a] = n
        self._by_first, self._by_second = by_first, by_second
        self._opens.update(Counter(runs))

    def recurs(self, pair: str) -> bool:
        """Is ``pair`` seen at least ``min_count`` times (has it a value of its own)?"""
        found = self._after.get(pair[0])
        if found is None:
            found = self.after(pair[0])
        return pair[1:] in found

    def knows_any(self, pairs) -> bool:
        """Has the document a value of its own for any of ``pairs`` (an
        iterable of two-character strings)? When not, scores under it are the
        model's alone."""
        return any(map(self.recurs, pairs))

    def get(self, key: str, default=None):
        n = self.after(key[0]).get(key[1:]) if len(key) == 2 else None
        if n is None:
            return default
        if self._lm.is_rare(key[0]) or self._lm.is_rare(key[1]):
            return default
        # how often the first character opens a pair: its count in the runs
        a = key[0]
        total = self._opens.get(a)
        if total is None:
            total = self._opens[a] = self._runs.count(a)
        return math.log(n / total)

    def __bool__(self) -> bool:
        return True
