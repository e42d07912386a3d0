"""A character language model: is this run of characters Chinese or garble?

Unigram and bigram counts of Simplified and Traditional characters, built by
``scripts/build_charlm.py`` from jieba's dictionary (MIT). The model is loaded
on first use (about 0.2 s), never at import, so ``cleaner --help`` stays fast.
Scores are natural-log probabilities; only differences between two readings of
the same bytes matter, so the constants for non-Han characters are coarse.
"""

from __future__ import annotations

import gzip
import math
import re
from collections import Counter
from operator import add
from functools import cache
from importlib import resources

# Interpolation weight of the bigram estimate.
BIGRAM_WEIGHT = 0.7
# Characters below this unigram log-probability count as rare.
RARE_LOGP = -13.0

_CJK_PUNCT = frozenset("，。、；：？！“”‘’（）《》「」『』【】—…·～％")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")

# log-probabilities of characters the dictionary does not cover
LOGP_CJK_PUNCT = math.log(0.03)
LOGP_ASCII = math.log(0.004)
LOGP_SPACE = math.log(0.01)
LOGP_REPLACEMENT = math.log(1e-5)
LOGP_QUESTION = math.log(2e-4)  # an ASCII "?" in Chinese text is often damage
LOGP_OTHER = math.log(1e-7)  # kana, Cyrillic, Latin-1 letters, private use ...


_LOG_UNSEEN_PAIR = math.log(1.0 - BIGRAM_WEIGHT)


class _BigramTable:
    """log P(b | a) from the count table, worked out per pair when it is first
    asked for: parsing and taking logs of all 111k pairs at load cost 0.1 s,
    and a corpus meets a few thousand of them."""

    def __init__(self, counts: dict[str, str]):
        self._counts = counts  # unparsed: "7" for a count of 7

    def get(self, pair: str, default: float | None = None) -> float | None:
        n = self._counts.get(pair) if len(pair) == 2 else None
        if n is None:
            return default
        first = self._counts.get(pair[0])
        if first is None:
            return default
        return math.log(int(n)) - math.log(int(first))

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
        if _HAN.match(c):
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
            self._terms[pair] = t
        return t

    def score(self, text: str, cache=None) -> float:
        """Log-probability of ``text`` (first character scored by its unigram).

        ``cache`` holds bigram log-probabilities from the document itself (see
        ``LazyDocumentBigrams``): names such as ``吉源煤礦`` are in no dictionary
        but recur in the article that is being repaired.
        """
        if not text:
            return 0.0
        first = text[0]
        total = self._char_logps.get(first)
        if total is None:
            total = self._char_logps[first] = self.char_logp(first)
        return self.extend(total, first, text[1:], cache)

    def extend(self, total: float, prev: str, text: str, cache=None) -> float:
        """``score(s + text)`` given ``total == score(s)`` and ``prev == s[-1]``.

        The terms are added one at a time, left to right, exactly as ``score``
        adds them, so the result is the same float: a search can score the
        shared head of its candidates once and the decisions stay the same.
        """
        if cache:
            terms = getattr(cache, "terms", None)
            if terms is None:  # a plain dict: no memo of its own
                terms = {}
        else:
            terms = self._terms
        get = terms.get
        for c in text:
            pair = prev + c
            t = get(pair)
            if t is None:
                t = terms[pair] = self._term(pair, cache)
            total += t
            prev = c
        return total

    def is_rare(self, c: str) -> bool:
        return self.char_logp(c) < RARE_LOGP

    def common_chars(self) -> str:
        return "".join(c for c, p in self.unigrams.items() if p >= RARE_LOGP)


@cache
def load() -> CharLM:
    raw = resources.files("cleaner.data").joinpath("charlm.txt.gz").read_bytes()
    header, _, body = gzip.decompress(raw).decode("utf-8").partition("\n")
    total = float(header.split("total=")[1])
    # "<chars>\t<count>" lines, and no key holds whitespace: one C-level split;
    # the counts stay strings until a pair is first looked up (see _BigramTable).
    fields = body.split()
    counts = dict(zip(fields[0::2], fields[1::2]))
    log_total = math.log(total)
    unigrams = {k: math.log(int(n)) - log_total for k, n in counts.items() if len(k) == 1}
    return CharLM(unigrams, _BigramTable(counts), math.log(0.5) - log_total)


_HAN_RUN = re.compile(f"{_HAN.pattern}{{2,}}")


def _document_counts(text: str) -> tuple[Counter[str], Counter[str]]:
    """(characters, adjacent pairs) of the runs of Han characters in ``text``."""
    # One string of the runs, counted in C: a per-run Counter.update loop cost
    # 5 ms on a long page. The "\n" between runs is never Han: its pairs are
    # never asked for (callers drop them).
    runs = "\n".join(_HAN_RUN.findall(text))
    return Counter(runs), Counter(map(add, runs, runs[1:]))


def document_bigrams(text: str, lm: CharLM, min_count: int = 2) -> dict[str, float]:
    """Bigrams of common Han characters that recur in ``text``, as log P(b | a)."""
    firsts, pairs = _document_counts(text)
    return {ab: math.log(n / firsts[ab[0]]) for ab, n in pairs.items()
            if n >= min_count and "\n" not in ab and not lm.is_rare(ab[0]) and not lm.is_rare(ab[1])}


class LazyDocumentBigrams:
    """``document_bigrams(text, lm).get``, with the counting done on first
    look-up and each pair's value worked out when it is asked for: most
    documents never need it, and a search asks for a few hundred pairs."""

    def __init__(self, text: str, lm: CharLM, min_count: int = 2):
        self._text, self._lm, self._min_count = text, lm, min_count
        self._counts: tuple[Counter[str], Counter[str]] | None = None
        # score terms under this document's bigrams (see CharLM.extend)
        self.terms: dict[str, float] = {}

    def get(self, key: str, default=None):
        if self._counts is None:
            self._counts = _document_counts(self._text)
        firsts, pairs = self._counts
        n = pairs.get(key)
        if n is None or n < self._min_count or "\n" in key:
            return default
        if self._lm.is_rare(key[0]) or self._lm.is_rare(key[1]):
            return default
        return math.log(n / firsts[key[0]])

    def __bool__(self) -> bool:
        return True
