import json
import os
import subprocess
import sys

from conftest import ROOT, SEED_FILES, run_cli


def records(stdout: bytes) -> list[dict]:
    return [json.loads(line) for line in stdout.decode("utf-8").splitlines()]


def test_clean_seeds_writes_one_record_per_file(tmp_path):
    out = tmp_path / "clean.jsonl"
    proc = run_cli("clean", "seeds/", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in recs] == [p.stem for p in SEED_FILES]
    for rec in recs:
        assert rec["encoding_in"] == "utf-8"
        assert rec["text"] and isinstance(rec["fixes"], dict) and isinstance(rec["flags"], list)
    # UTF-8 unescaped output
    assert "江口" in out.read_text(encoding="utf-8")  # same in both scripts: the script pass converts 銅仁
    assert b"documents cleaned" in proc.stderr


def test_workers_give_byte_identical_output(tmp_path):
    one, two = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    assert run_cli("clean", "seeds/", "-o", str(one)).returncode == 0
    assert run_cli("clean", "seeds/", "--workers", "2", "-o", str(two)).returncode == 0
    assert one.read_bytes() == two.read_bytes()


def test_dash_output_is_standard_output(tmp_path):
    to_file = tmp_path / "clean.jsonl"
    assert run_cli("clean", str(ROOT / "seeds"), "-o", str(to_file)).returncode == 0
    # Run from tmp_path (so a file named "-" would land there), importing this source tree.
    proc = subprocess.run([sys.executable, "-m", "cleaner", "clean", str(ROOT / "seeds"), "-o", "-"], cwd=tmp_path,
                          capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == to_file.read_bytes()
    assert not (tmp_path / "-").exists()


def test_jsonl_keeps_other_fields_and_id(tmp_path):
    src = tmp_path / "in.jsonl"
    text = (ROOT / "seeds" / "003_c365164ceb5e59a5.txt").read_text(encoding="utf-8")
    src.write_text(json.dumps({"id": "x1", "url": "http://a.b/c", "content": text}, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    proc = run_cli("clean", str(src), "--text-key", "content")
    assert proc.returncode == 0, proc.stderr
    (rec,) = records(proc.stdout)
    assert rec["id"] == "x1" and rec["url"] == "http://a.b/c"
    assert "领导小组" in rec["content"] and "领导小 组" not in rec["content"]


def test_stdin_text():
    proc = run_cli("clean", "-", input="领导小 组指挥长负责制和工作调度机制,坚持每天一 调度。".encode())
    assert proc.returncode == 0, proc.stderr
    (rec,) = records(proc.stdout)
    assert "领导小组" in rec["text"] and "每天一调度" in rec["text"]


def test_bad_lines_are_reported_and_batch_goes_on(tmp_path):
    src = tmp_path / "bad.jsonl"
    src.write_text('{"text": "好的文本。"}\nnot json\n[1, 2]\n{"text": 5}\n{"body": "x"}\n{"text": "第二篇。"}\n',
                   encoding="utf-8")
    proc = run_cli("clean", str(src))
    assert proc.returncode == 1
    assert [r["text"] for r in records(proc.stdout)] == ["好的文本。", "第二篇。"]
    err = proc.stderr.decode()
    for line in (2, 3, 4, 5):
        assert f"bad.jsonl:{line}:" in err
    assert "Traceback" not in err
    assert run_cli("clean", str(src), "--on-error", "skip").returncode == 0
    failed = run_cli("clean", str(src), "--on-error", "fail", "-o", str(tmp_path / "o.jsonl"))
    assert failed.returncode == 1 and not (tmp_path / "o.jsonl").exists()


def test_binary_and_missing_files_are_one_line_errors(tmp_path):
    (tmp_path / "blob.txt").write_bytes(bytes(range(256)) * 40)
    proc = run_cli("clean", str(tmp_path / "blob.txt"), str(tmp_path / "missing.txt"), "seeds/001_e1851543dd8c1be8.txt")
    assert proc.returncode == 1
    err = proc.stderr.decode().splitlines()
    assert any("blob.txt: binary file" in line for line in err)
    assert any("missing.txt: no such file" in line for line in err)
    assert len(records(proc.stdout)) == 1


def test_invalid_config_exits_2_naming_file_and_line(tmp_path):
    cfg = tmp_path / "cleaner.toml"
    cfg.write_text('[layout]\njoin_wrapped = true\nwrap_width = 3\n', encoding="utf-8")
    proc = run_cli("clean", "seeds/", "--config", str(cfg))
    assert proc.returncode == 2
    assert f"{cfg}:3: unknown option layout.wrap_width" in proc.stderr.decode()


def test_passes_lists_order_and_defaults():
    proc = run_cli("passes")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert out.index("decode") < out.index("layout")
    assert "join_wrapped = True" in out
