"""What a line looks like: running text, a link or heading, a list of menu tokens.

Chinese sentences end in 。！？, not in ASCII full stops, so these tests count
Chinese punctuation (the mistake that makes C4-style rules empty whole
Chinese articles is to look for ``.`` at the end of a line).
"""

from __future__ import annotations

import re

from cleaner.chars import HSPACE

_SENTENCE_END = re.compile("[。！？!?；;…]")
_COMMA = re.compile("[，,]")
_TOKEN_SPLIT = re.compile(f"[{HSPACE}|｜/·•]+")
_PUNCT_ANY = re.compile("[。！？!?；;，,：:、“”\"（）()]")


def strip(line: str) -> str:
    return line.strip(HSPACE + "\r\n")


def has_sentence(line: str) -> bool:
    return _SENTENCE_END.search(line) is not None


def is_body(line: str) -> bool:
    """Running text: a sentence, or a line too long to be a heading or a link."""
    # Asked of every line of a document by the run's repeated-line step: the
    # length tests first, counts rather than regex calls on the short lines.
    size = len(line)
    return size >= 50 or (size >= 10 and has_sentence(line)) or line.count("，") + line.count(",") >= 2


def is_link_like(line: str, max_len: int = 40) -> bool:
    """A headline, menu entry or account name: short, no sentence in it."""
    return 0 < len(line) <= max_len and not has_sentence(line)


def is_token_list(line: str, min_tokens: int = 4, max_token: int = 6) -> bool:
    """A row of menu words (``日报 周报 杂志 人民网``, ``首页 | 新闻 | 体育``)."""
    if _PUNCT_ANY.search(line):
        return False
    tokens = [t for t in _TOKEN_SPLIT.split(line) if t]
    return len(tokens) >= min_tokens and all(len(t) <= max_token for t in tokens)
