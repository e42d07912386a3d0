import pytest
from conftest import seed_text

from cleaner.errors import InputError
from cleaner.passes.decode import decode_bytes


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"),
    ("utf-16-le", "utf-16-le"), ("gb18030", "gb18030"), ("gbk", "gb18030"),
])
def test_simplified_seed_round_trips_through_encodings(encoding, expected):
    text = seed_text("001")
    decoded, used, _ = decode_bytes(text.encode(encoding), "seed001")
    assert decoded == text
    assert used == expected


def test_big5_seed_decodes_as_big5hkscs():
    # Bullets and no-break spaces have no Big5 code; the rest of the seed has.
    text = seed_text("000").replace("\u2022", "").replace("\xa0", " ")[:2000]
    data = text.encode("big5", errors="strict")
    decoded, used, _ = decode_bytes(data, "seed000")
    assert used == "big5hkscs"
    assert decoded == text


def test_latin_family_prefers_cp1252():
    decoded, used, _ = decode_bytes("Café déjà vu, naïve résumé".encode("cp1252"), "x")
    assert decoded == "Café déjà vu, naïve résumé" and used == "cp1252"


def test_binary_is_rejected_with_the_file_name():
    with pytest.raises(InputError, match="blob.bin: binary file"):
        decode_bytes(bytes(range(256)) * 10, "blob.bin")


def test_mixed_encodings_decode_line_by_line():
    simplified = seed_text("001").splitlines()[0]
    data = "第一行是UTF-8。\n".encode() + simplified.encode("gbk") + "\n最后一行。".encode()
    decoded, used, counts = decode_bytes(data, "mixed.txt")
    assert decoded.splitlines() == ["第一行是UTF-8。", simplified, "最后一行。"]
    assert counts == {"mixed_encoding": 1}


def test_bom_in_the_middle_is_removed():
    decoded, _, counts = decode_bytes("甲\n".encode() + "\ufeff乙".encode(), "boms.txt")
    assert decoded == "甲\n乙" and counts == {"bom": 1}


def test_a_gbk_page_with_one_damaged_character_decodes_with_a_replacement(shared):
    # cwced 6dc2d508: GBK with one truncated character, which charset-normalizer rejects.
    (page,) = (shared / "corpus" / "cwced" / "original").glob("6dc2d508*")
    text, used, counts = decode_bytes(page.read_bytes(), page.name, html=True)
    assert used == "gb18030"
    assert counts["decode_replaced"] <= 3
    assert "2005年" in text
