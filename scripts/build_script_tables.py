#!/usr/bin/env python3
"""Build cleaner/data/script_chars.json, the character tables the script pass
uses to detect a document's script (Simplified or Traditional, and which
Traditional standard: OpenCC's own, Taiwan's or Hong Kong's).

Source: the dictionaries of OpenCC (https://github.com/BYVoid/OpenCC,
data/dictionary/*.txt), Apache License 2.0, (c) Carbo Kuo (BYVoid) and
contributors. Only derived character sets are written, no dictionary entries.

    python scripts/build_script_tables.py OPENCC_CHECKOUT/data/dictionary [--commit SHA]

Run it where the official binding (PyPI opencc) is installed, from the same
OpenCC release as the dictionaries.

The tables:
- ``traditional``: characters that only Traditional text uses: keys of
  TSCharacters.txt that are not among their own candidates (``為``, ``說``;
  not ``乾`` or ``於``, which Simplified keeps in some words).
- ``simplified``: keys of STCharacters.txt that are not among their own
  candidates (``为``, ``说``; not ``后``, ``里``, ``台``, ``才``, which
  Traditional also writes).
- ``votes``: for each Traditional standard (``hant`` = OpenCC's, ``tw``,
  ``hk``), the variant characters (TWVariants.txt, HKVariants.txt) that the
  standard writes while at least one of the other two does not: ``爲`` votes
  hant, ``為`` votes tw and hk, ``裡`` tw, ``説`` hk, ``着`` hant and hk.
  A character valid in all three (``著``, ``線``) is no evidence and is left out.
  Hong Kong writes some characters the Simplified way (``温``, ``说``'s
  ``説`` aside): they vote hk here and also count as Simplified evidence,
  which a Hong Kong text outweighs with its other characters.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "cleaner" / "data" / "script_chars.json"


def read_dictionary(path: Path) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or "\t" not in line:
            continue
        key, _, rest = line.partition("\t")
        values = [v for v in rest.split() if not v.startswith(("@", "#"))]
        if values:
            table.setdefault(key, values)
    return table


def build(dictionary_dir: Path) -> dict:
    ts = read_dictionary(dictionary_dir / "TSCharacters.txt")
    st = read_dictionary(dictionary_dir / "STCharacters.txt")
    tw = read_dictionary(dictionary_dir / "TWVariants.txt")
    hk = read_dictionary(dictionary_dir / "HKVariants.txt")

    traditional = {k for k, v in ts.items() if len(k) == 1 and k not in v}
    simplified = {k for k, v in st.items() if len(k) == 1 and k not in v} - traditional
    st_outputs = {c for values in st.values() for c in values}

    def std_valid(c: str) -> bool:
        # OpenCC-standard Traditional writes what s2t produces, and every
        # character that neither t2s nor s2t changes.
        return c in st_outputs or (c not in ts and c not in simplified)

    def region_valid(c: str, variants: dict[str, list[str]]) -> bool:
        if any(c in values for values in variants.values()):
            return True
        return std_valid(c) and c not in variants

    candidates = {c for table in (tw, hk) for k, values in table.items() for c in (k, *values) if len(c) == 1}
    votes: dict[str, set[str]] = {"hant": set(), "tw": set(), "hk": set()}
    for c in candidates:
        valid = {"hant": std_valid(c), "tw": region_valid(c, tw), "hk": region_valid(c, hk)}
        if all(valid.values()) or not any(valid.values()):
            continue
        for standard, ok in valid.items():
            if ok:
                votes[standard].add(c)
    return {
        "traditional": "".join(sorted(traditional)),
        "simplified": "".join(sorted(simplified)),
        "votes": {k: "".join(sorted(v)) for k, v in votes.items()},
        "regional_only": regional_only(dictionary_dir, ts),
    }


def regional_only(dictionary_dir: Path, ts: dict[str, list[str]]) -> dict[str, str]:
    """For tw2s and hk2s: the characters on whose lines the result differs from t2s.

    tw2s is t2s behind a first step that maps Taiwan variants to OpenCC's
    standard, and costs twice as much. On a line without any of these
    characters the two agree, so the script pass runs t2s there (see
    Script.converter). Found with the installed official binding: every single
    character, and every phrase of TSPhrases and of the regional phrase tables
    written the regional way, converted both ways.
    """
    import itertools

    import opencc  # the official binding, whose dictionaries these are

    t2s = opencc.OpenCC("t2s.json").convert
    chars = [chr(c) for c in itertools.chain(range(0x3400, 0x4DC0), range(0x4E00, 0xA000), range(0xF900, 0xFB00))]
    out = {}
    for config, variants, rev_phrases in (("tw2s", "TWVariants.txt", "TWVariantsRevPhrases.txt"),
                                          ("hk2s", "HKVariants.txt", "HKVariantsRevPhrases.txt")):
        regional = opencc.OpenCC(f"{config}.json").convert
        forward = {k: v[0] for k, v in read_dictionary(dictionary_dir / variants).items() if len(k) == 1}
        phrases = [*read_dictionary(dictionary_dir / rev_phrases),
                   *("".join(forward.get(c, c) for c in k) for k in ts if len(k) > 1),
                   *("".join(forward.get(c, c) for c in k)
                     for k in read_dictionary(dictionary_dir / "TSPhrases.txt"))]
        found: set[str] = set()
        for words in (chars, phrases):
            joined = "\n".join(words)
            for word, a, b in zip(words, t2s(joined).split("\n"), regional(joined).split("\n")):
                if a == b:
                    continue
                if len(a) == len(b) == len(word):
                    found.update(word[i] for i in range(len(word)) if a[i] != b[i])
                else:
                    found.update(word)
        out[config] = "".join(sorted(found))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dictionary_dir", type=Path, help="OpenCC's data/dictionary folder")
    parser.add_argument("--commit", default="", help="OpenCC commit the dictionaries come from")
    args = parser.parse_args()
    tables = build(args.dictionary_dir)
    data = {
        "about": "Derived from OpenCC's dictionaries (Apache-2.0) by scripts/build_script_tables.py",
        "opencc_commit": args.commit,
        **tables,
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(tables['traditional'])} traditional, {len(tables['simplified'])} simplified, "
          + ", ".join(f"{k} {len(v)}" for k, v in tables["votes"].items())
          + "; regional only: " + ", ".join(f"{k} {v}" for k, v in tables["regional_only"].items()))


if __name__ == "__main__":
    main()
