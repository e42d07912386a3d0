"""`cleaner check`: findings, exit codes, --fix in each format, --diff, idempotence."""

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SEED_FILES, run_cli
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaner.check import Checker, Selection, count_by_family
from cleaner.passes import all_codes
from cleaner.pipeline import Pipeline

FINDING = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]\d{3}) .+$")


def lines_of(proc) -> list[str]:
    return proc.stdout.decode("utf-8").splitlines()


def findings_in(proc) -> list[re.Match]:
    return [m for m in map(FINDING.match, lines_of(proc)) if m]


@pytest.fixture
def seed_copy(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for path in SEED_FILES:
        shutil.copy(path, folder / path.name)
    return folder


def check_and_fix(paths, pipeline=None):
    """Library round trip: check, write the fixes, check again."""
    checker = Checker(pipeline or Pipeline())
    first = list(checker.check_paths([str(p) for p in paths]))
    for report in first:
        assert not report.errors, report.errors
        if report.fixed is not None:
            Path(report.path).write_bytes(report.fixed)
    second = list(checker.check_paths([str(p) for p in paths]))
    return first, second


def assert_silent(reports):
    leftovers = [f.render() for r in reports for f in r.findings]
    assert not leftovers, "\n".join(leftovers[:20])
    assert not [r.path for r in reports if r.dirty]


# -- the seeds ---------------------------------------------------------------

def test_seeds_report_findings_sorted_with_exit_1(seed_copy):
    proc = run_cli("check", str(seed_copy))
    assert proc.returncode == 1, proc.stderr
    out = lines_of(proc)
    found = findings_in(proc)
    assert len(found) == len(out) - 1, "every line but the summary is a finding"
    keys = [(m["path"], int(m["line"]), int(m["col"])) for m in found]
    assert keys == sorted(keys)
    assert {Path(m["path"]).name for m in found} >= {"003_c365164ceb5e59a5.txt", "004_7fe4199e4b00dc15.txt"}
    assert out[-1].startswith(f"Found {len(found)} findings in ")
    # 领导小 组 in seed 003 (a no-break space): line 12, column of that space.
    line12 = (seed_copy / "003_c365164ceb5e59a5.txt").read_text(encoding="utf-8").split("\n")[11]
    col = line12.index("领导小\xa0组") + 4
    assert line12[col - 1] == "\xa0"
    assert any(m["code"] == "W103" and m["line"] == "12" and m["col"] == str(col) and
               m["path"].endswith("003_c365164ceb5e59a5.txt") for m in found)


def test_every_finding_points_at_what_it_names(seed_copy):
    """Line:col is the file as the user sees it: the quoted text is there (or was made there)."""
    checker = Checker(Pipeline())
    for report in checker.check_paths([str(seed_copy)]):
        lines = Path(report.path).read_text(encoding="utf-8").split("\n")
        for finding in report.findings:
            assert 1 <= finding.line <= len(lines)
            assert 1 <= finding.col <= len(lines[finding.line - 1]) + 1
            removed = re.search(r': remove "(.*)"', finding.message)
            if removed and finding.code.startswith("W"):
                quoted = json.loads(f'"{removed.group(1)}"')
                rest = "\n".join(lines[finding.line - 1:])[finding.col - 1:]
                assert rest.startswith(quoted.rstrip("…")), finding.render()


def test_seeds_cover_four_families(seed_copy):
    families = {code[0] for code in all_codes()} - {"E"}
    if len(families) < 4:
        pytest.skip(f"only {sorted(families)} passes are merged so far")
    reports = list(Checker(Pipeline()).check_paths([str(seed_copy)]))
    counts = count_by_family(f for r in reports for f in r.findings)
    assert len(set(counts) - {"E"}) >= 4, counts


def test_fix_then_check_is_silent_on_the_seeds(seed_copy):
    proc = run_cli("check", "--fix", str(seed_copy))
    assert proc.returncode == 0, proc.stderr
    assert lines_of(proc)[-1].startswith("Fixed ")
    for path in SEED_FILES:  # the file stays text, not a JSON record
        fixed = (seed_copy / path.name).read_text(encoding="utf-8")
        assert fixed.strip() and not fixed.startswith("{")
    again = run_cli("check", str(seed_copy))
    assert again.returncode == 0, again.stdout.decode()
    assert lines_of(again) == ["All clean: 5 files checked."]
    assert not list(seed_copy.glob(".*.tmp"))


def test_fixed_text_is_what_clean_produces_for_the_body(seed_copy):
    """--fix writes the cleaned text; clean's record text is that same text without the header."""
    _, second = check_and_fix(sorted(seed_copy.iterdir()))
    assert_silent(second)
    pipe = Pipeline()
    for path in sorted(seed_copy.iterdir()):
        fixed = path.read_text(encoding="utf-8")
        record = pipe.clean({"id": path.stem, "text": fixed})
        assert record["text"].strip() in fixed.replace("\r\n", "\n")


def test_examples_fix_then_silent(shared, tmp_path):
    examples = shared / "examples"
    files = []
    for name in ("page-020.txt", "page-033.txt"):
        shutil.copy(examples / name, tmp_path / name)
        files.append(tmp_path / name)
    wild = json.loads((examples / "cjk-mojibake-wild.json").read_text(encoding="utf-8"))
    jsonl = tmp_path / "wild.jsonl"
    jsonl.write_text("".join(json.dumps({"id": i, "text": case["mojibake"], "kind": case["kind"]},
                                        ensure_ascii=False) + "\n" for i, case in enumerate(wild)),
                     encoding="utf-8")
    files.append(jsonl)
    first, second = check_and_fix(files)
    assert any(r.findings for r in first)
    assert_silent(second)
    for line, case in zip(jsonl.read_text(encoding="utf-8").splitlines(), wild):
        assert json.loads(line)["kind"] == case["kind"]


# -- formats -----------------------------------------------------------------

def test_jsonl_fix_touches_only_dirty_text_fields(tmp_path):
    seed = (ROOT / "seeds" / "003_c365164ceb5e59a5.txt").read_text(encoding="utf-8")
    clean_line = json.dumps({"text": "干净的文本。", "n": 1}, ensure_ascii=False)
    dirty = {"url": "http://a.b/\u00e9", "content": seed, "nested": {"k": [1, 2.5, None]}, "id": "x"}
    # An escaped field and odd spacing in the untouched lines must keep their bytes.
    raw_clean = '{"content": "\\u5e72\\u51c0\\u7684\\u6587\\u672c\\u3002",  "n": 2}'
    src = tmp_path / "in.jsonl"
    src.write_bytes((clean_line.replace('"text"', '"content"') + "\n" + json.dumps(dirty) + "\r\n"
                     + "\n" + "not json\n" + raw_clean + "\n").encode("utf-8"))
    before = src.read_bytes().split(b"\n")
    proc = run_cli("check", str(src), "--text-key", "content")
    assert proc.returncode == 1
    found = findings_in(proc)
    assert found and {m["line"] for m in found} == {"2"}
    assert "in.jsonl:4: malformed JSON" in proc.stderr.decode()
    proc = run_cli("check", "--fix", str(src), "--text-key", "content")
    assert proc.returncode == 1  # the malformed line is still an error
    after = src.read_bytes().split(b"\n")
    assert len(after) == len(before)
    assert [a for i, a in enumerate(after) if i != 1] == [b for i, b in enumerate(before) if i != 1]
    fixed = json.loads(after[1])
    assert list(fixed) == list(dirty) and after[1].endswith(b"\r")
    assert all(fixed[k] == dirty[k] for k in dirty if k != "content")
    assert "领导小组" in fixed["content"] and "领导小 组" not in fixed["content"]
    again = run_cli("check", str(src), "--text-key", "content")
    assert findings_in(again) == []


def test_non_utf8_bom_and_crlf_files_are_rewritten_as_utf8(tmp_path):
    text = (ROOT / "seeds" / "004_7fe4199e4b00dc15.txt").read_text(encoding="utf-8")
    gb = tmp_path / "gb.txt"
    gb.write_bytes(text.encode("gb18030"))
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + "好的文本。\n".encode())
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes("第一段文字。\r\n第二段文字。\r\n".encode())
    proc = run_cli("check", str(tmp_path))
    assert proc.returncode == 1
    codes = {(Path(m["path"]).name, m["code"]) for m in findings_in(proc)}
    assert ("gb.txt", "E104") in codes and ("bom.txt", "E103") in codes and ("crlf.txt", "W106") in codes
    assert run_cli("check", "--fix", str(tmp_path)).returncode == 0
    assert bom.read_bytes() == "好的文本。\n".encode()
    assert crlf.read_bytes() == "第一段文字。\n第二段文字。\n".encode()
    assert gb.read_bytes().decode("utf-8")  # now UTF-8
    assert run_cli("check", str(tmp_path)).returncode == 0


