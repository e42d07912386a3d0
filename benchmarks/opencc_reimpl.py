"""Run the script pass on opencc-python-reimplemented, in a throwaway venv.

    python benchmarks/opencc_reimpl.py [--keep DIR]

The official binding and the reimplementation install the same module name
``opencc``, so they cannot share an environment. This makes a fresh venv,
installs the project, swaps the official binding for the reimplementation,
then prints the reimplementation's OpenCC conformance score (the 543 checks of
../shared/corpus/opencc/testcases.json; configurations it lacks count as
missing) and runs tests/test_script.py and tests/test_punctuation.py there,
with CLEANER_REIMPL_PYTHON set so the reimplementation-only tests run.
Needs PyPI. Slow (a few minutes); not part of CI.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCORE = r'''
import json, re, sys
from cleaner.opencc_compat import flavour, available_configs, make_converter
text = open(sys.argv[1], encoding="utf-8").read()
cases = json.loads(re.sub(r",(\s*[}\]])", r"\1", text))["cases"]
known = available_configs()
per = {}
for case in cases:
    for config, want in case["expected"].items():
        row = per.setdefault(config, [0, 0])
        row[1] += 1
        if config in known:
            row[0] += make_converter(config)(case["input"]) == want
print("binding:", flavour())
for config, (ok, n) in sorted(per.items()):
    print(f"  {config:6s} {ok:3d}/{n:3d}" + ("" if config in known else "  (configuration missing)"))
ok = sum(v[0] for k, v in per.items() if k in known)
n = sum(v[1] for k, v in per.items() if k in known)
print(f"conformance: {ok} of {n} checks of its {len(known)} configurations; "
      f"{sum(v[1] for k, v in per.items() if k not in known)} more checks need configurations it lacks")
'''


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="build the venv here and keep it")
    args = parser.parse_args()
    shared = Path(os.environ.get("CLEANER_SHARED", ROOT.parent / "shared")).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        home = args.keep or Path(tmp) / "venv"
        if not (home / "bin" / "python").exists():
            venv.create(home, with_pip=True)
        python = str(home / "bin" / "python")

        def pip(*argv: str) -> None:
            subprocess.run([python, "-m", "pip", "install", "-q", *argv], check=True)

        pip(f"{ROOT}[test]")
        subprocess.run([python, "-m", "pip", "uninstall", "-q", "-y", "opencc"], check=True)
        pip("--force-reinstall", "--no-deps", "opencc-python-reimplemented")
        env = {**os.environ, "CLEANER_SHARED": str(shared), "CLEANER_REIMPL_PYTHON": python}
        subprocess.run([python, "-c", SCORE, str(shared / "corpus" / "opencc" / "testcases.json")],
                       check=True, cwd=tmp, env=env)
        # Run from elsewhere so the installed package (with its rule files) is imported.
        proc = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", "--rootdir", str(ROOT),
                               str(ROOT / "tests" / "test_script.py"), str(ROOT / "tests" / "test_punctuation.py")],
                              cwd=tmp, env=env)
        sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
