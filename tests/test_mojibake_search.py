"""The mojibake search's shortcuts give exactly what the plain computation gives.

The character model memoises its terms and lets a search score a shared head
once (``CharLM.extend``); the vanished-pair search adds only the window a
candidate changes. Each is checked here against the straightforward
computation, on the real damaged text the search meets (seed 004, the examples).
"""

from __future__ import annotations

import json
import math
from itertools import pairwise

from conftest import seed_text
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cleaner.mojibake import gbk
from cleaner.mojibake import lm as charlm
from cleaner.mojibake.pinyin import strip_annotations
from cleaner.passes.mojibake import fix_mojibake


def damaged_texts(shared) -> dict[str, str]:
    texts = {"004": seed_text("004")}
    for name in ("page-020.txt", "page-033.txt"):
        texts[name] = (shared / "examples" / name).read_text(encoding="utf-8")
    wild = json.loads((shared / "examples" / "cjk-mojibake-wild.json").read_text(encoding="utf-8"))
    texts["wild"] = "\n".join(case["mojibake"] for case in wild)
    return texts


def plain_score(lm: charlm.CharLM, text: str, cache=None) -> float:
    """The model's score as its definition reads: no memo, left to right."""
    if not text:
        return 0.0
    total = lm.char_logp(text[0])
    for a, c in pairwise(text):
        u = lm.char_logp(c)
        b = cache.get(a + c) if cache else None
        if b is None:
            b = lm.bigrams.get(a + c)
        if b is None:
            total += math.log(1.0 - charlm.BIGRAM_WEIGHT) + u
        else:
            total += math.log(charlm.BIGRAM_WEIGHT * math.exp(b) + (1.0 - charlm.BIGRAM_WEIGHT) * math.exp(u))
    return total


def test_memoised_score_and_extend_are_the_plain_score_to_the_last_bit(shared):
    lm = charlm.load()
    checked = 0
    for text in damaged_texts(shared).values():
        cache = charlm.LazyDocumentBigrams(text, lm)
        for line in text.split("\n")[:80]:
            line = line[:60]
            for doc in (None, cache):
                # twice: the second call reads the memo the first one filled
                assert lm.score(line, doc) == plain_score(lm, line, doc) == lm.score(line, doc)
                for cut in range(1, len(line), 7):
                    head = lm.score(line[:cut], doc)
                    assert lm.extend(head, line[cut - 1], line[cut:], doc) == lm.score(line, doc)
                checked += 1
    assert checked > 80


def test_a_full_memo_is_emptied_and_scores_stay_the_same(shared, monkeypatch):
    lm = charlm.load()
    monkeypatch.setattr(charlm, "_MAX_TERMS", 7)
    lm._terms.clear()  # filled by earlier tests beyond the bound set here
    text = damaged_texts(shared)["004"]
    for line in text.split("\n")[:40]:
        assert lm.score(line[:60]) == plain_score(lm, line[:60])
        assert len(lm._terms) <= 7


def test_lazy_document_bigrams_are_the_document_table(shared):
    lm = charlm.load()
    for text in damaged_texts(shared).values():
        table = charlm.document_bigrams(text, lm)
        lazy = charlm.LazyDocumentBigrams(text, lm)
        assert table  # the examples repeat names and words
        pairs = {a + b for a, b in pairwise(text)}
        for pair in pairs:
            assert lazy.get(pair) == table.get(pair), pair


def whole_insert_vanished(chars, left, right, lm, cache, margin=5.0):
    """``gbk._insert_vanished`` as first written: every candidate scored whole."""
    if not cache:
        return chars
    best, best_score = chars, lm.score(left + chars + right, cache)
    base = best_score
    for k in range(1, len(chars)):
        pair = gbk._gbk2(chars[k])
        if pair is None:
            continue
        before, after = left + chars[:k], chars[k + 1:] + right
        firsts = [c for t in gbk._VANISHED_FIRST if (c := gbk._char(bytes((pair[0], t))))]
        seconds = [c for lead in gbk._VANISHED_SECOND if (c := gbk._char(bytes((lead, pair[1]))))]
        firsts = sorted(firsts, key=lambda c: -lm.score(before[-1:] + c, cache))[:13]
        seconds = sorted(seconds, key=lambda c: -lm.score(c + after[:1], cache))[:5]
        for a in firsts:
            for b in seconds:
                s = lm.score(before + a + b + after, cache)
                if s > best_score:
                    best, best_score = chars[:k] + a + b + chars[k + 1:], s
    return best if best_score - base >= margin else chars