def test_fix_keeps_permissions(seed_copy):
    target = seed_copy / "003_c365164ceb5e59a5.txt"
    target.chmod(0o640)
    assert run_cli("check", "--fix", str(target)).returncode == 0
    assert target.stat().st_mode & 0o777 == 0o640


def test_kill_during_fix_leaves_each_file_whole(tmp_path):
    """SIGKILL at a random moment: every file is its old bytes or its fixed bytes."""
    folder = tmp_path / "many"
    folder.mkdir()
    originals = {}
    for i in range(60):
        src = SEED_FILES[i % len(SEED_FILES)]
        dest = folder / f"{i:03d}_{src.name}"
        shutil.copy(src, dest)
        originals[dest.name] = dest.read_bytes()
    fixed = {Path(r.path).name: r.fixed for r in Checker(Pipeline()).check_paths([str(folder)])}
    for delay in (0.6, 1.2):
        proc = subprocess.Popen([sys.executable, "-m", "cleaner", "check", "--fix", str(folder)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for path in folder.iterdir():
            if path.name.startswith("."):  # a temporary file the kill left behind
                continue
            assert path.read_bytes() in (originals[path.name], fixed[path.name] or originals[path.name])
    for leftover in folder.glob(".*.tmp"):
        leftover.unlink()


# -- options and exit codes --------------------------------------------------

def test_select_ignore_statistics_quiet(seed_copy):
    only = run_cli("check", "--select", "W103", str(seed_copy))
    assert only.returncode == 1 and {m["code"] for m in findings_in(only)} == {"W103"}
    none = run_cli("check", "--ignore", "W", "--select", "W", str(seed_copy))
    assert none.returncode == 0 and lines_of(none) == ["All clean: 5 files checked."]
    stats = run_cli("check", "--statistics", str(seed_copy))
    assert stats.returncode == 1
    rows = [line.split() for line in lines_of(stats)[:-1]]
    full = findings_in(run_cli("check", str(seed_copy)))
    assert {r[1]: int(r[0]) for r in rows} == {c: sum(m["code"] == c for m in full) for c in {m["code"] for m in full}}
    quiet = run_cli("check", "--quiet", str(seed_copy))
    assert quiet.returncode == 1
    assert lines_of(quiet) == sorted({m["path"] for m in full})


def test_select_does_not_fix_what_it_does_not_report(seed_copy):
    target = seed_copy / "003_c365164ceb5e59a5.txt"
    assert run_cli("check", "--fix", "--select", "W103", str(target)).returncode == 0
    text = target.read_text(encoding="utf-8")
    assert "领导小组" in text and "\n\xa0\xa0\xa0\xa0“在前期" in text  # spaces joined, indentation kept
    assert run_cli("check", "--select", "W103", str(target)).returncode == 0
    assert run_cli("check", str(target)).returncode == 1


def test_diff_changes_nothing_and_matches_fix(seed_copy):
    before = {p.name: p.read_bytes() for p in seed_copy.iterdir()}
    proc = run_cli("check", "--diff", str(seed_copy))
    assert proc.returncode == 1
    diff = proc.stdout.decode("utf-8")
    assert {p.name: p.read_bytes() for p in seed_copy.iterdir()} == before
    assert "\t(original)" in diff and "领导小\xa0组" in diff
    # Applying the diff with patch gives exactly what --fix writes.
    patch = shutil.which("patch")
    if patch:
        patched = seed_copy.parent / "patched"
        shutil.copytree(seed_copy, patched)
        fixed_diff = diff.replace(str(seed_copy), str(patched))
        subprocess.run([patch, "-p0", "-s"], input=fixed_diff.encode(), cwd="/", check=True)
        run_cli("check", "--fix", str(seed_copy))
        assert {p.name: p.read_bytes() for p in patched.iterdir()} == \
               {p.name: p.read_bytes() for p in seed_copy.iterdir()}
    clean = run_cli("check", "--diff", str(ROOT / "tests" / "conftest.py"))
    assert clean.returncode in (0, 1)


def test_usage_and_config_errors_exit_2(tmp_path):
    assert run_cli("check").returncode == 2
    assert run_cli("check", "--select", "Q999", "seeds/").returncode == 2
    assert run_cli("check", "--explain", "Q999").returncode == 2
    assert run_cli("check", "--fix", "--diff", "seeds/").returncode == 2
    (tmp_path / "cleaner.toml").write_text("[layout]\nno_such_option = 1\n")
    (tmp_path / "a.txt").write_text("好的。\n", encoding="utf-8")
    proc = run_cli("check", str(tmp_path / "a.txt"))
    assert proc.returncode == 2 and b"no_such_option" in proc.stderr


def test_config_is_discovered_above_the_paths(seed_copy):
    (seed_copy.parent / "pyproject.toml").write_text("[tool.cleaner.layout]\nstrip_cjk_spaces = false\n")
    proc = run_cli("check", str(seed_copy))
    assert "W103" not in {m["code"] for m in findings_in(proc)}
    (seed_copy.parent / "pyproject.toml").unlink()
    assert "W103" in {m["code"] for m in findings_in(run_cli("check", str(seed_copy)))}


def test_unreadable_and_clean_files(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("一段干净的文字。\n", encoding="utf-8")
    assert run_cli("check", str(good)).returncode == 0
    proc = run_cli("check", str(good), str(tmp_path / "missing.txt"))
    assert proc.returncode == 1 and b"missing.txt: no such file" in proc.stderr


def test_selection_prefixes():
    sel = Selection.parse(["W1,M"], ["W103"])
    assert "W101" in sel and "W103" not in sel and "E101" not in sel
    with pytest.raises(ValueError):
        Selection.parse(["Z"])


# -- idempotence over generated messy text -----------------------------------

FRAGMENTS = [
    "領導小 組", "企業(yè)", "產(chǎn)品", "。", "，", ",", ":", "(", ")", "“", "”", "  ", "\u3000\u3000",
    "\t", " ", "\n", "\n\n\n", "\r\n", "，，", "3.14", "http://example.com/a,b", "Hello, world.",
    "ＡＢＣ１２３", "锟斤拷", "鎴戜滑", "??h委", "责任编辑：张三", "(責編:李四)", "點擊查看", "陳曜 攝",
    "国际在线", "第一段文字很長很長很長很長很長很長", "不", "僅織密", "2020年03月10日14:16", "\ufeff",
    "(pīnyīn)", "拼音", "。”", "…", "—", "%", "&amp;", "é", "Ã©",
]
messy_text = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=40).map("".join)

# Layout and punctuation follow one white space rule (cleaner.chars), so what
# one leaves the other never changes on a second run; the cross-pass cases
# found here are pinned in tests/test_layout.py.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=messy_text, final_newline=st.booleans())
# Boilerplate judged a line on what it was before its own cuts: a credit cut left a
# menu row, and a body line equal to the title found on the first run stayed.
@example(body="領導小 組領導小 組領導小 組(責編:李四)", final_newline=False)
@example(body="领导小 组\n领导小 组", final_newline=False)
def test_fix_is_idempotent_on_generated_text(tmp_path, body, final_newline):
    path = tmp_path / "gen.txt"
    path.write_bytes((body + ("\n" if final_newline else "")).encode("utf-8"))
    _, second = check_and_fix([path])
    assert_silent(second)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bodies=st.lists(messy_text, min_size=1, max_size=4))
def test_fix_is_idempotent_on_generated_jsonl(tmp_path, bodies):
    path = tmp_path / "gen.jsonl"
    records = [{"id": i, "text": b, "tag": "原樣 保留"} for i, b in enumerate(bodies)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    _, second = check_and_fix([path])
    assert_silent(second)
    fixed = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["tag"]) for r in fixed] == [(r["id"], r["tag"]) for r in records]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fix_is_idempotent_on_seed_excerpts(tmp_path, data):
    """Slices of the seeds (any start and end, so headers and wraps get cut) with noise spliced in."""
    text = data.draw(st.sampled_from(SEED_FILES)).read_text(encoding="utf-8")
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 1500)))
    noise = data.draw(messy_text)
    at = data.draw(st.integers(start, end))
    path = tmp_path / "excerpt.txt"
    path.write_text(text[start:at] + noise + text[at:end], encoding="utf-8")
    _, second = check_and_fix([path])
    assert_silent(second)


def test_html_is_checked_not_rewritten(tmp_path):
    page = tmp_path / "page.html"
    body = "".join(f"<p>    第{i}段：领导小 组的工作很长很长很长很长很长。</p>\n" for i in range(3))
    page.write_text(f"<!doctype html><html><head><meta charset='utf-8'></head><body>{body}</body></html>",
                    encoding="utf-8")
    before = page.read_bytes()
    proc = run_cli("check", str(page))
    assert proc.returncode == 1
    found = findings_in(proc)
    assert found and all(m.group(0).endswith("(not fixable in place)") for m in found)
    fixed = run_cli("check", "--fix", str(page))
    assert fixed.returncode == 1 and page.read_bytes() == before


@pytest.mark.parametrize("body", ["2020年03月10日14:16。。”…"])
def test_once_non_idempotent_cases(tmp_path, body):  # fixed in the punctuation pass
    path = tmp_path / "case.txt"
    path.write_text(body, encoding="utf-8")
    _, second = check_and_fix([path])
    assert_silent(second)
