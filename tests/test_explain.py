"""`cleaner explain FILE`, `cleaner rules`, `cleaner check --explain CODE`."""

import json

from conftest import ROOT, run_cli

from cleaner.explain import explain_code, explain_file
from cleaner.passes import all_codes
from cleaner.pipeline import Pipeline
from cleaner.positions import LineIndex

SEED = "seeds/003_c365164ceb5e59a5.txt"


def test_explain_text_is_plain_when_piped():
    proc = run_cli("explain", SEED)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode("utf-8")
    assert "\x1b[" not in out
    assert "== layout:" in out and "cjk_space" in out
    # The no-break space inside 领导小 组 is shown as removed, in context.
    assert "领导小[-\xa0-]组" in out


def test_explain_colour_on_request():
    out = run_cli("explain", SEED, "--color").stdout.decode("utf-8")
    assert "\x1b[31;9m" in out and "[-" not in out


def test_explain_json_places_every_change_in_the_file():
    proc = run_cli("explain", SEED, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    original = (ROOT / SEED).read_text(encoding="utf-8")
    lines = LineIndex(original)
    assert data["source"].endswith("003_c365164ceb5e59a5.txt")
    names = [p["pass"] for p in data["passes"]]
    assert names == [n for n in Pipeline().config.enabled if n != "decode"]
    touched: list[tuple[int, int]] = []
    for step in data["passes"]:
        kinds = {}
        for change in step["changes"]:
            assert (change["line"], change["col"]) == lines.line_col(change["start"])
            # Where no earlier pass touched the text, the span is exactly what the change names.
            if not any(s < change["end"] and change["start"] < e or s == e == change["start"]
                       for s, e in touched):
                assert original[change["start"]:change["end"]] == change["before"], change
            kinds[change["kind"]] = kinds.get(change["kind"], 0) + 1
        for kind, n in kinds.items():
            assert step["counts"][kind] >= n
        touched += [(c["start"], c["end"]) for c in step["changes"]]
    layout = data["passes"][names.index("layout")]
    assert layout["changes"] and all(c["code"].startswith("W") for c in layout["changes"])


def test_explain_library_matches_cli_json():
    analysis = explain_file(ROOT / SEED, Pipeline())
    total = sum(len(located) for located in analysis.located)
    data = json.loads(run_cli("explain", SEED, "--format", "json").stdout)
    assert total == sum(len(p["changes"]) for p in data["passes"])


def test_explain_jsonl_record_by_line(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "干净。"}\n\n{"text": "领导小 组。", "id": "b"}\n', encoding="utf-8")
    data = json.loads(run_cli("explain", str(src), "--line", "3", "--format", "json").stdout)
    assert data["id"] == "b"
    changes = [c for p in data["passes"] for c in p["changes"]]
    assert any(c["code"] == "W103" and c["start"] == 3 for c in changes)
    first = json.loads(run_cli("explain", str(src), "--format", "json").stdout)
    assert not [c for p in first["passes"] for c in p["changes"]]
    assert run_cli("explain", str(src), "--line", "2").returncode == 1
    assert run_cli("explain", str(tmp_path / "missing.txt")).returncode == 1


def test_rules_lists_every_code_by_family():
    proc = run_cli("rules")
    assert proc.returncode == 0
    out = proc.stdout.decode("utf-8")
    codes = all_codes()
    for code, (pass_name, info) in codes.items():
        assert f"  {code}  {info.summary}  [{pass_name}: {info.kind}]" in out
        if info.example:
            assert info.example in out
    headers = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert [h[0] for h in headers] == sorted({c[0] for c in codes}, key="EMBWSP".index)
    data = json.loads(run_cli("rules", "--format", "json").stdout)
    assert {d["code"] for d in data} == set(codes)
    only_w = run_cli("rules", "W10").stdout.decode()
    assert "W103" in only_w and "E101" not in only_w
    assert run_cli("rules", "Q").returncode == 2


def test_every_code_explains_itself():
    for code, (pass_name, info) in all_codes().items():
        text = explain_code(code)
        assert text.startswith(f"{code}: {info.summary}") and pass_name in text
    proc = run_cli("check", "--explain", "w103")
    assert proc.returncode == 0 and proc.stdout.decode().startswith("W103: ")
    assert run_cli("check", "--explain", "X123").returncode == 2
