"""Bad input: each case gives a correct result or one line naming the file (and
line), never a traceback, and the rest of the batch goes on.

Every test runs the real command line on real files and checks that a good
document cleaned in the same run came out, so "the batch goes on" is checked
each time, not once.
"""

from __future__ import annotations

import codecs
import gzip
import os
import stat
import unicodedata

import pytest
from _reliability import (
    assert_no_traceback,
    error_lines,
    records_of,
    run,
    without_file_privileges,
)
from conftest import seed_text

GOOD = "建立健全领导小组指挥长负责制和工作调度机制，坚持每天一调度。"


def batch(tmp_path, *extra_args, **kwargs):
    """Run ``cleaner clean`` on ``tmp_path/in`` (plus a known good file) to stdout."""
    folder = tmp_path / "in"
    (folder / "zz_good.txt").write_text(GOOD + "\n", encoding="utf-8")
    proc = run("clean", str(folder), *extra_args, **kwargs)
    assert_no_traceback(proc)
    recs = records_of(proc.stdout)
    by_id = {r["id"]: r for r in recs}
    assert by_id["zz_good"]["text"] == GOOD, "the good document after the bad one was not cleaned"
    return proc, by_id


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "in").mkdir()
    return tmp_path / "in"


def single_error(proc, name: str) -> str:
    (line,) = [e for e in error_lines(proc) if name in e]
    return line


# -- bytes that are not text ---------------------------------------------------

def test_binary_files_are_one_line_errors(tmp_path, folder):
    (folder / "archive.txt").write_bytes(gzip.compress(seed_text("001").encode()))
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    proc, recs = batch(tmp_path)
    assert proc.returncode == 1
    for name in ("archive.txt", "image.txt"):
        assert single_error(proc, name).endswith(f"{name}: binary file (control bytes), not text")
        assert name.removesuffix(".txt") not in recs


def test_empty_file_is_an_empty_document(tmp_path, folder):
    (folder / "empty.txt").write_bytes(b"")
    proc, recs = batch(tmp_path)
    assert proc.returncode == 0
    assert recs["empty"]["text"] == "" and recs["empty"]["encoding_in"] == "utf-8"


def test_nul_bytes_are_removed_and_flagged(tmp_path, folder):
    (folder / "nul.txt").write_bytes("第一句\x00话。\n第二句话。\x00".encode())
    proc, recs = batch(tmp_path)
    assert proc.returncode == 0
    assert recs["nul"]["text"] == "第一句话。\n第二句话。"
    assert "nul" in recs["nul"]["flags"] and recs["nul"]["fixes"]["nul"] == 2


def test_undecodable_bytes_in_a_declared_encoding_name_file_and_line(tmp_path, folder):
    # A page that says GBK, is GBK, and has a run of bytes that are not GBK on line 3.
    head = "<html><head><meta charset=\"gbk\"></head>\n<body>\n<p>中文".encode("gbk")
    body = head + b"\xff\xfe\xff" + "</p></body></html>".encode("gbk")
    (folder / "declared.html").write_bytes(body)
    # One stray byte in a long page is replaced and flagged, not fatal.
    page = "<html><head><meta charset=\"gbk\"></head><body><p>" + seed_text("001")[:3000] + "</p></body></html>"
    (folder / "one_bad_byte.html").write_bytes(page[:500].encode("gbk") + b"\xff" + page[500:].encode("gbk"))
    proc, recs = batch(tmp_path)
    assert proc.returncode == 1
    assert single_error(proc, "declared.html").endswith(
        f"declared.html:3: undecodable bytes: 3 bytes are not gb18030 (first at byte {len(head)})")
    rec = recs["one_bad_byte"]
    assert rec["encoding_in"] == "gb18030" and "decode_replaced" in rec["flags"]
    assert rec["text"].count("\ufffd") == 1
    assert seed_text("001")[:3000].splitlines()[2] in rec["text"].replace("\ufffd", "")


def test_undecodable_bytes_in_no_known_encoding_name_the_line(tmp_path, folder):
    # UTF-8 lines, then a line of bytes that no candidate encoding reads.
    data = "第一行。\n第二行。\n".encode() + b"\x81\x30\xff\xfe\x80\xff\x00\x81\x30\xff" * 40
    (folder / "garbage.txt").write_bytes(data)
    proc, recs = batch(tmp_path)
    line = single_error(proc, "garbage.txt")
    assert ":3: " in line or "binary file" in line, line
    assert "garbage" not in recs