def test_windowed_vanished_pair_search_picks_what_whole_scoring_picks(shared, monkeypatch):
    lm = charlm.load()
    calls = []
    search = gbk._insert_vanished

    def recording(chars, left, right, lm, cache, *args):
        calls.append((chars, left, right, cache))
        return search(chars, left, right, lm, cache, *args)

    monkeypatch.setattr(gbk, "_insert_vanished", recording)
    monkeypatch.setattr(gbk, "_VANISHED_MEMO", {})  # earlier tests' searches would answer instead
    for text in damaged_texts(shared).values():
        fix_mojibake(text)
    assert len(calls) >= 8
    inserted = 0
    for chars, left, right, cache in calls:
        windowed = search(chars, left, right, lm, cache)
        assert windowed == whole_insert_vanished(chars, left, right, lm, cache), chars
        inserted += windowed != chars
    assert inserted >= 1  # 奔疵旱V in seed 004: AA D4 of 吉源 put back
    # The search met few runs; slices of the damaged lines, each in its page,
    # give it many more (garbled and clean, short and long).
    slices = 0
    for text in damaged_texts(shared).values():
        cache = charlm.LazyDocumentBigrams(text, lm)
        lines = [line for line in text.split("\n") if "?" in line]
        for line in lines[:12]:
            for i in range(2, len(line) - 3, 9):
                for n in (3, 8, 14):
                    chars, left, right = line[i:i + n], line[i - 2:i], line[i + n:i + n + 2]
                    assert search(chars, left, right, lm, cache) == whole_insert_vanished(
                        chars, left, right, lm, cache), chars
                    slices += 1
    assert slices > 150


def test_decoded_rows_and_columns_are_the_pairs_decoded_one_by_one():
    """Every row and column of the table, decoded in one call, is its pairs
    decoded one by one (the valid ones, the unmapped, the ASCII trails)."""
    for byte in range(0x40, 0x100):
        if byte in gbk.LEADS:
            assert gbk._row(byte) == tuple((t, c) for t in gbk.TRAILS if (c := gbk._char(bytes((byte, t)))))
        if byte in gbk.TRAILS:
            assert gbk._column(byte) == tuple((x, c) for x in gbk.LEADS if (c := gbk._char(bytes((x, byte)))))
    assert sum(map(len, map(gbk._row, gbk.LEADS))) > 21000


def separate_scans_need_repair(text: str) -> bool:
    """``needs_repair`` as first written: one scan per kind of trace."""
    from cleaner.passes import mojibake as m

    if text.isascii():
        return m._RARE_SWAP_CHAR.search(text) is not None and m._RARE_SWAP.search(text) is not None
    if m._LOST_TRACE.search(text) or m._RARE_SWAP.search(text):
        return True
    annotation, utf8_lead = m._fast_patterns()
    lm = charlm.load()
    for q in m._QUESTION.finditer(text):
        # a ``?`` that may hide a byte, on a line the GBK search has a candidate repair for
        line = text[text.rfind("\n", 0, q.start()) + 1:].split("\n", 1)[0]
        if m._hidden_byte_run(text, q.start()) and gbk._candidates(line, lm, 10.0):
            return True
    for w in m._WEDGED.finditer(text):
        if lm.char_logp(text[w.start() - 1]) <= -12.5 and not m._in_gloss(text, w.start(), annotation):
            return True
    from cleaner.mojibake.pinyin import is_reading

    for a in annotation.finditer(text):
        if a.start() and not text[a.start() - 1].isascii() and is_reading(text[a.start() - 1], a.group(1)):
            return True
    checked_to = 0
    for u in utf8_lead.finditer(text):
        if u.start() >= checked_to:
            end = m._garbled_run_at(text, u.start(), lm)
            if end > 0:
                return True
            checked_to = -end
    return False


def precheck_texts(shared) -> list[str]:
    """Real damaged pages, raw pages (some GBK) read as UTF-8 and as Latin-1 (clean
    text and garble of every kind), and ftfy's test cases."""
    texts = list(damaged_texts(shared).values())
    pages = [p.read_bytes() for p in sorted((shared / "corpus" / "cwced" / "original").iterdir())[:30]]
    texts += [page.decode("utf-8", errors="replace") for page in pages] + [page.decode("latin-1") for page in pages]
    for name in ("negative", "in-the-wild", "synthetic"):
        cases = json.loads((shared / "corpus" / "ftfy" / f"{name}.json").read_text(encoding="utf-8"))
        texts += [case["original"] for case in cases]
    return texts


def test_one_scan_precheck_answers_as_the_separate_scans(shared):
    from cleaner.passes.mojibake import needs_repair

    texts = precheck_texts(shared)
    wild = json.loads((shared / "examples" / "cjk-mojibake-wild.json").read_text(encoding="utf-8"))
    texts += [case["fixed"] for case in wild if case["fixed"]]
    lines = [line for text in texts for line in text.split("\n") if line.strip()]
    answers = {True: 0, False: 0}
    for text in texts + lines:
        answer = needs_repair(text)
        assert answer == separate_scans_need_repair(text), text[:80]
        answers[answer] += 1
    assert answers[True] > 50 and answers[False] > 500


# Characters every trace is made of, and the clean text around them.
TRACE_ALPHABET = "的是中國縣委书记锟斤拷烫屯鎴戜滑涓?hF(（)）fànyèchǎnÃ©ÆóÒжҲ‘アの─│\x1b[\x07 ，。\n"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=TRACE_ALPHABET, max_size=30))
@example("日本アニメ")  # kana after Han: a Big5/GBK swap trace
@example("アニメ日本")
@example("企業（éà）")  # Latin-1 pair inside an annotation-shaped group
@example("公斤烫烫")
@example("ok\x7f")  # DEL in ASCII text: a control character
def test_one_scan_precheck_on_made_up_traces(text):
    from cleaner.passes.mojibake import needs_repair

    assert needs_repair(text) == separate_scans_need_repair(text)


def test_binary_model_holds_the_text_models_counts():
    """``charlm.bin`` (what the pass loads) is ``charlm.txt.gz`` converted: every
    unigram in order and every bigram with the same log-probability."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "scripts" / "build_charlm.py"
    spec = importlib.util.spec_from_file_location("build_charlm", script)
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    total, unigrams, bigrams = build.read_text()
    lm = charlm.load()
    log_total = math.log(total)
    assert list(lm.unigrams.items()) == [(c, math.log(n) - log_total) for c, n in unigrams]
    counts = dict(unigrams)
    for pair, n in bigrams:
        assert lm.bigrams.get(pair) == math.log(n) - math.log(counts[pair[0]])
    assert lm.bigrams.get("xy") is None and "xy" not in lm.bigrams and lm.bigrams.get("\U00020000中") is None
    assert lm.floor == math.log(0.5) - log_total


def test_remembered_line_searches_are_the_searches_under_each_page(shared, monkeypatch):
    """A damaged line met again on another page reuses its remembered candidates,
    and a vanished-pair search is reused only under a page giving the same
    answers; the repairs are what searching afresh under that page gives. The
    lines of seed 004 go on pages made of other texts' lines, so the page
    tables differ (some pairs recur, some do not)."""
    lm = charlm.load()
    texts = damaged_texts(shared)
    lines = [line for line in texts["004"].split("\n") if "?" in line or "(" in line][:25]
    others = [t.split("\n") for t in texts.values()]
    pages = [texts["004"]] + ["\n".join(lines[: 5 + i] + o[: 40 * (i + 1)]) for i, o in enumerate(others)]
    monkeypatch.setattr(gbk, "_LINE_MEMO", {})
    monkeypatch.setattr(gbk, "_VANISHED_MEMO", {})
    searched = []
    for page in pages * 2:
        cache = charlm.LazyDocumentBigrams(page, lm)
        for line in lines:
            got = gbk.find_realignments(line, lm, 10.0, cache)
            fresh = gbk._find_realignments(line, lm, 10.0, charlm.LazyDocumentBigrams(page, lm))
            assert got == fresh, line
            searched += [r.after for r in got]
    runs = gbk._VANISHED_MEMO.values()
    assert len(searched) > len(lines) and sum(map(len, runs)) > len(runs)  # some runs met differing pages
    assert any(len(set(answers.values())) > 1 for answers in runs)  # and were repaired differently


def test_residual_damage_and_latin_lines_answer_as_the_single_patterns(shared):
    """The residual check's separate scans answer as its one alternation did,
    and the lines the latin repair visits are the lines ``_LATIN`` finds."""
    import re

    from cleaner.passes import mojibake as m

    u = re.escape(m._utf8_as_gbk_chars())
    single = re.compile(f"{m.LOST_RUN.pattern}|[{u}][^\\x00-\\x7f]{{0,2}}[{u}]|[^\\x00-\\x7f]\\?|{m._LATIN.pattern}")
    texts = precheck_texts(shared)
    texts += [fix_mojibake(t)[0] for t in texts[:4]] + ["x\x1b[0m", "é\n\x7f", "好?", "锟斤拷"]
    answers = {True: 0, False: 0}
    lines = [line for page in texts for line in page.split("\n")]
    for text in texts + lines:
        answer = m.residual_damage(text)
        assert answer == (single.search(text) is not None), text[:80]
        answers[answer] += 1
        starts, pos = [], 0
        for line in text.split("\n"):
            if m._LATIN.search(line):
                starts.append((pos, line))
            pos += len(line) + 1
        assert list(m._lines_holding(text, m._LATIN_START)) == starts
    assert answers[True] > 20 and answers[False] > 20


def test_hot_positions_are_the_single_scans_positions(shared):
    """Codec-swap traces found line by line and by the class-opened pattern
    are where the plain alternations over the whole text find them."""
    import re

    from cleaner.passes import mojibake as m

    lost = re.compile("\ufffd|锟斤|斤拷|烫烫|屯屯")
    texts = precheck_texts(shared)
    texts += ["锟斤拷锟斤拷烫烫烫屯屯屯\ufffd斤拷", "乙ア乙\nア乙ア", "×é\x1b[0m\nжҲ‘\n", "ÀÀÀé乙ア\nÀÀÀ\x07жжж", "ok\x7f\nア乙\x7f"]
    found = 0
    for text in texts:
        _, utf8_lead = m._fast_patterns()
        plain = [x.start() for x in lost.finditer(text)] + [x.start() for x in utf8_lead.finditer(text)]
        plain += [x.start() for x in m._RARE_SWAP.finditer(text)]
        assert m._hot_positions(text) == sorted(plain), text[:80]
        found += bool(plain)
    assert found > 20


def test_realign_lines_are_the_trace_lines_the_gbk_trigger_accepts(shared):
    """The lines the GBK search visits are the lines holding a ``?`` or a wedged
    character on which the trigger pattern (``_triggers``) finds a trace."""
    from cleaner.passes import mojibake as m

    gbk_trigger, _ = m._triggers()
    texts = list(damaged_texts(shared).values())
    pages = [p.read_bytes() for p in sorted((shared / "corpus" / "cwced" / "original").iterdir())[:30]]
    texts += [page.decode("utf-8", errors="replace") for page in pages] + [page.decode("latin-1") for page in pages]
    texts += ["好?\nok?\n(hǎo)?\n好(hǎo)\n?好\nab?c\n中b\n中bc"]
    visited = 0
    for text in texts:
        starts = {text.rfind("\n", 0, q.start()) + 1 for q in m._QUESTION.finditer(text)}
        starts.update(text.rfind("\n", 0, w.start()) + 1 for w in m._WEDGED.finditer(text))
        lines = [(s, text[s:] if text.find("\n", s) < 0 else text[s:text.find("\n", s)]) for s in sorted(starts)]
        expected = [(s, line) for s, line in lines if gbk_trigger.search(line)]
        assert list(m._lines_with_realign_traces(text)) == expected, text[:80]
        visited += len(expected)
    assert visited > 50


def test_shipped_readings_are_pypinyins_table():
    """``pinyin_readings.bin`` holds every character's readings as the installed
    pypinyin gives them (rebuild with scripts/build_pinyin_table.py if not)."""
    import importlib.util
    from pathlib import Path

    from cleaner.mojibake import pinyin

    script = Path(__file__).resolve().parent.parent / "scripts" / "build_pinyin_table.py"
    spec = importlib.util.spec_from_file_location("build_pinyin_table", script)
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    table = build.pypinyin_table()
    code_points, _, _ = pinyin._readings_table()
    assert len(code_points) == len(table)
    for cp, value in table.items():
        assert pinyin.readings(chr(cp)) == frozenset(value.split(",")), chr(cp)
    assert pinyin.readings("a") == pinyin.readings("\U000e0001") == pinyin.readings("") == frozenset()


def test_run_lookup_from_the_last_run_end_is_the_lookup_from_the_line_start(shared):
    """``_garbled_run_at`` scanning on from the end of a run found before (what
    ``needs_repair`` passes) finds the run and verdict a scan from the line
    start finds, at every UTF-8 lead of real damaged and clean pages."""
    from cleaner.passes import mojibake as m

    lm = charlm.load()
    _, utf8_lead = m._fast_patterns()
    texts = list(damaged_texts(shared).values()) + precheck_texts(shared)
    # many runs on one line, each opening with clean text before its garble
    texts += [" | ".join("據報道" + line for line in text.split("\n")) for text in texts[:8]]
    resumed = garbled = 0
    for text in texts:
        run_end = 0
        for u in utf8_lead.finditer(text):
            pos = u.start()
            if pos < run_end:
                continue  # inside the run found last (``needs_repair`` skips it)
            plain = m._garbled_run_at(text, pos, lm)
            assert m._garbled_run_at(text, pos, lm, run_end) == plain, text[max(0, pos - 20):pos + 20]
            resumed += run_end > text.rfind("\n", 0, pos) + 1
            garbled += plain > 0
            run_end = abs(plain)
    assert resumed > 20 and garbled > 50, (resumed, garbled)


def precheck_lines_and_pages(shared) -> list[str]:
    """The pre-check's texts, their lines, the seeds and the cwced gold pages:
    clean text with ASCII question marks in Chinese, and every kind of damage."""
    from conftest import SEEDS

    texts = precheck_texts(shared)
    texts += [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((shared / "corpus" / "cwced" / "cleaned").glob("*.txt"))]
    lines = [line for text in texts for line in text.split("\n") if line.strip()]
    # seed 004's lines with their annotations removed (as a first round of repair
    # leaves them): ``??h委`` is then the only trace of a lost lead byte
    lines += [strip_annotations(line)[0] for line in seed_text("004").split("\n") if "?" in line]
    return texts + lines


def test_a_text_the_precheck_lets_through_has_nothing_to_repair(shared):
    """``needs_repair`` says no only where one round of repair changes nothing:
    in particular on a line whose ``?`` beside Chinese has no candidate GBK
    repair (the question marks a web page writes), which it no longer hands to
    the whole repair; and it says yes to lines where that ``?`` is damage."""
    from cleaner.passes import mojibake as m

    options = m.MojibakeOptions()
    lm = charlm.load()
    quiet_questions = damaged_questions = 0
    for text in precheck_lines_and_pages(shared):
        questions = [q.start() for q in m._QUESTION.finditer(text) if m._hidden_byte_run(text, q.start())]
        if not m.needs_repair(text, options):
            assert m._fix_once(text, options, checked=True) == (text, []), text[:80]
            quiet_questions += bool(questions)
        elif questions and "\n" not in text and gbk._candidates(text, lm, 10.0):
            damaged_questions += m._fix_once(text, options, checked=True)[1] != []
    assert quiet_questions > 20 and damaged_questions > 5, (quiet_questions, damaged_questions)
