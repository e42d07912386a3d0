"""Mojibake repair: CJK encoding damage, pinyin annotations, Latin-family mojibake.

One module per mechanism: ``pinyin`` (annotations), ``gbk`` (misaligned GBK and
lost lead bytes), ``swaps`` (whole-span codec swaps), ``latin`` (ftfy,
configured for CJK), and ``lm`` (the character model that judges candidates).
"""