def test_mixed_encodings_in_one_file(tmp_path, folder):
    lines = [line.strip() for line in seed_text("003").splitlines() if len(line) > 40][:3]
    (folder / "mixed.txt").write_bytes((lines[0] + "\n").encode() + (lines[1] + "\n").encode("gbk")
                                       + lines[2].encode())
    (folder / "mixed_as_utf8.txt").write_text("\n".join(lines), encoding="utf-8")
    proc, recs = batch(tmp_path)
    rec = recs["mixed"]
    # The same text as the file saved in one encoding, and the GBK line flagged.
    assert rec["text"] == recs["mixed_as_utf8"]["text"] and "截至2月20日" in rec["text"]
    assert "mixed_encoding" in rec["flags"] and "\ufffd" not in rec["text"]


def test_utf8_bom_in_the_middle(tmp_path, folder):
    # Two files concatenated, each with its BOM.
    data = codecs.BOM_UTF8 + "第一篇。\n".encode() + codecs.BOM_UTF8 + "第二篇。\n".encode()
    (folder / "boms.txt").write_bytes(data)
    proc, recs = batch(tmp_path)
    assert recs["boms"]["text"] == "第一篇。\n第二篇。"


def test_lone_surrogates_in_json_become_replacement_characters(tmp_path, folder):
    (folder / "surrogates.jsonl").write_text(
        '{"id": "s1", "text": "前\\ud800后"}\n{"id": "s2", "text": "\\udc00结尾。"}\n'
        '{"id": "s3", "text": "正常的\\ud83d\\ude00表情。"}\n', encoding="utf-8")
    proc, recs = batch(tmp_path)
    assert proc.returncode == 0
    assert recs["s1"]["text"] == "前\ufffd后" and "lone_surrogate" in recs["s1"]["flags"]
    assert recs["s2"]["text"] == "\ufffd结尾。"
    assert recs["s3"]["text"] == "正常的\U0001F600表情。" and recs["s3"]["flags"] == []
    proc.stdout.decode("utf-8")  # the whole output is valid UTF-8


BAD_JSONL_LINES = [
    ("not json at all", "malformed JSON"),
    ('["a", "list"]', "is a JSON list, not an object"),
    ('"a string"', "is a JSON str, not an object"),
    ('{"body": "no text key"}', "no 'text' field"),
    ('{"text": 42}', "'text' is int, not a string"),
    ('{"text": null}', "'text' is NoneType, not a string"),
    ('{"text": ["a"]}', "'text' is list, not a string"),
    ('{"text": "x"', "malformed JSON"),
    ("[" * 100_000 + "]" * 100_000, "too deeply nested"),
]


