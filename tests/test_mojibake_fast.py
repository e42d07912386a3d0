"""The mojibake pass's counting and scanning shortcuts give exactly what the
plain computation gives, on real text: the damaged seeds and examples, the
cwced pages (clean, and read with the wrong codec), ftfy's cases.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_mojibake_search import damaged_texts, precheck_texts

from cleaner.mojibake import gbk
from cleaner.mojibake import lm as charlm


def plain_pair_counts(text: str) -> Counter[str]:
    """Every pair of adjacent characters inside the Han runs of ``text``."""
    runs = charlm._HAN_RUN.findall(text)
    return Counter(a + b for run in runs for a, b in pairwise(run))


@pytest.mark.parametrize(("split_budget", "long_page"), [
    (10**9, 0), (0, 0), (40, 0),  # a long page counting every pair never, at once, midway
    (10**9, 10**9),  # a news-sized page (each character found occurrence by occurrence)
])
def test_lazy_pair_counts_are_the_counts_of_every_pair(shared, monkeypatch, split_budget, long_page):
    """``after``, ``before``, ``recurs`` and ``get`` of the lazily counted page
    answer as the table of all its pairs (counted pair by pair) does, for
    characters the page holds and characters it lacks, doubled ones included;
    also once a long page has every pair counted instead of split per look."""
    monkeypatch.setattr(charlm.LazyDocumentBigrams, "_SPLIT_BUDGET", split_budget)
    monkeypatch.setattr(charlm.LazyDocumentBigrams, "_LONG_PAGE", long_page)
    lm = charlm.load()
    texts = list(damaged_texts(shared).values()) + precheck_texts(shared)[4:40]
    texts += ["中中中國\n國中中", "哈哈哈哈", "中\n中中\n"]
    checked = 0
    for text in texts:
        counts = plain_pair_counts(text)
        runs = charlm._han_runs(text)
        lazy = charlm.LazyDocumentBigrams(text, lm)
        table = charlm.document_bigrams(text, lm)
        chars = {c for pair in counts for c in pair} | set("的是a\n?")
        for c in sorted(chars)[:150]:
            assert lazy.after(c) == {p[1]: n for p, n in counts.items() if p[0] == c and n >= 2}
            assert lazy.before(c) == {p[0]: n for p, n in counts.items() if p[1] == c and n >= 2}
            if c != "\n":
                assert charlm._followers(runs, c) == Counter({p[1]: n for p, n in counts.items() if p[0] == c})
                assert charlm._preceders(runs, c) == Counter({p[0]: n for p, n in counts.items() if p[1] == c})
                assert charlm._split_followers(runs, c) == charlm._followers(runs, c)
                assert charlm._split_preceders(runs, c) == charlm._preceders(runs, c)
        for pair in list(counts)[:300] + ["中國", "a中", "中\n", "\n中"]:
            assert lazy.recurs(pair) == (counts[pair] >= 2)
            assert lazy.get(pair) == table.get(pair), pair
            checked += 1
    assert checked > 1000


def test_literal_scans_answer_as_the_class_scans(shared):
    """Lost runs found by literal look-ups, annotations by one pattern per
    bracket, and the rare-swap flag of the codec-swap scan are what the plain
    patterns find."""
    from cleaner.mojibake import pinyin
    from cleaner.passes import mojibake as m

    texts = precheck_texts(shared)
    texts += ["锟斤拷", "烫烫烫", "屯", "锟拷", "中(chǎn)（yè）(a)企(yè）業（yè)", "x(yè)\n中（yè)"]
    found = {"lost": 0, "annotation": 0, "rare": 0}
    for text in texts + [line for page in texts[:8] for line in page.split("\n")]:
        lost = m.LOST_RUN.search(text) is not None
        assert m._has_lost_run(text) == lost
        plain = [(a.start(), a.end(), a.group(1)) for a in pinyin.ANNOTATION.finditer(text)
                 if pinyin.is_reading(text[a.start() - 1], a.group(1))]
        assert pinyin.find_annotations(text) == plain
        for start, end in ((3, 40), (10, 2000)):
            assert pinyin.find_annotations(text, start, end) == [
                (a.start(), a.end(), a.group(1)) for a in pinyin.ANNOTATION.finditer(text, start, end)
                if pinyin.is_reading(text[a.start() - 1], a.group(1))]
        rare = m._RARE_SWAP_CHAR.search(text) is not None
        assert m._swap_traces(text)[1] == rare
        found["lost"] += lost
        found["annotation"] += bool(plain)
        found["rare"] += rare
    assert min(found.values()) >= 3, found


def plain_page_answers(chars: str, left: str, right: str, page: tuple) -> tuple:
    """``gbk._page_answers`` as first written: every pair of the page counted,
    each candidate pair of each place in ``chars`` looked up."""
    counts, characters, table = page
    whole = left + chars + right
    pairs = {a + b for a, b in pairwise(whole)}
    for k in range(1, len(chars)):
        pair = gbk._gbk2(chars[k])
        if pair is None:
            continue
        prev, window_end = (left + chars[:k])[-1], (chars[k + 1:] + right)[:1]
        firsts = characters.intersection(gbk._vanished_firsts(pair[0]))
        seconds = characters.intersection(gbk._vanished_seconds(pair[1]))
        pairs.update(prev + a for a in firsts)
        pairs.update(b + window_end for b in seconds)
        pairs.update(a + b for a in firsts for b in seconds)
    return tuple((p, table[p]) for p in sorted(pairs) if counts[p] >= 2 and p in table)


def plain_model_alone(counts: Counter[str], prev: str, window_end: str, pair: bytes) -> bool:
    firsts, seconds = gbk._vanished_firsts(pair[0]), gbk._vanished_seconds(pair[1])
    asked = [prev + a for a in firsts] + [b + window_end for b in seconds] + [a + b for a in firsts for b in seconds]
    return not any(counts[p] >= 2 for p in asked if len(p) == 2)


def test_page_answers_and_model_alone_are_the_plain_lookups(shared):
    """On the runs the GBK search meets in the damaged texts, and on slices of
    their lines, each in its own page and in the other pages."""
    lm = charlm.load()
    texts = damaged_texts(shared)
    pages = list(texts.values()) + ["\n".join(t.split("\n")[:30]) for t in texts.values()]
    checked = answered = alone = 0
    for text in texts.values():
        lines = [line for line in text.split("\n") if "?" in line][:10]
        for page in pages[:6]:
            cache = charlm.LazyDocumentBigrams(page, lm)
            counts = plain_pair_counts(page)
            tables = (counts, {c for run in charlm._HAN_RUN.findall(page) for c in run},
                      charlm.document_bigrams(page, lm))
            for line in lines:
                for i in range(2, len(line) - 3, 11):
                    chars, left, right = line[i:i + 12], line[i - 2:i], line[i + 12:i + 14]
                    got = gbk._page_answers(chars, left, right, cache)
                    assert got == plain_page_answers(chars, left, right, tables), chars
                    answered += bool(got)
                    for k in range(1, len(chars), 3):
                        pair = gbk._gbk2(chars[k])
                        if pair:
                            prev, end = (left + chars[:k])[-1], (chars[k + 1:] + right)[:1]
                            plain = plain_model_alone(counts, prev, end, pair)
                            assert gbk._model_alone(cache, prev, end, pair) == plain
                            alone += plain
                    checked += 1
    assert checked > 300 and answered > 30 and 30 < alone < checked * 4, (checked, answered, alone)


PLAIN_GBK_RUN = re.compile(r"[^\x00-\x7f](?:[^\x00-\x7f]|[\x21-\x7e](?=[^\x00-\x7f]))*\??")


def gbk_run_spans(pattern, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def test_gbk_runs_are_the_plain_alternations_runs(shared):
    """The GBK run pattern written as stretches joined by single ASCII
    characters finds the runs the plain alternation finds, on every damaged
    and clean page and on each of their lines."""
    from cleaner.mojibake.swaps import _GBK_RUN

    texts = list(damaged_texts(shared).values()) + precheck_texts(shared)
    texts += ["中?a中", "中??中", "中ab中", "中a中b中?", "?中", "中 中\n中!中!!中", "鎴戜滑?", "a中b"]
    runs = 0
    for text in texts:
        expected = gbk_run_spans(PLAIN_GBK_RUN, text)
        assert gbk_run_spans(_GBK_RUN, text) == expected, text[:80]
        for lo, hi in ((3, 40), (10, 2000)):
            assert [m.span() for m in _GBK_RUN.finditer(text, lo, hi)] == [
                m.span() for m in PLAIN_GBK_RUN.finditer(text, lo, hi)]
        runs += len(expected)
    assert runs > 5000


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="中鎴a?! \n(b", max_size=24))
def test_gbk_runs_on_made_up_text(text):
    from cleaner.mojibake.swaps import _GBK_RUN

    assert gbk_run_spans(_GBK_RUN, text) == gbk_run_spans(PLAIN_GBK_RUN, text)


def test_han_comparison_is_the_han_class():
    """``char_logp``'s compared Han test answers as the class it stands for,
    for every character of the first two planes, the empty string and longer ones."""
    han = re.compile(charlm._HAN_CLASS)
    chars = [chr(cp) for cp in range(0x30000) if not 0xD800 <= cp <= 0xDFFF]
    chars += ["", "中a", "a中", "\U0003134f", "\U00031350", "\U000e0100"]
    assert [charlm._is_han(c) for c in chars] == [han.match(c) is not None for c in chars]
    assert sum(map(charlm._is_han, chars)) > 80000


def plain_unclaimed(annotations, claimed):
    """Each annotation checked against every claimed span."""
    return [a for a in annotations if all(a[1] <= s or a[0] >= e for s, e in claimed)]


def test_annotations_kept_apart_are_the_changes_built_one_by_one(shared):
    """The annotations a round removes, kept as (start, end, syllable): the ones
    no other repair claimed (found by bisection), the text cut and joined
    around them and the other changes, and the pass's counted codes, are what
    building a change per annotation gives (seed 004, whose realigned runs hold
    annotations, page-020, and every page with its annotations' neighbours claimed)."""
    from cleaner.document import Document
    from cleaner.mojibake.pinyin import find_annotations
    from cleaner.passes import mojibake as m
    from cleaner.passes.base import apply_changes, count_codes

    options = m.MojibakeOptions()
    texts = list(damaged_texts(shared).values())
    texts += [line for text in texts for line in text.split("\n") if "(" in line or "（" in line]
    dropped = kept = 0
    for text in texts:
        new, changes, annotations = m._fix_round(text, options, checked=True)
        everything = m._with_annotations(text, changes, annotations)
        assert [c.start for c in everything] == sorted(c.start for c in everything)
        assert new == apply_changes(text, everything) == m._applied(text, changes, annotations)
        found = find_annotations(text)
        claimed = sorted((c.start, c.end) for c in changes)
        assert annotations == plain_unclaimed(found, claimed)
        # spans overlapping some annotations, touching others, far from the rest
        for step in (2, 3, 7):
            spans = [(s - 1, s + 1) if i % 2 else (e, e + 2) for i, (s, e, _) in enumerate(found[::step])]
            spans = sorted({sp for sp in spans if sp[0] >= 0})
            spans = [sp for i, sp in enumerate(spans) if i == 0 or sp[0] >= spans[i - 1][1]]
            assert m._unclaimed(found, spans) == plain_unclaimed(found, spans)
            dropped += len(found) - len(plain_unclaimed(found, spans))
        result = m.Mojibake().apply(text, Document(id="", text=text))
        assert result.text == new or m._repair(text, options)[0] == result.text
        assert (result.codes or count_codes(result.changes, lambda c: c.code)) == count_codes(
            result.changes, lambda c: c.code)
        assert result.changes == m.fix_mojibake(text, options)[1]
        kept += len(annotations)
    assert kept > 300 and dropped > 100, (kept, dropped)


def plain_garbled(run: str, lm) -> tuple[int, int, bool]:
    """The Han characters of ``run`` found one by one, each looked up in the common set."""
    from cleaner.mojibake.swaps import _HAN

    han = _HAN.findall(run)
    rare = sum(c not in lm.common_set(-12.5) for c in han)
    return len(han), rare, bool(han) and rare >= 0.15 * len(han)


def test_han_counts_by_table_are_the_characters_looked_up_one_by_one(shared):
    """The Han and rare counts read from a run translated through the table of
    character kinds, and the garble verdict from them, are the plain count's,
    on every GBK run of the damaged and clean pages (garbled ones and not)."""
    from cleaner.mojibake import swaps

    lm = charlm.load()
    texts = list(damaged_texts(shared).values()) + precheck_texts(shared)
    verdicts = Counter()
    for text in texts:
        for m in swaps._GBK_RUN.finditer(text):
            han, rare, garbled = plain_garbled(m.group(), lm)
            assert swaps.han_counts(m.group(), lm) == (han, rare), m.group()[:40]
            assert swaps._garbled_han(m.group(), lm) == garbled
            verdicts[garbled] += 1
    assert verdicts[True] > 100 and verdicts[False] > 1000, verdicts


@given(st.text(alphabet=st.sampled_from("的是中國縣委鎴戜滑涓幍膰儯縴豈鶴𠀀𪚥，。a?\u33ff\u3400\u9fff\ua000\uf8ff\uf900\ufaff\ufb00"),
               max_size=40))
def test_han_counts_on_made_up_text(text):
    from cleaner.mojibake import swaps

    han, rare, garbled = plain_garbled(text, charlm.load())
    assert swaps.han_counts(text, charlm.load()) == (han, rare)
    assert swaps._garbled_han(text, charlm.load()) == garbled
