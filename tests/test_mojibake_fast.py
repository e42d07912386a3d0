"""The mojibake pass's counting and scanning shortcuts give exactly what the
plain computation gives, on real text: the damaged seeds and examples, the
cwced pages (clean, and read with the wrong codec), ftfy's cases.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from test_mojibake_search import damaged_texts, precheck_texts

from cleaner.mojibake import gbk
from cleaner.mojibake import lm as charlm


def plain_pair_counts(text: str) -> Counter[str]:
    """Every pair of adjacent characters inside the Han runs of ``text``."""
    runs = charlm._HAN_RUN.findall(text)
    return Counter(a + b for run in runs for a, b in pairwise(run))


def test_lazy_pair_counts_are_the_counts_of_every_pair(shared):
    """``after``, ``before``, ``recurs`` and ``get`` of the lazily counted page
    answer as the table of all its pairs (counted pair by pair) does, for
    characters the page holds and characters it lacks, doubled ones included."""
    lm = charlm.load()
    texts = list(damaged_texts(shared).values()) + precheck_texts(shared)[4:40]
    texts += ["中中中國\n國中中", "哈哈哈哈", "中\n中中\n"]
    checked = 0
    for text in texts:
        counts = plain_pair_counts(text)
        lazy = charlm.LazyDocumentBigrams(text, lm)
        table = charlm.document_bigrams(text, lm)
        chars = {c for pair in counts for c in pair} | set("的是a\n?")
        for c in sorted(chars)[:400]:
            assert lazy.after(c) == {p[1]: n for p, n in counts.items() if p[0] == c and n >= 2}
            assert lazy.before(c) == {p[0]: n for p, n in counts.items() if p[1] == c and n >= 2}
            if c != "\n":
                runs = charlm._han_runs(text)
                assert charlm._followers(runs, c) == Counter({p[1]: n for p, n in counts.items() if p[0] == c})
                assert charlm._preceders(runs, c) == Counter({p[0]: n for p, n in counts.items() if p[1] == c})
        for pair in list(counts)[:300] + ["中國", "a中", "中\n", "\n中"]:
            assert lazy.recurs(pair) == (counts[pair] >= 2)
            assert lazy.get(pair) == table.get(pair), pair
            checked += 1
        first_chars = gbk._vanished_first_chars()
        assert lazy.found(first_chars) == {c for pair in counts for c in pair if first_chars.fullmatch(c)}
    assert checked > 1000


def test_the_vanished_first_class_holds_every_first_half():
    chars = {c for lead in gbk.LEADS for c in gbk._vanished_firsts(lead)}
    pattern = gbk._vanished_first_chars()
    assert all(pattern.fullmatch(c) for c in chars)
    others = "的是中国人abc，。"
    assert set(pattern.findall("".join(chars) + others)) == chars | (set(others) & chars)
    assert set(others) - chars  # the class is no class of every character
