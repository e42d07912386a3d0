"""Replay every input under tests/regressions/ through the fuzzer's check."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from conftest import ROOT

REGRESSIONS = sorted((ROOT / "tests" / "regressions").glob("*.bin"))
_spec = importlib.util.spec_from_file_location("fuzz_decode_mojibake", ROOT / "benchmarks" / "fuzz_decode_mojibake.py")
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)


def test_there_are_regressions_to_replay():
    assert REGRESSIONS, "tests/regressions/ is empty: the replay below would prove nothing"


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_replay(path: Path):
    fuzz.check_input(path.read_bytes(), html=path.name.endswith(".html.bin"))


@pytest.mark.parametrize("path", [p for p in REGRESSIONS if p.with_suffix(".expected.txt").exists()],
                         ids=lambda p: p.name)
def test_decodes_to_the_expected_text(path: Path):
    text, _, _ = fuzz.decode_bytes(path.read_bytes(), path.name)
    assert text == path.with_suffix(".expected.txt").read_text(encoding="utf-8")


def test_few_controls_are_text_not_binary():
    text, _, _ = fuzz.decode_bytes((ROOT / "tests" / "regressions" / "decode-few-controls-not-binary.bin").read_bytes(),
                                   "x")
    assert text.startswith("中文") and "\U00020000" in text
