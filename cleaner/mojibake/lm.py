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


class CharLM:
    def __init__(self, unigrams: dict[str, float], bigrams: dict[str, float], floor: float):
        self.unigrams = unigrams  # char -> log P(char)
        self.bigrams = bigrams  # pair -> log P(b | a)
        self.floor = floor  # log P of an unseen Han character

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

    def score(self, text: str, cache: dict[str, float] | None = None) -> float:
        """Log-probability of ``text`` (first character scored by its unigram).

        ``cache`` holds bigram log-probabilities from the document itself (see
        ``document_bigrams``): names such as ``吉源煤礦`` are in no dictionary
        but recur in the article that is being repaired.
        """
        if not text:
            return 0.0
        # The GBK search scores hundreds of thousands of short candidates: the
        # unigram table is looked up first, the constant computed once.
        uni = self.char_logp
        unigrams = self.unigrams
        bigrams = self.bigrams
        cached = cache or {}
        unseen_pair = _LOG_UNSEEN_PAIR
        prev = text[0]
        total = uni(prev)
        for c in text[1:]:
            u = unigrams.get(c)
            if u is None:
                u = uni(c)
            pair = prev + c
            b = cached.get(pair)
            if b is None:
                b = bigrams.get(pair)
            if b is None:
                total += unseen_pair + u
            else:
                total += math.log(BIGRAM_WEIGHT * math.exp(b) + (1.0 - BIGRAM_WEIGHT) * math.exp(u))
            prev = c
        return total

    def is_rare(self, c: str) -> bool:
        return self.char_logp(c) < RARE_LOGP

    def common_chars(self) -> str:
        return "".join(c for c, p in self.unigrams.items() if p >= RARE_LOGP)


@cache
def load() -> CharLM:
    raw = resources.files("cleaner.data").joinpath("charlm.txt.gz").read_bytes()
    lines = gzip.decompress(raw).decode("utf-8").split("\n")
    header = lines[0]
    total = float(header.split("total=")[1])
    counts: dict[str, int] = {}
    for line in lines[1:]:
        if line:
            key, _, n = line.partition("\t")
            counts[key] = int(n)
    log_total = math.log(total)
    unigrams = {k: math.log(n) - log_total for k, n in counts.items() if len(k) == 1}
    bigrams = {k: math.log(n) - math.log(counts[k[0]]) for k, n in counts.items()
               if len(k) == 2 and k[0] in counts}
    return CharLM(unigrams, bigrams, math.log(0.5) - log_total)


def document_bigrams(text: str, lm: CharLM, min_count: int = 2) -> dict[str, float]:
    """Bigrams of common Han characters that recur in ``text``, as log P(b | a)."""
    from collections import Counter

    han = [m.group() for m in re.finditer(f"{_HAN.pattern}{{2,}}", text)]
    pairs: Counter[str] = Counter()
    firsts: Counter[str] = Counter()
    for run in han:
        firsts.update(run)
        pairs.update(a + b for a, b in zip(run, run[1:]))
    return {ab: math.log(n / firsts[ab[0]]) for ab, n in pairs.items()
            if n >= min_count and not lm.is_rare(ab[0]) and not lm.is_rare(ab[1])}


class LazyDocumentBigrams:
    """``document_bigrams`` computed on first look-up: most documents never need it."""

    def __init__(self, text: str, lm: CharLM):
        self._text, self._lm, self._table = text, lm, None

    def get(self, key: str, default=None):
        if self._table is None:
            self._table = document_bigrams(self._text, self._lm)
        return self._table.get(key, default)

    def __bool__(self) -> bool:
        return True
