"""The hook repository, end to end, with a real pre-commit from PyPI.

A temporary git repository commits the seeds and points its
``.pre-commit-config.yaml`` at this checkout at HEAD (a local path, so no
GitHub: pre-commit clones it and pip-installs it from PyPI). cleaner-check
fails with the findings, cleaner-fix rewrites, cleaner-check then passes.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, SEED_FILES

from cleaner.check import Checker
from cleaner.pipeline import Pipeline

pytest.importorskip("pre_commit")


def git(*args, cwd):
    return subprocess.run(["git", "-c", "user.name=cleaner-test", "-c", "user.email=test@example.invalid",
                           "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def head_of_checkout() -> str:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    try:
        return git("rev-parse", "HEAD", cwd=ROOT)
    except subprocess.CalledProcessError:
        pytest.skip("not running from a git checkout")


def pre_commit(*args, cwd, home):
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", NO_COLOR="1")
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_hooks_check_fail_fix_rewrites_check_passes(tmp_path):
    rev = head_of_checkout()
    repo = tmp_path / "data-repo"
    (repo / "data").mkdir(parents=True)
    for path in SEED_FILES:
        shutil.copy(path, repo / "data" / path.name)
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {ROOT}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: cleaner-check\n"
        "      - id: cleaner-fix\n"
        "        stages: [manual]\n", encoding="utf-8")
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "seeds", cwd=repo)
    home = tmp_path / "pre-commit-home"

    expected = [f.render() for r in Checker(Pipeline()).check_paths([str(repo / "data")]) for f in r.findings]
    assert expected

    first = pre_commit("run", "cleaner-check", "--all-files", cwd=repo, home=home)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "cleaner check" in first.stdout and "Failed" in first.stdout
    reported = set(re.findall(r"^data/\S+:\d+:\d+: [A-Z]\d{3} .*$", first.stdout, re.MULTILINE))
    assert reported
    in_sync = not git("status", "--porcelain", "--", "cleaner", cwd=ROOT)
    if in_sync:  # the hook runs HEAD; compare exactly when the work tree is HEAD
        assert reported == {line.replace(str(repo) + os.sep, "") for line in expected}

    fixed = pre_commit("run", "cleaner-fix", "--all-files", "--hook-stage", "manual", cwd=repo, home=home)
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr
    assert "files were modified by this hook" in fixed.stdout
    changed = git("status", "--porcelain", cwd=repo).splitlines()
    assert {line.split()[-1] for line in changed} == {m.split(":")[0] for m in reported}

    second = pre_commit("run", "cleaner-check", "--all-files", cwd=repo, home=home)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout
