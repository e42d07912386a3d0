"""The script pass's and the pipeline's shortcuts against the plain computation, on real text."""

import random
import re
from operator import attrgetter

import pytest
from conftest import seed_text

from cleaner.document import Document
from cleaner.opencc_compat import make_converter
from cleaner.passes.base import count_codes
from cleaner.passes.script import (
    SAMPLE_QUICK,
    Script,
    ScriptOptions,
    _convert_lines,
    _detect_in_sample,
    _difference_mask,
    _line_trigger,
    _sample,
    _sample_has_han,
    changed_runs,
    detect_script,
    fix_script,
    tables,
)
from cleaner.pipeline import _SPACES, _SURROGATE, _body_size, _has_surrogate

SEEDS = ("000", "001", "002", "003", "004")


def real_texts(shared):
    texts = [seed_text(p) for p in SEEDS]
    texts += [p.read_text(encoding="utf-8") for p in sorted((shared / "examples").glob("*.txt"))]
    for folder in ("cleaned", "original"):
        texts += [p.read_text(encoding="utf-8", errors="replace")
                  for p in sorted((shared / "corpus" / "cwced" / folder).glob("*.txt"))]
    return texts


def plain_mask(a, b):
    return bytes((x != y) | (2 if x == "\n" else 0) for x, y in zip(a, b))


def pairs(shared):
    """(text, converted) of equal length: Traditional pages to Simplified and
    back, some with characters beyond the BMP (UTF-32 path) and with line
    breaks the conversion moved (3 in the mask)."""
    t2s, s2tw = make_converter("t2s"), make_converter("s2tw")
    out = []
    for text in real_texts(shared):
        for new in (t2s(text), s2tw(text)):
            if len(new) == len(text):
                out.append((text, new))
    text, new = out[0]
    out.append((text + "𠀀", new + "𠀁"))  # beyond the BMP on both sides
    out.append((text + "為", new + "𠀀"))  # on one side only
    joined = "\n".join([text[:50], text[50:100]])
    out.append((joined, joined[:50] + "x" + joined[51:]))  # a line break replaced
    return out


def test_difference_mask_is_the_plain_comparison(shared):
    checked = 0
    for a, b in pairs(shared):
        assert bytes(_difference_mask(a, b)) == plain_mask(a, b)
        checked += a != b
    assert checked > 50


def test_difference_mask_on_random_strings():
    # Characters whose UTF-16/32 bytes collide with a line break's (U+0A00, U+4E0A)
    # or are zero (U+0000), surrogate pairs in UTF-16, the last code point.
    alphabet = "a\n為为𠀀\U0010ffff\x00\u4e0a\u0a00\u3000"
    rng = random.Random(7)
    for _ in range(3000):
        n = rng.randint(0, 12)
        a = "".join(rng.choice(alphabet) for _ in range(n))
        b = "".join(rng.choice(alphabet) for _ in range(n))
        assert bytes(_difference_mask(a, b)) == plain_mask(a, b), (a, b)


def test_changed_runs_are_the_plain_runs(shared):
    run = re.compile(r"1(?:0{0,8}1)*")
    for a, b in pairs(shared):
        mask = "".join("1" if x != y and x != "\n" else ("2" if x == "\n" else "0") for x, y in zip(a, b))
        expected = [(m.start(), m.end(), m.start(), m.end()) for m in run.finditer(mask)]
        assert changed_runs(a, b) == (expected, mask.count("1"))


@pytest.mark.parametrize("config,target", [("t2s", "hans"), ("s2tw", "tw"), ("s2t", "hant")])
def test_skipping_to_a_trigger_is_searching_for_it(shared, config, target):
    t = tables()
    pattern = t.simplified_lines[target] if config.startswith("s2") else t.traditional_lines
    skip = _line_trigger(config, target)
    hits = 0
    for text in real_texts(shared) + ["", "為", "x𠀀y", "为\n"]:
        for pos in (0, 1, len(text) // 2, len(text)):
            m = pattern.search(text, pos)
            assert skip(text, pos).end() == (m.start() if m else len(text))
            hits += m is not None
    assert hits > 20


def test_lines_step_from_the_first_trigger_is_the_whole_step(shared):
    """The pass starts the "lines" step at the first Traditional character it
    has found: the same as searching from the start."""
    t2s = make_converter("t2s")
    s2tw = make_converter("s2tw")
    skip = _line_trigger("t2s", "hans")
    mixed = 0
    for i, text in enumerate(real_texts(shared)):
        lines = text.split("\n")
        text = "\n".join(s2tw(line) if n % 5 == i % 5 else line for n, line in enumerate(lines))
        first = skip(text).end()
        assert _convert_lines(text, skip, t2s, first) == _convert_lines(text, skip, t2s)
        mixed += first < len(text)
    assert mixed > 50


def test_body_size_is_the_plain_count(shared):
    texts = real_texts(shared)
    texts += [" \t\r\n\u3000\xa0x", "\xa0\xa0", "", "全角\u3000空格"]
    for text in texts:
        assert _body_size(text) == sum(c not in _SPACES for c in text)


def test_surrogate_test_is_the_regex(shared):
    texts = real_texts(shared)
    for text in list(texts):
        texts += [text[:100] + "\ud800" + text[100:], text + "\udfff", "\ud83d\ude00" + text]
    texts += ["", "ascii only", "é", "𠀀", "\ud800"]
    for text in texts:
        assert _has_surrogate(text) == (_SURROGATE.search(text) is not None)


def plain_detection(text):
    """Detection as the class searches give it: every count a findall of its own class."""
    t = tables()
    if t.traditional.search(text) is None:
        traditional = simplified = 0
    else:
        head = text[:SAMPLE_QUICK]
        traditional, simplified = len(t.traditional.findall(head)), len(t.simplified.findall(head))
        if len(head) < len(text) and not (max(traditional, simplified) >= 20
                                          and max(traditional, simplified) >= 4 * min(traditional, simplified)):
            traditional, simplified = len(t.traditional.findall(text)), len(t.simplified.findall(text))
    if traditional <= simplified:
        return "hans" if t.han.search(text) else None
    votes = {name: len(pattern.findall(text)) for name, pattern in t.votes.items()}
    best = max(votes.values())
    if best == 0 or votes["hant"] == best:
        return "hant"
    return "hk" if votes["hk"] > votes["tw"] else "tw"


def test_detection_counts_in_one_scan_what_each_class_finds(shared):
    """``_detect_in_sample`` counts both scripts (and the three standards'
    variants) in one scan each; the answer is the class-by-class count's."""
    converters = [make_converter(c) for c in ("s2tw", "s2hk", "s2t", "t2s")]
    answers = set()
    texts = real_texts(shared)
    for text in texts:
        lines = text.split("\n")
        variants = [text, *(convert(text) for convert in converters),
                    "\n".join(converters[0](line) if n % 3 == 0 else line for n, line in enumerate(lines))]
        for variant in variants:
            sample = _sample(variant)
            assert _detect_in_sample(sample) == plain_detection(sample)
            assert _detect_in_sample(variant[:300]) == plain_detection(variant[:300])
            answers.add(plain_detection(sample))
    assert answers >= {"hans", "hant", "tw", "hk"}


@pytest.mark.parametrize("target", ["hans", "tw"])
def test_deferred_changes_are_the_core_changes(shared, target):
    """The pass counts its codes before building its changes; both are what
    the pure core gives, on Traditional, Simplified and mixed pages."""
    options = ScriptOptions(target=target)
    step = Script(options)
    s2tw = make_converter("s2tw")
    converted = 0
    for i, text in enumerate(real_texts(shared)[:40]):
        lines = text.split("\n")
        for variant in (text, "\n".join(s2tw(line) if n % 4 == i % 4 else line for n, line in enumerate(lines))):
            result = step.apply(variant, Document(id="t", text=variant))
            codes = result.codes
            new, changes, _, changed = fix_script(variant, options, step.converter)
            assert (result.text, result.changes, result.counts.get("script_chars", 0)) == (new, changes, changed)
            if codes is not None:
                assert codes == count_codes(changes, attrgetter("code"))
            converted += bool(changes)
    assert converted > 20


def test_detection_from_the_first_trigger_is_detection(shared):
    """The pass tells detection where the first Traditional character of the
    text can be (what it skipped to): the same answer as reading it all,
    with and without titles, short and long, a title longer than the head."""
    skip = _line_trigger("t2s", "hans")
    s2tw = make_converter("s2tw")
    seen = set()
    for i, text in enumerate(real_texts(shared)):
        lines = text.split("\n")
        mixed = "\n".join(s2tw(line) if n % 7 == i % 7 else line for n, line in enumerate(lines))
        traditional = s2tw(text)
        # Traditional only in the middle of the sample, after Latin text.
        middle = "x" * 2000 + traditional[:250] + "x" * 1750
        for variant in (text, mixed, mixed[:1990], mixed[:2001], traditional[:3000], middle):
            for title in (None, "", "標題", "标题", traditional[:40], "长" * 1600, "國" * 1600):
                first = skip(variant).end()
                answer = plain_detection(_sample(variant, title))
                assert detect_script(variant, title) == answer
                assert detect_script(variant, title, first) == answer
                seen.add(answer)
    assert seen >= {"hans", "tw"}


def test_han_in_the_head_is_han_in_the_sample(shared):
    """The pass looks for a Chinese character in the head of the text before
    building the sample: the same answer as the sample's, Han only in the
    middle or in a long title included."""
    han = tables().han
    texts = real_texts(shared)[:30]
    texts += ["x" * 5000, "x" * 2500 + "中" + "x" * 2500, "x" * 1400 + "中" + "x" * 3000, "x" * 1499 + "中",
              "x" * 1800 + "中" + "x" * 3000]  # the last: Han in neither the head nor the middle
    found = 0
    for text in texts:
        for title in (None, "", "标题", "t" * 120, "t" * 1600, "中" * 3, "t" * 1590 + "中"):
            answer = han.search(_sample(text, title)) is not None
            assert _sample_has_han(text, title) == answer, (text[:20], title)
            found += answer
    assert found > 100
