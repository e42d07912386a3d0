"""The boilerplate pass's options, apart from the pass: a run decides from
them whether it scans first (``batch_min_docs``), and its first scan reads
``batch_min_chars``, before the pass (its rule tables and their patterns) is
imported and built."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BoilerplateOptions:
    # Use the rule files shipped in rules/ (user files from the `rules` setting are added).
    builtin_rules: bool = True
    # Take the first line as the title when it looks like one (no earlier pass set a title).
    title: bool = True
    # Longest line that counts as a link or headline in a link list.
    link_max: int = 40
    # Shortest run of link-like lines after the last paragraph that is removed as a link list.
    link_list_min: int = 2
    # Shortest line (without spaces) removed when it repeats inside one document.
    repeated_min_chars: int = 10
    # A line found in at least this many documents of a run is boilerplate (0 switches
    # the first scan off). Needs a run: the CLI scans first; library users call Pipeline.observe.
    batch_min_docs: int = 10
    # Shortest line (without spaces) counted across the run.
    batch_min_chars: int = 4
    # Bound of the count table of the first scan (hashes; lossy counting beyond it).
    batch_max_entries: int = 1 << 20
