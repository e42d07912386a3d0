"""ftfy for the Latin family, configured so it cannot damage CJK text.

ftfy's defaults are wrong for Chinese: ``fix_character_width`` turns ``，``
into ``,``, ``uncurl_quotes`` turns ``“”`` into ``"``, NFC/NFKC normalisation
folds CJK compatibility ideographs, and line-break fixing is the layout pass's
job. Only the encoding fixes and the removal of terminal escapes and control
characters stay on.
"""

from __future__ import annotations

from functools import cache


@cache
def config():
    from ftfy import TextFixerConfig

    return TextFixerConfig(
        unescape_html=False,  # the html pass owns markup; "&amp;" in plain text may be literal
        fix_character_width=False,
        uncurl_quotes=False,
        fix_latin_ligatures=False,
        fix_line_breaks=False,
        # U+0085 in a French sentence may be a real NEL; ftfy's negative cases keep it.
        fix_c1_controls=False,
        normalization=None,
        explain=False,
    )


def fix_latin(text: str) -> str:
    import ftfy

    return ftfy.fix_text(text, config())
