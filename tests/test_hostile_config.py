"""Hostile or broken rules and configuration: refused with file, line and key,
or contained, never a hang and never one error per document."""

from __future__ import annotations

import time

import pytest
from _reliability import assert_no_traceback, error_lines, records_of, run

RULE = """concern = "custom"

[[rule]]
id = "{id}"
comment = "a user rule"
example = "{example}"
pattern = '{pattern}'
"""


def write_rule(tmp_path, rule_id: str, pattern: str, example: str):
    path = tmp_path / f"{rule_id}.toml"
    path.write_text(RULE.format(id=rule_id, pattern=pattern, example=example), encoding="utf-8")
    return path


@pytest.fixture
def many_a(tmp_path):
    """Lines of a's ending in a character no rule expects: what sets backtracking off.

    One sentence end each: two would make them running text, which line rules
    only try when the tail of the document is reached.
    """
    path = tmp_path / "as.txt"
    path.write_text("\n".join(f"{'a' * 40}!{i}" for i in range(300)), encoding="utf-8")
    return path


@pytest.mark.parametrize("pattern, reason", [
    ("(a+)+$", "nests unbounded repeats"),
    # Passes the shape check; caught by timing the rule on its own example, repeated.
    ("(a|aa)*$", "backtracks catastrophically"),
])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_catastrophic_rule_is_refused_at_load(tmp_path, many_a, pattern, reason, workers):
    rules = write_rule(tmp_path, "user.slow", pattern, "aaaa")
    started = time.monotonic()
    proc = run("clean", str(many_a), "--rules", str(rules), "-o", str(tmp_path / "out.jsonl"),
               "--workers", workers, timeout=60)
    assert time.monotonic() - started < 20
    assert proc.returncode == 2, proc.stderr
    # One line for the run, before any document: not one error per document.
    assert proc.stderr.decode().splitlines() == [f"cleaner: {rules} (rule user.slow): pattern {reason}"
                                                 + proc.stderr.decode().split(reason, 1)[1].splitlines()[0]]
    assert not (tmp_path / "out.jsonl").exists()


def test_rule_that_only_backtracks_on_real_lines_is_time_limited_and_switched_off(tmp_path, many_a):
    # Harmless on its example ("b"), exponential on the document's lines: each
    # try is cut off after a time limit, and after a few the rule is switched
    # off for the run, so 300 lines cost a few tries, not 300 time limits.
    rules = write_rule(tmp_path, "user.sneaky", "b|(a|aa)*$", "b")
    second = tmp_path / "second.txt"
    second.write_text("第二篇文章的正文。\n第二段。", encoding="utf-8")
    started = time.monotonic()
    proc = run("clean", str(many_a), str(second), "--rules", str(rules), timeout=120)
    elapsed = time.monotonic() - started
    assert_no_traceback(proc)
    assert proc.returncode == 0 and elapsed < 10, elapsed
    recs = {r["id"]: r for r in records_of(proc.stdout)}
    # Both documents say the rule was not tried on all their lines.
    assert "rule_timeout" in recs["as"]["flags"] and "rule_timeout" in recs["second"]["flags"]
    assert recs["as"]["text"].count("!") + (recs["as"]["title"] or "").count("!") == 300  # no line lost
    assert "rule_timeout" in proc.stderr.decode()


@pytest.mark.parametrize("body, where, message", [
    ("passes = [\n", 2, "invalid TOML"),
    ('passes = ["decode", "layot"]\n', 1, "unknown pass 'layot' in 'passes'"),
    ('text_key = "text"\n[layot]\nx = 1\n', 2, "unknown key or pass 'layot'"),
    ('[layout]\nheading_max = 3\nwrap_width = 3\n', 3, "unknown option layout.wrap_width"),
    ('[layout]\nheading_max = "long"\n', 2, "layout.heading_max must be a int"),
    # The key is found in its own table, not at its first mention in the file.
    ('[html]\nenabled = true\n[layout]\nenabled = "yes"\n', 4, "layout.enabled must be true or false"),
    ('[layout]\nheading_max = 3\n\n[script]\nphrases = false\ntarget = "klingon"\n', 6,
     "invalid options for script: target must be one of"),
    ("large_removal_share = 2\n", 1, "'large_removal_share' must be a number from 0 to 1"),
])
def test_invalid_configuration_names_file_line_and_key(tmp_path, body, where, message):
    cfg = tmp_path / "cleaner.toml"
    cfg.write_text(body, encoding="utf-8")
    doc = tmp_path / "doc.txt"
    doc.write_text("正文。", encoding="utf-8")
    proc = run("clean", str(doc))  # found by walking up from the input
    assert proc.returncode == 2
    (line,) = proc.stderr.decode().splitlines()
    assert line.startswith(f"cleaner: {cfg}:{where}: {message}"), line


def test_invalid_pyproject_table_names_its_line(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.cleaner.layout]\nwrap = 1\n',
                                             encoding="utf-8")
    (tmp_path / "doc.txt").write_text("正文。", encoding="utf-8")
    proc = run("clean", str(tmp_path / "doc.txt"))
    assert proc.returncode == 2
    assert proc.stderr.decode().startswith(f"cleaner: {tmp_path / 'pyproject.toml'}:5: unknown option layout.wrap")


@pytest.mark.parametrize("text, message", [
    ('concern = "custom"\n[[rule]]\nid = "x"\nscope = \n', "invalid TOML: Invalid value (at line 4"),
    (RULE.format(id="user.typo", pattern="x", example="x") + 'scop = "line"\n',
     "(rule user.typo): unknown key(s) scop"),
    (RULE.format(id="user.wrong", pattern="责任编辑", example="编辑"),
     "(rule user.wrong): pattern does not match its own example"),
    (RULE.format(id="user.syntax", pattern="(unclosed", example="x"), "(rule user.syntax): invalid pattern"),
])
@pytest.mark.parametrize("workers", ["1", "2"])  # with 2, the passes are built while the first scan runs
def test_broken_rule_file_is_one_configuration_error(tmp_path, text, message, workers):
    rules = tmp_path / "mine.toml"
    rules.write_text(text, encoding="utf-8")
    docs = []
    for i in range(3):
        docs.append(tmp_path / f"d{i}.txt")
        docs[-1].write_text("正文。", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = run("clean", *map(str, docs), "--rules", str(rules), "--workers", workers, "-o", str(out))
    assert proc.returncode == 2
    (line,) = proc.stderr.decode().splitlines()  # once, not once per document
    assert line.startswith(f"cleaner: {rules}") and message in line, line
    assert not out.exists()


def test_missing_rule_file_named_in_configuration(tmp_path):
    (tmp_path / "cleaner.toml").write_text('rules = ["outlets/mine.toml"]\n', encoding="utf-8")
    (tmp_path / "doc.txt").write_text("正文。", encoding="utf-8")
    proc = run("clean", str(tmp_path / "doc.txt"))
    assert proc.returncode == 2
    assert error_lines(proc) == [f"cleaner: {tmp_path / 'outlets' / 'mine.toml'}: cannot read rule file: "
                                 f"[Errno 2] No such file or directory: '{tmp_path / 'outlets' / 'mine.toml'}'"]
