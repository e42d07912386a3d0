"""Character classes shared by the passes (regex fragments, no state)."""

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Chinese punctuation: CJK symbols, full-width forms, curly quotes, ellipsis, dashes.
ZH_PUNCT = "\u3001-\u3003\u3008-\u3011\u3014-\u301f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018\u2019\u201c\u201d\u2026\u2014\u00b7"
# Marks that end a sentence (Chinese and ASCII) or close one.
SENTENCE_END = "。！？!?…；;"
CLOSERS = "”’」』）)》〉】"
# Horizontal white space as it appears in copied pages.
HSPACE = " \t\u00a0\u3000\u2002\u2003\u2009\u200b"