def test_bad_jsonl_lines_name_file_and_line(tmp_path, folder):
    lines = ['{"id": "first", "text": "第一篇。"}']
    for bad, _ in BAD_JSONL_LINES:
        good_line = len(lines) + 2
        lines += [bad, f'{{"id": "after_{good_line}", "text": "第{good_line}篇。"}}']
    (folder / "data.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc, recs = batch(tmp_path)
    assert proc.returncode == 1
    errors = [e for e in error_lines(proc) if "data.jsonl" in e]
    assert len(errors) == len(BAD_JSONL_LINES)
    for number, (error, (_, message)) in enumerate(zip(errors, BAD_JSONL_LINES)):
        line = 2 * number + 2
        assert error.startswith(f"cleaner: {folder / 'data.jsonl'}:{line}: ") and message in error, error
        assert recs[f"after_{line + 1}"]["text"] == f"第{line + 1}篇。"


def test_jsonl_nan_in_another_field_is_kept(tmp_path, folder):
    # Python's json reads NaN; the record is cleaned and the field written back as read.
    (folder / "data.jsonl").write_text('{"id": "n", "text": "正文。", "score": NaN}\n', encoding="utf-8")
    proc, recs = batch(tmp_path)
    assert proc.returncode == 0 and recs["n"]["text"] == "正文。" and recs["n"]["score"] != recs["n"]["score"]


def test_jsonl_line_that_is_not_utf8(tmp_path, folder):
    (folder / "data.jsonl").write_bytes(b'{"id": "a", "text": "ok"}\n' + '{"text": "中文"}'.encode("gbk") + b"\n")
    proc, recs = batch(tmp_path)
    assert "data.jsonl:2: line is not UTF-8" in single_error(proc, "data.jsonl")
    assert recs["a"]["text"] == "ok"


# -- size and shape ---------------------------------------------------------------

def test_24_megabyte_single_document(tmp_path, folder):
    # Real sentences, each line made unique so that no repeated-line rule applies.
    sentences = [s + "。" for s in seed_text("001").splitlines()[2].split("。") if len(s) > 10]
    lines, size, n = [], 0, 0
    while size < 24_000_000:
        line = f"第{n}段：{sentences[n % len(sentences)]}"
        lines.append(line)
        size += len(line.encode()) + 1
        n += 1
    (folder / "huge.txt").write_text("\n".join(lines), encoding="utf-8")
    proc, recs = batch(tmp_path)
    assert proc.returncode == 0
    out = recs["huge"]["text"].split("\n")
    assert len(out) == n and out[0] == lines[0] and out[-1] == lines[-1]


def test_200000_line_document(tmp_path, folder):
    lines = [f"第{i}行：这是一个完整的句子。" for i in range(200_000)]
    (folder / "lines.txt").write_text("\n".join(lines), encoding="utf-8")
    proc, recs = batch(tmp_path)
    assert proc.returncode == 0
    out = recs["lines"]["text"].split("\n")
    assert len(out) == 200_000 and out[0] == lines[0] and out[-1] == lines[-1]


def test_html_nested_10000_deep(tmp_path, folder):
    deep = "<html><body>" + "<div>" * 10_000 + "<p>深层嵌套的正文。</p>" + "</div>" * 10_000 + "</body></html>"
    (folder / "deep.html").write_text(deep, encoding="utf-8")
    proc, recs = batch(tmp_path)
    if "deep" in recs:
        assert "深层嵌套的正文。" in recs["deep"]["text"]
    else:
        assert single_error(proc, "deep.html").startswith(f"cleaner: {folder / 'deep.html'}: ")


def test_document_of_only_punctuation(tmp_path, folder):
    text = "。，、！？……——“”《》（）【】；：" * 20
    (folder / "punct.txt").write_text(text, encoding="utf-8")
    proc, recs = batch(tmp_path)
    assert proc.returncode == 0 and recs["punct"]["text"]
    assert set(recs["punct"]["text"]) <= set(text + ",.!?;:()\"'-")


def test_text_with_every_unicode_category(tmp_path, folder):
    # One character of every general category that can be written as UTF-8,
    # between Chinese sentences: controls, format (RTL marks, ZWJ), combining
    # marks, private use, emoji sequences, CJK extension B, unassigned.
    samples = {}
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        samples.setdefault(unicodedata.category(chr(code)), chr(code))
    assert len(samples) == 29
    keep = "e\u0301 \u200f\u202bמשפט\u202c \U0001F468\u200D\U0001F469\u200D\U0001F467 \U00020000\U0002A6D6 \uE000"
    text = "第一句话。\n" + "".join(samples.values()) + "\n" + keep + "\n最后一句话。"
    (folder / "categories.txt").write_text(text, encoding="utf-8")
    proc, recs = batch(tmp_path)
    assert proc.returncode == 0
    out = recs["categories"]["text"]
    assert out.startswith("第一句话。") and out.endswith("最后一句话。")
    for piece in keep.split(" "):
        assert piece in out, piece


def test_paths_with_spaces_and_non_ascii_names(tmp_path, folder):
    sub = folder / "新闻 数据" / "第 1 批"
    sub.mkdir(parents=True)
    (sub / "文章 一.txt").write_text("这是 文章 一的正文。", encoding="utf-8")
    (sub / "naïve résumé.txt").write_text("Café au lait.\nUn croissant, s'il vous plaît.", encoding="utf-8")
    proc, recs = batch(tmp_path)
    assert proc.returncode == 0
    assert recs["文章 一"]["source"] == str(sub / "文章 一.txt")
    assert recs["文章 一"]["text"] == "这是文章一的正文。"
    assert "Un croissant, s'il vous plaît." in recs["naïve résumé"]["text"]


def test_unreadable_files_and_folders(tmp_path, folder):
    preexec, reason = without_file_privileges()
    if reason:
        pytest.skip(reason)
    (folder / "locked.txt").write_text("秘密。", encoding="utf-8")
    (folder / "locked.txt").chmod(0)
    closed = folder / "closed"
    closed.mkdir()
    (closed / "inside.txt").write_text("看不到。", encoding="utf-8")
    closed.chmod(0)
    try:
        proc, recs = batch(tmp_path, preexec_fn=preexec)
    finally:
        closed.chmod(stat.S_IRWXU)
    assert proc.returncode == 1
    assert single_error(proc, "locked.txt").endswith("locked.txt: permission denied")
    assert single_error(proc, "closed").endswith("closed: cannot list folder: permission denied")
    assert "locked" not in recs and "inside" not in recs


def test_symlink_loops(tmp_path, folder):
    (folder / "a.txt").symlink_to(folder / "b.txt")
    (folder / "b.txt").symlink_to(folder / "a.txt")
    deep = folder / "sub" / "deeper"
    deep.mkdir(parents=True)
    (deep / "doc.txt").write_text("子目录里的文章。", encoding="utf-8")
    # Two links up make glob's ``**`` (which follows links) explode.
    (deep / "up").symlink_to(folder)
    (folder / "sub" / "up").symlink_to(folder)
    proc, recs = batch(tmp_path, timeout=60)
    assert proc.returncode == 1
    assert single_error(proc, "a.txt").endswith("a.txt: symlink loop")
    assert single_error(proc, "b.txt").endswith("b.txt: symlink loop")
    assert recs["doc"]["text"] == "子目录里的文章。"
    assert records_of(proc.stdout).count(recs["doc"]) == 1

    globbed = run("clean", str(folder) + "/**/*.txt", "--on-error", "skip", timeout=60)
    assert_no_traceback(globbed)
    assert [r["id"] for r in records_of(globbed.stdout)] == ["doc", "zz_good"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_named_pipe_in_a_folder_does_not_hang(tmp_path, folder):
    os.mkfifo(folder / "pipe.txt")
    proc, recs = batch(tmp_path, timeout=60)
    assert single_error(proc, "pipe.txt").endswith("pipe.txt: not a regular file (pipe, socket or device)")


def test_missing_input_and_a_folder_named_like_a_file(tmp_path, folder):
    (folder / "folder.txt").mkdir()
    proc = run("clean", str(folder / "missing.txt"), str(tmp_path / "in"))
    assert_no_traceback(proc)
    assert single_error(proc, "missing.txt").endswith("missing.txt: no such file or folder")
    # A folder whose name ends in .txt is walked, not read as a file.
    assert not [e for e in error_lines(proc) if "folder.txt" in e]


def test_every_bad_input_in_one_batch(tmp_path, folder):
    """All of the above at once: each bad file one line, every good one cleaned."""
    (folder / "a_binary.txt").write_bytes(gzip.compress(b"x" * 5000))
    (folder / "b_empty.txt").write_bytes(b"")
    (folder / "c_nul.txt").write_bytes("正文\x00。".encode())
    (folder / "d_lines.jsonl").write_text('{"text": 1}\nnope\n{"text": "好。"}\n', encoding="utf-8")
    (folder / "e_gbk.txt").write_bytes(seed_text("001").encode("gbk"))
    (folder / "f_loop.txt").symlink_to(folder / "f_loop.txt")
    for on_error, code in (("report", 1), ("skip", 0)):
        proc, recs = batch(tmp_path, "--on-error", on_error)
        assert proc.returncode == code
        errors = error_lines(proc)
        assert len(errors) == 4, errors  # binary, two JSONL lines, the loop
        assert {"b_empty", "c_nul", "d_lines_3", "e_gbk", "zz_good"} <= set(recs)
        assert recs["e_gbk"]["encoding_in"] == "gb18030"
        assert "4 skipped" in proc.stderr.decode()
    failed = run("clean", str(folder), "--on-error", "fail", "-o", str(tmp_path / "out.jsonl"))
    assert failed.returncode == 1 and not (tmp_path / "out.jsonl").exists()
    assert "a_binary.txt: binary file" in failed.stderr.decode()
