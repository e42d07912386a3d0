"""Character classes shared by the passes (regex fragments, no state)."""

import re

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Chinese punctuation: CJK symbols, full-width forms, curly quotes, ellipsis, dashes.
ZH_PUNCT = "\u3001-\u3003\u3008-\u3011\u3014-\u301f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018\u2019\u201c\u201d\u2026\u2014\u00b7"
# Marks that end a sentence (Chinese and ASCII) or close one.
SENTENCE_END = "。！？!?…；;"
CLOSERS = "”’」』）)》〉】"
# Horizontal white space as it appears in copied pages.
HSPACE = " \t\u00a0\u3000\u2002\u2003\u2009\u200b"

# The white space rule both the layout and the punctuation pass follow:
# Chinese text has no space between two Chinese characters or marks (a
# full-width mark carries its own spacing), so white space between two
# characters of this class is an artifact of copying and goes. The layout pass
# applies it to the text it is given; the punctuation pass to the spaces
# beside each mark it makes Chinese (a space next to ``,`` or ``(`` becomes one
# between Chinese marks only once the mark is ``，`` or ``（``). Each leaves
# nothing the other would take on a second run.
CJK = HAN + ZH_PUNCT
_CJK_CHAR = re.compile(f"[{CJK}]")


def takes_no_space(char: str) -> bool:
    """Is ``char`` on the Chinese side of the white space rule?"""
    return _CJK_CHAR.match(char) is not None
