import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# The property tests run the same examples on every run by default, so a run of
# the suite (and CI) passes or fails on the code alone. Searching for new
# counterexamples is a separate, deliberate run:
#   pytest --hypothesis-profile=explore tests/test_punctuation.py
# and whatever it finds goes into the tests as an @example.
settings.register_profile("default", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, max_examples=5000)
settings.load_profile("default")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = Path(os.environ.get("CLEANER_SHARED", ROOT.parent / "shared")).resolve()
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def seed_text(prefix: str) -> str:
    (path,) = [p for p in SEED_FILES if p.name.startswith(prefix)]
    return path.read_text(encoding="utf-8")


def run_cli(*args: str, input: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cleaner", *args], input=input, cwd=cwd or ROOT,
                          capture_output=True, timeout=300)


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED
