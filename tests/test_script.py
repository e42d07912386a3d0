"""Script pass: detection, conversion, OpenCC conformance, either binding."""

import json
import os
import pickle
import re
import subprocess

import opencc
import pytest
from conftest import ROOT, SHARED, seed_text

from cleaner import Pipeline
from cleaner.config import config_from_mapping
from cleaner.document import Document
from cleaner.errors import ConfigError
from cleaner.opencc_compat import (
    OFFICIAL,
    REIMPLEMENTED,
    ConfigUnavailable,
    available_configs,
    config_names,
    flavour,
    make_converter,
)
from cleaner.passes import DEFAULT_ORDER
from cleaner.passes.base import apply_changes
from cleaner.passes.script import (
    TARGETS,
    Script,
    ScriptOptions,
    changed_runs,
    detect_script,
    fix_script,
    plan,
    tables,
)

SIMPLIFIED_SEEDS = ("001", "002", "003")
TRADITIONAL_SEEDS = ("000", "004")
INSTALLED = flavour()


def conformance_cases():
    text = (SHARED / "corpus" / "opencc" / "testcases.json").read_text(encoding="utf-8")
    # OpenCC's file has trailing commas, which JSON does not allow.
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", text))["cases"]


def suite_configs():
    if not (SHARED / "corpus" / "opencc").is_dir():
        return []
    return sorted({config for case in conformance_cases() for config in case["expected"]})


def exposed_configs():
    """Every OpenCC configuration some option of the script pass can use."""
    configs = set()
    for target in TARGETS:
        for source in ("hans", "hant", "tw", "hk"):
            for phrases in (False, True):
                configs.update(step.config for step in plan(source, target, phrases))
    return configs


def run(text, **options):
    doc = Document(id="t", text=text)
    result = Script(ScriptOptions(**options)).apply(text, doc)
    return result, doc


# -- OpenCC conformance, through the converter the pass itself uses ---------------

@pytest.mark.parametrize("config", suite_configs() or ["t2s"])
def test_opencc_conformance(shared, config):
    if INSTALLED != OFFICIAL:
        pytest.skip("the reimplementation is scored by test_reimplementation_conformance_score")
    convert = Script().converter(config)
    checks = [(case["input"], case["expected"][config]) for case in conformance_cases()
              if config in case["expected"]]
    failures = [(source, want, got) for source, want in checks if (got := convert(source)) != want]
    assert not failures, f"{len(failures)} of {len(checks)} {config} checks fail: {failures[:3]}"


def test_suite_covers_every_exposed_config(shared):
    assert len(conformance_cases()) == 232
    assert sum(len(case["expected"]) for case in conformance_cases()) == 543
    assert exposed_configs() <= set(suite_configs())


def test_reimplementation_conformance_score(shared):
    """opencc-python-reimplemented scores 226 of the 484 checks of its 10 configurations."""
    if INSTALLED != REIMPLEMENTED:
        pytest.skip("runs where opencc-python-reimplemented is the installed opencc")
    known = available_configs()
    passed = total = 0
    for case in conformance_cases():
        for config, want in case["expected"].items():
            if config in known:
                total += 1
                passed += make_converter(config)(case["input"]) == want
    print(f"opencc-python-reimplemented conformance: {passed} of {total}")
    assert total == 484 and passed >= 226


# -- the adapter ----------------------------------------------------------------------

def test_config_names_for_both_bindings():
    assert config_names("t2s", OFFICIAL) == ("t2s.json", "t2s")
    assert config_names("t2s.json", OFFICIAL) == ("t2s.json", "t2s")
    assert config_names("tw2sp", REIMPLEMENTED) == ("tw2sp", "tw2sp.json")
    assert config_names("tw2sp.json", REIMPLEMENTED) == ("tw2sp", "tw2sp.json")
    with pytest.raises(ValueError):
        config_names("../t2s", OFFICIAL)
    with pytest.raises(ValueError):
        config_names("t2s", "other")


def test_installed_binding_is_recognised():
    assert flavour(opencc) == INSTALLED
    if INSTALLED == OFFICIAL:
        assert hasattr(opencc, "clib") or hasattr(opencc, "opencc_clib")
        assert {"t2s", "tw2s", "hk2s", "s2t", "tw2t", "hk2t"} <= available_configs()
    else:
        assert hasattr(opencc.opencc, "CONFIG_DIR")


@pytest.mark.parametrize("name", ["t2s", "t2s.json"])
def test_make_converter_takes_either_spelling(name):
    assert make_converter(name)("漢字簡化") == "汉字简化"


def test_unknown_config_is_reported():
    with pytest.raises(ConfigUnavailable):
        make_converter("x2y")


def test_pass_pickles_after_use():
    p = Script()
    assert p.apply("隨著時間裡", Document(id="a", text="")).text == "随着时间里"
    clone = pickle.loads(pickle.dumps(p))
    assert clone.apply("隨著時間裡", Document(id="b", text="")).text == "随着时间里"
    pipeline = Pipeline()
    pipeline.clean_text("為了")
    assert pickle.loads(pickle.dumps(pipeline)).clean_text("為了") == "为了"


REIMPL_PYTHON = os.environ.get("CLEANER_REIMPL_PYTHON")


@pytest.mark.skipif(not REIMPL_PYTHON, reason="set CLEANER_REIMPL_PYTHON to a python whose opencc "
                                               "is opencc-python-reimplemented (benchmarks/opencc_reimpl.py)")
def test_runs_on_the_reimplementation():
    code = (
        "from cleaner.opencc_compat import flavour, make_converter, available_configs\n"
        "from cleaner.passes.script import Script, ScriptOptions\n"
        "from cleaner.document import Document\n"
        "assert flavour() == 'reimplemented', flavour()\n"
        "assert make_converter('t2s')('漢字') == make_converter('t2s.json')('漢字') == '汉字'\n"
        "assert 'tw2t' not in available_configs()\n"
        "doc = Document(id='x', text='')\n"
        "out = Script(ScriptOptions(target='hant')).apply('爲了裡面', doc)\n"
        "print(doc.script_in, out.text, doc.flags)\n"
    )
    proc = subprocess.run([REIMPL_PYTHON, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr


# -- detection ------------------------------------------------------------------------

@pytest.mark.parametrize("prefix", SIMPLIFIED_SEEDS)
def test_simplified_seeds_are_detected(prefix):
    assert detect_script(seed_text(prefix)) == "hans"


@pytest.mark.parametrize("prefix", TRADITIONAL_SEEDS)
def test_traditional_seeds_are_taiwan_forms(prefix):
    # People's Daily's Traditional edition writes Taiwan forms: 為, 裡, 隨著.
    assert detect_script(seed_text(prefix)) == "tw"


@pytest.mark.parametrize("config, standard", [("s2t", "hant"), ("s2tw", "tw"), ("s2hk", "hk")])
@pytest.mark.parametrize("prefix", SIMPLIFIED_SEEDS)
def test_traditional_standards_are_told_apart(prefix, config, standard):
    assert detect_script(make_converter(config)(seed_text(prefix))) == standard


def test_no_chinese_no_script():
    result, doc = run("Plain English text, 2020-03-07.")
    assert (doc.script_in, doc.script, result.changes) == (None, None, [])


def test_real_traditional_page_is_detected(shared):
    text = (shared / "examples" / "page-020.txt").read_text(encoding="utf-8")
    assert detect_script(text) in ("tw", "hant", "hk")


# -- conversion -----------------------------------------------------------------------

def test_taiwan_text_gets_the_taiwan_config():
    text = seed_text("004")
    assert "隨著企業" in text
    result, doc = run(text)
    assert (doc.script_in, doc.script) == ("tw", "hans")
    assert "随着企业" in result.text and "随著" not in result.text
    # Why: t2s reads 著 the OpenCC-standard way (zhù), Taiwan writes the particle with it.
    assert "随著企业" in make_converter("t2s")(text)


def test_phrase_conversion_is_opt_in():
    text = seed_text("000")
    assert "聯絡員" in text
    default, _ = run(text)
    assert "联络员" in default.text
    # tw2sp swaps regional vocabulary, wrong for this mainland outlet's text.
    phrases, _ = run(text, phrases=True)
    assert "联系员" in phrases.text


@pytest.mark.parametrize("prefix", TRADITIONAL_SEEDS)
def test_changes_rebuild_the_output(prefix):
    text = seed_text(prefix)
    result, _ = run(text)
    assert apply_changes(text, result.changes) == result.text
    assert all(text[c.start:c.end] == c.before and c.code == "S101" for c in result.changes)
    assert all("\n" not in c.before for c in result.changes)
    assert result.counts["script_chars"] >= len(result.changes) > 0
    assert not re.search("[為說這們來時對發國會經]", result.text)


def test_unequal_length_conversion_has_exact_changes():
    text = "我在部落格裡寫了一篇文章。\n他用滑鼠點了一下，然後離開。"
    result, _ = run(text, phrases=True)
    assert "博客" in result.text and "鼠标" in result.text
    assert apply_changes(text, result.changes) == result.text
    assert all(text[c.start:c.end] == c.before for c in result.changes)


def test_changed_runs_split_at_lines_and_count_characters():
    runs, changed = changed_runs("為了\n爲了好", "为了\n为了好")
    assert changed == 2
    assert [(a, b) for a, b, _, _ in runs] == [(0, 1), (3, 4)]


def test_mixed_document_converts_only_the_quote():
    body = seed_text("001").splitlines()
    quote = "他說：“防控不放鬆，發展不停步。”"
    text = "\n".join([body[0], quote, *body[1:]])
    result, doc = run(text)
    assert doc.script_in == "hans"
    lines = result.text.splitlines()
    assert lines[1] == "他说：“防控不放松，发展不停步。”"
    assert lines[:1] + lines[2:] == body  # every other line exactly as it was


def test_traditional_document_quoting_simplified_converts_whole_to_traditional():
    text = seed_text("000") + "\n他说：“为了发展。”"
    result, doc = run(text, target="tw")
    assert doc.script_in == "tw"
    assert result.text.endswith("他說：“為了發展。”")
    assert result.text[:len(seed_text("000"))] == seed_text("000")


def test_latin_urls_and_numbers_are_untouched():
    text = "見 https://www.people.com.cn/n1/2020/0310/c1.html 及 iPhone 12，產值達1.86億元，2020/2/29 15:11。"
    result, _ = run(text)
    assert result.text == "见 https://www.people.com.cn/n1/2020/0310/c1.html 及 iPhone 12，产值达1.86亿元，2020/2/29 15:11。"


@pytest.mark.parametrize("target", ["hant", "tw", "hk"])
@pytest.mark.parametrize("prefix", SIMPLIFIED_SEEDS)
def test_round_trip_of_simplified_seeds(prefix, target):
    text = seed_text(prefix)
    there, doc = run(text, target=target)
    assert doc.script == target and there.text != text
    back, back_doc = run(there.text)
    assert back_doc.script_in == target
    lost = {(a, b) for a, b in zip(text, back.text) if a != b}
    assert back.text == text, f"characters not restored: {sorted(lost)}"


def test_keep_detects_only():
    text = seed_text("000")
    result, doc = run(text, target="keep")
    assert result.text == text and result.changes == []
    assert doc.script == doc.script_in == "tw"


@pytest.mark.parametrize("prefix", TRADITIONAL_SEEDS + SIMPLIFIED_SEEDS)
def test_idempotent(prefix):
    once, _ = run(seed_text(prefix))
    twice, _ = run(once.text)
    assert twice.text == once.text and twice.changes == []


def test_pure_core_matches_the_pass():
    text = seed_text("004")
    new, changes, source, changed = fix_script(text, ScriptOptions(), Script().converter)
    result, _ = run(text)
    assert (new, changes) == (result.text, result.changes) and source == "tw" and changed > 0


def test_registered_after_layout():
    order = list(DEFAULT_ORDER)
    assert order.index("layout") < order.index("script") < order.index("punctuation")


def test_bad_target_is_a_config_error():
    with pytest.raises(ConfigError):
        config_from_mapping({"script": {"target": "klingon"}})
    config = config_from_mapping({"script": {"target": "hk", "phrases": True}})
    assert config.options_for("script") == ScriptOptions(target="hk", phrases=True)


def test_pipeline_records_scripts():
    record = Pipeline().clean({"id": "x", "text": seed_text("004")})
    assert record["script_in"] == "tw" and record["script"] == "hans"
    assert record["fixes"]["script_chars"] > 500


@pytest.mark.parametrize("config, regional", [("tw2s", "s2tw"), ("hk2s", "s2hk")])
def test_regional_shortcut_agrees_with_opencc(shared, config, regional):
    """The pass runs t2s on lines where tw2s (hk2s) cannot differ: check it does not."""
    if INSTALLED != OFFICIAL:
        pytest.skip("the shortcut is only taken with the official binding")
    fast, full, to_regional = Script().converter(config), make_converter(config), make_converter(regional)
    texts = [seed_text(p) for p in TRADITIONAL_SEEDS]
    texts.append((shared / "examples" / "page-020.txt").read_text(encoding="utf-8"))
    for page in sorted((shared / "corpus" / "cwced" / "cleaned").glob("*.txt")):
        texts.append(to_regional(page.read_text(encoding="utf-8", errors="replace")))
    for text in texts:
        assert fast(text) == full(text)


def test_title_and_metadata_follow_the_text():
    record = Pipeline().clean({"id": "000", "text": seed_text("000")})
    assert record["title"] == "铜仁江口：“红色引擎”为复工复产注入强劲动能"
    assert record["meta"]["outlet"] == "人民网-贵州频道" and record["meta"]["date"] == "2020-03-10T14:16"
    assert record["script_in"] == "tw"


# -- the shortcuts change nothing --------------------------------------------------------

def _reference(text, title, options, converter):
    """The pass without its shortcuts: detection reads the title and the whole
    text, every line of a "lines" step is searched and converted on its own,
    and the changes come from comparing the whole documents."""
    source = detect_script(f"{title}\n{text}" if title else text)
    new = text
    for step in plan(source, options.target, options.phrases):
        convert = converter(step.config)
        if convert is None:  # the installed binding lacks it (the reimplementation has no tw2t)
            continue
        if step.scope == "all":
            new = convert(new)
        else:
            t = tables()
            trigger = t.simplified_lines[options.target] if step.config.startswith("s2") else t.traditional_lines
            new = "\n".join(convert(line) if trigger.search(line) else line for line in new.split("\n"))
    runs, changed = changed_runs(text, new)
    return new, [(a0, a1, text[a0:a1], new[b0:b1]) for a0, a1, b0, b1 in runs], changed, source


def _shortcut_texts(shared):
    texts = [seed_text(p) for p in TRADITIONAL_SEEDS + SIMPLIFIED_SEEDS]
    texts += [p.read_text(encoding="utf-8") for p in sorted((shared / "examples").glob("*.txt"))]
    texts += ["\n".join(case["input"] for case in conformance_cases())]
    texts += [case["input"] for case in conformance_cases()]
    to_tw = make_converter("s2tw")
    for folder in ("cleaned", "original"):
        for i, page in enumerate(sorted((shared / "corpus" / "cwced" / folder).glob("*.txt"))):
            text = page.read_text(encoding="utf-8", errors="replace")
            texts.append(text)
            # A Simplified page quoting Traditional lines, and the other way round.
            lines = text.split("\n")
            texts.append("\n".join(to_tw(line) if n % 3 == i % 3 else line for n, line in enumerate(lines)))
            texts.append("\n".join(line if n % 4 == i % 4 else to_tw(line) for n, line in enumerate(lines)))
    return texts


@pytest.mark.parametrize("options", [ScriptOptions(), ScriptOptions(phrases=True), ScriptOptions(target="tw"),
                                     ScriptOptions(target="hant"), ScriptOptions(target="hk")])
def test_shortcuts_give_what_converting_every_line_gives(shared, options):
    """The pass skips detection and conversion when a search finds no character
    of the other script, converts the lines that have one in a single call, and
    compares only those: on real text (seeds, examples, every cwced page, the
    OpenCC conformance inputs, pages mixing both scripts) nothing may differ
    from the plain way, titles included."""
    texts = _shortcut_texts(shared)
    titles = [None, "為了發展", "为了发展", "Title"]
    mixed = 0
    script, plain = Script(options), Script(options)
    for n, text in enumerate(texts):
        title = titles[n % len(titles)]
        doc = Document(id="t", text=text, title=title)
        result = script.apply(text, doc)
        new, runs, changed, source = _reference(text, title, options, plain.converter)
        got = [(c.start, c.end, c.before, c.after) for c in result.changes]
        assert (result.text, got, result.counts.get("script_chars", 0), doc.script_in) == (new, runs, changed, source)
        mixed += source == "hans" and bool(runs)
    assert options != ScriptOptions() or mixed > 50  # the line-by-line path was exercised
