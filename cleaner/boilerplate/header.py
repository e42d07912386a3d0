"""Header lines of an article: the date/source/editor line, an outlet line, a byline.

Each function reads one line (original and folded view, same offsets) and
returns the metadata it carries plus whether the line holds nothing else, so
the line can go to metadata without losing text. Values are cut from the
original line, never made up: a field that is not there stays absent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import regex

from cleaner.boilerplate.fold import fold, fold_table

# Dates as news pages print them: 2020年03月10日14:16, 2020/2/29 15:11, 2020-03-07 16:21:56.
_DATE = regex.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(?:星期|周)[一二三四五六日天])?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:时]\s*(?P<M>\d\d)(?:\s*[:分]\s*(?P<S>\d\d))?(?!\d)\s*分?)?"
)
_NAMES = r"\p{Han}{2,4}(?!\p{Han})(?:(?:\s*[、,]\s*|\s+)\p{Han}{2,4}(?!\p{Han}))*"
# A label, then its value up to the next label, a wide gap or the end of the line.
_LABELS = {
    "outlet": r"(?:新闻|信息|稿件|文章|本文)?(?:来源|来自|出处|稿源)",
    "author": r"(?:本报|本网|本台|本文)?(?:作者|记者|撰稿|撰文|通讯员|特约记者)",
    "editor": r"(?:责任编辑|责编|编辑|值班编辑|网络编辑)",
    "other": r"(?:审核|校对|监制|签发|主编|发布时间|发布日期|发表时间|时间|日期|更新时间|浏览(?:次数)?|阅读(?:量|数)?|点击(?:数|量)?|字号|评论)",
}
_ANY_LABEL = "|".join(_LABELS.values())
_FIELD = regex.compile(
    rf"(?P<label>{'|'.join(f'(?P<{k}>{v})' for k, v in _LABELS.items())})\s*[:]\s*"
    rf"(?P<value>.*?)(?=\s*(?:{_ANY_LABEL})\s*[:]|\s{{2,}}|\s*\||$)"
)
# Words of a header line that carry nothing: font-size switches, print, share.
_JUNK_CHARS = r"[\s|/:·\-_()\[\]【】《》<>»«,、.]"
_JUNK_WORDS = r"字号|大|中|小|打印|收藏|分享(?:到)?|评论|次|人参与|参与|默认"
_JUNK = regex.compile(rf"{_JUNK_CHARS}+|{_JUNK_WORDS}|T$")
# How a line that is nothing but header fields starts, after junk characters:
# a junk word, a date's year or a field's label. A line that starts otherwise
# (most first paragraphs) keeps what comes before its first field.
_META_START = regex.compile(rf"{_JUNK_CHARS}*(?:{_JUNK_WORDS}|T|(?:19|20)\d|{_ANY_LABEL})")
# The start of a line matched partially: longer than a label after a few junk characters.
_HEAD = 24
_OUTLET_LINE = regex.compile(
    r"[\p{Han}A-Za-z]{1,16}(?:网|报|在线|频道|电视台|广播电台|通讯社|新闻社|周刊|杂志|日报|晚报|新闻|传媒|客户端)"
    r"(?:\s*[-—·]\s*\p{Han}{2,10}(?:频道|版|网|站|新闻))?"
)
# Compiled once: regex's module-level functions look their pattern up in a cache, slowly.
_NAMES_LINE = regex.compile(_NAMES)
_NAME_SEPARATORS = regex.compile(r"[\s、,，]+")
_BYLINE = regex.compile(
    r"[□■●◆▲◇○]?\s*(?:[《<]\s*(?P<outlet>[^》>]{1,20}?)\s*[》>]\s*)?(?:本报|本刊|本网|本文)?(?:特约记者|记者|通讯员|撰稿人?|作者|文)\s*[:/]?\s*"
    rf"(?P<author>{_NAMES})"
)


def _folding_to(targets: str) -> Any:
    """A pattern finding, in unfolded text, any character whose fold is one of ``targets``."""
    chars = set(targets) | {chr(k) for k, v in fold_table().items() if chr(v) in targets}
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")


@cache
def _hints() -> tuple[Any, Any]:
    # A meta line has a date (ASCII digits once folded) or a "label:" field; a
    # byline has 记者/通讯员/撰稿/作者/文 at its start. Lines without these
    # characters (most first paragraphs) need neither a fold nor a parse.
    return _folding_to(":0123456789"), _folding_to("记通撰作文")


def may_be_meta_line(original: str) -> bool:
    """False only when ``parse_meta_line`` cannot find anything in the line."""
    return _hints()[0].search(original) is not None


def may_be_byline(original: str) -> bool:
    """False only when ``parse_byline`` cannot match the line."""
    return _hints()[1].search(original) is not None


# The first paragraph of an article often has a digit or a colon (the hints
# above let it through); these look at its first characters only, folded, so
# that it is not folded and parsed whole. A partial match says the line may go
# on into a match; no match at all means it cannot.

def fold_head(original: str) -> str:
    """The folded first characters of a line, all that the two checks below look at."""
    return fold(original[:_HEAD])


def may_be_whole_meta_line(original: str, head: str | None = None) -> bool:
    """False only when ``parse_meta_line`` cannot take the whole line (``consumed``).

    ``head``: ``fold_head(original)``, when the caller has it already.
    """
    if head is None:
        head = fold_head(original)
    return _META_START.match(head, partial=True) is not None


def may_be_whole_byline(original: str, head: str | None = None) -> bool:
    """False only when ``parse_byline`` cannot match the line."""
    if head is None:
        head = fold_head(original)
    head = head.lstrip()
    return not head or _BYLINE.match(head, partial=True) is not None


def may_be_outlet_line(original: str) -> bool:
    """False only when ``parse_outlet_line`` cannot match: it has sentence punctuation."""
    # 。 stays, ， and , fold to ",": none is in an outlet name.
    return "，" not in original and "。" not in original and "," not in original


@dataclass
class HeaderInfo:
    meta: dict[str, str] = field(default_factory=dict)
    consumed: bool = False  # the line holds nothing but these fields


def iso_date(m) -> str | None:
    year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    out = f"{year:04d}-{month:02d}-{day:02d}"
    if m["H"] is not None:
        hour, minute = int(m["H"]), int(m["M"])
        if hour > 23 or minute > 59:
            return out
        out += f"T{hour:02d}:{minute:02d}"
        if m["S"] is not None and int(m["S"]) < 60:
            out += f":{int(m['S']):02d}"
    return out


def _leftover_is_junk(folded: str, spans: list[tuple[int, int]], known: tuple[str, ...] = ()) -> bool:
    rest = []
    pos = 0
    for start, end in sorted(spans):
        rest.append(folded[pos:start])
        pos = max(pos, end)
    rest.append(folded[pos:])
    text = " ".join(rest)
    for value in known:
        if value:
            text = text.replace(value, " ")
    return not _JUNK.sub("", text).strip()


def parse_meta_line(original: str, folded: str) -> HeaderInfo:
    """A date/source/editor line: ``2020-03-07 16:21:56来源:国际在线编辑:柳洪华``."""
    info = HeaderInfo()
    spans: list[tuple[int, int]] = []
    date = _DATE.search(folded)
    if date:
        value = iso_date(date)
        if value:
            info.meta["date"] = value
            spans.append(date.span())
    for m in _FIELD.finditer(folded):
        if any(s <= m.start() < e for s, e in spans):
            continue
        kind = next(k for k in _LABELS if m[k])
        value = original[m.start("value"):m.end("value")].strip(" \u3000\u00a0")
        if kind == "other":
            spans.append(m.span())
            continue
        if not value or len(value) > 30:
            continue
        if kind == "outlet":
            info.meta.setdefault("outlet", value)
        else:
            names = _NAMES_LINE.fullmatch(folded[m.start("value"):m.end("value")].strip())
            if not names:
                continue
            info.meta[kind] = join_names(info.meta.get(kind), value)
        spans.append(m.span())
    if info.meta:
        info.consumed = _leftover_is_junk(folded, spans)
    return info


def parse_outlet_line(original: str, folded: str) -> HeaderInfo:
    """A line naming the outlet alone: ``人民網-貴州頻道``."""
    m = _OUTLET_LINE.fullmatch(folded.strip())
    if not m:
        return HeaderInfo()
    return HeaderInfo({"outlet": original.strip()}, True)


def parse_byline(original: str, folded: str) -> HeaderInfo:
    """A byline: ``□ 《民生周刊》记者 郑智维``, ``本报记者 张三 李四``."""
    m = _BYLINE.match(folded.strip())
    if not m:
        return HeaderInfo()
    offset = len(folded) - len(folded.lstrip())
    info = HeaderInfo()
    if m["outlet"]:
        info.meta["outlet"] = original[offset + m.start("outlet"):offset + m.end("outlet")].strip()
    info.meta["author"] = normalise_names(original[offset + m.start("author"):offset + m.end("author")])
    known = (m["outlet"] or "",)
    span = (offset + m.start(), offset + m.end())
    info.consumed = _leftover_is_junk(folded, [span], known)
    return info


def normalise_names(value: str) -> str:
    parts = [p for p in _NAME_SEPARATORS.split(value.strip()) if p]
    return "、".join(parts)


def join_names(existing: str | None, new: str) -> str:
    names = [n for n in (existing or "").split("、") if n]
    for name in normalise_names(new).split("、"):
        if name and name not in names:
            names.append(name)
    return "、".join(names)


def parse_header_line(original: str, folded: str) -> HeaderInfo:
    """Whichever header shape the line has (meta line, byline, outlet line)."""
    for parse in (parse_meta_line, parse_byline, parse_outlet_line):
        info = parse(original, folded)
        if info.meta:
            return info
    return HeaderInfo()
