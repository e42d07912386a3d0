"""HTML: a page's main text, one paragraph per line, and its metadata.

Runs right after decoding and only on HTML input (``.html``/``.htm`` files, or
JSONL text that looks like HTML when ``records`` asks for it). Parsed with
beautifulsoup4 on lxml; then:

- scripts, styles, forms, comments, ``nav``/``aside`` (and ``header``/``footer``
  outside the article) are dropped, and so are ruby annotations (``<rt>``, the
  pinyin over characters);
- the page is cut into blocks at block-level tags and ``<br>``; each block is
  scored by its own text (Chinese characters and punctuation count, text inside
  links counts against it), and the best-scoring run of blocks -- the maximum
  subarray of the scores, as in Finn's body text extraction -- is the article;
  link-dense blocks inside it are dropped too;
- title, date, author and outlet come from the page's metadata (``og:``,
  ``article:published_time``, JSON-LD, ``<meta name=author>``, ``<title>``),
  never from guesses; the title's heading is not repeated in the text.

The text then runs through the same passes as plain text (the boilerplate pass
removes credits and captions inside the article).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from cleaner.passes.base import Pass, PassResult

_SKIP = {
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "object", "embed",
    "select", "option", "button", "input", "textarea", "rt", "rp", "head", "map", "audio", "video",
}
_ALWAYS_FURNITURE = {"nav", "aside", "menu"}
_EDGE_FURNITURE = {"header", "footer"}
_BLOCK = {
    "p", "div", "td", "th", "tr", "table", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5",
    "h6", "section", "article", "main", "blockquote", "pre", "center", "body", "html", "figure", "figcaption",
    "address", "hr", "tbody", "thead", "tfoot", "caption", "font_block",
}
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_FURNITURE_NAME = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|breadcrumb|crumb|footer|foot|sidebar|side|share|sharing|social|comment|comments|"
    r"related|recommend|advert|ads?|banner|copyright|toolbar|pagination|pager|login|search|hot|rank)([\s_-]|\d|$)",
    re.IGNORECASE,
)
_SPACES = re.compile(r"[ \t\r\n\f\u00a0\u200b]+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ZH_PUNCT = re.compile(r"[，。！？；：、“”]")
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|--|—|－|-\s|\s-|_)\s*")


@dataclass(frozen=True)
class HtmlOptions:
    # JSONL records: treat the text as HTML when it looks like a page (set text_key to
    # the field holding the HTML). Files are recognised by extension or sniffing anyway.
    records: bool = False
    # A block whose link text is more than this share of its text is navigation.
    link_density: float = 0.5
    # Take title, date, author and outlet from the page's metadata.
    metadata: bool = True


@dataclass
class Block:
    text: str
    link_chars: int = 0
    tag: str = "p"
    furniture: bool = False  # inside an element whose class/id names navigation, comments, ads

    @property
    def size(self) -> int:
        return len(self.text)


class Html(Pass):
    name = "html"
    summary = "HTML to main text (beautifulsoup4 + lxml): furniture and link-dense blocks dropped, metadata kept"
    Options = HtmlOptions
    codes = ()

    def apply(self, text, doc):
        if doc.format != "html":
            if not (self.options.records and doc.format == "text" and _looks_like_html(text)):
                return PassResult(text)
        page = extract(text, self.options)
        if self.options.metadata:
            if page.title and doc.title is None:
                doc.title = page.title
            for key, value in page.meta.items():
                doc.meta.setdefault(key, value)
        doc.format = "text"
        return PassResult(page.text, counts={"html_blocks_dropped": page.dropped} if page.dropped else {})


def _looks_like_html(text: str) -> bool:
    head = text[:1024].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body")) or (
        head.startswith("<") and "<p" in text[:4096].lower() and "</" in head)


@dataclass
class Page:
    text: str
    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    dropped: int = 0


def extract(html: str, options: HtmlOptions = HtmlOptions()) -> Page:
    """Pure core: the main text of a page, its title and metadata."""
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(html, "lxml")
    title, meta = _metadata(soup)
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    root = soup.body or soup
    blocks = _blocks(root)
    chosen, first, dropped = _main_blocks(blocks, options)
    lines = [b.text for b in chosen]
    if lines and title:
        # The article's own heading repeats the title: it is the record's title, not text.
        key = _key(title)
        while lines and (_key(lines[0]) == key or (len(lines[0]) <= 80 and _key(lines[0]) in key and
                                                     len(_key(lines[0])) >= 0.6 * len(key))):
            lines.pop(0)
    if not title:
        # No title in the metadata: the heading just above the article, if there is one.
        title = next((b.text for b in reversed(blocks[max(0, first - 4):first])
                      if b.tag in ("h1", "h2", "h3") and 4 <= len(b.text) <= 80), None)
    return Page("\n\n".join(lines), title, meta, dropped)


def _key(text: str) -> str:
    return _SPACES.sub("", text)


# -- metadata ---------------------------------------------------------------

_DATE_META = ("article:published_time", "og:published_time", "og:release_date", "datepublished", "pubdate",
              "publishdate", "publish_date", "publishtime", "published_time", "dc.date.issued", "dc.date",
              "date", "release_date", "sailthru.date", "parsely-pub-date")
_AUTHOR_META = ("author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author")
_OUTLET_META = ("og:site_name", "application-name", "site_name", "source", "mediaid")
_ISO = re.compile(r"((?:19|20)\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T\s]+(\d{1,2})[:时](\d\d)(?::(\d\d))?)?")


def _metadata(soup) -> tuple[str | None, dict[str, str]]:
    values: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        content = (tag.get("content") or "").strip()
        if key and content and key not in values:
            values[key] = content
    for tag in soup.find_all(attrs={"itemprop": "datePublished"}):
        content = tag.get("content") or tag.get("datetime") or tag.get_text(" ", strip=True)
        if content:
            values.setdefault("datepublished", content)
    for data in _json_ld(soup):
        if data.get("headline"):
            values.setdefault("jsonld:headline", str(data["headline"]))
        if data.get("datePublished"):
            values.setdefault("datepublished", str(data["datePublished"]))
        author = data.get("author")
        if isinstance(author, list):
            author = author[0] if author else None
        if isinstance(author, dict):
            author = author.get("name")
        if isinstance(author, str) and author:
            values.setdefault("jsonld:author", author)
        publisher = data.get("publisher")
        if isinstance(publisher, dict) and publisher.get("name"):
            values.setdefault("jsonld:publisher", str(publisher["name"]))

    meta: dict[str, str] = {}
    for key in _DATE_META:
        if key in values:
            date = _iso(values[key])
            if date:
                meta["date"] = date
                break
    for key in ("jsonld:author", *_AUTHOR_META):
        value = values.get(key, "")
        if value and not value.lower().startswith(("http", "www")) and len(value) <= 40:
            meta["author"] = value
            break
    for key in ("jsonld:publisher", *_OUTLET_META):
        value = values.get(key, "")
        if value and not value.lower().startswith("http") and len(value) <= 40:
            meta["outlet"] = value
            break

    title = values.get("og:title") or values.get("jsonld:headline") or values.get("twitter:title")
    if not title and soup.title and soup.title.string:
        title = _page_title(soup.title.get_text(" ", strip=True), soup)
    title = _SPACES.sub(" ", title).strip() if title else None
    return title or None, meta


def _page_title(raw: str, soup) -> str:
    """``<title>`` is often ``headline_section_site``: prefer the h1 it contains, else its first part."""
    for h in soup.find_all(["h1", "h2"], limit=6):
        text = _SPACES.sub(" ", h.get_text(" ", strip=True))
        if 4 <= len(text) <= 80 and _key(text) in _key(raw):
            return text
    parts = [p for p in _TITLE_SEPARATORS.split(raw) if p.strip()]
    return parts[0] if parts and len(parts[0]) >= 4 else raw


def _json_ld(soup) -> list[dict[str, Any]]:
    found = []
    for tag in soup.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(tag.string or "")
        except (ValueError, TypeError):
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []
        found.extend(item for item in items if isinstance(item, dict))
    return found


def _iso(value: str) -> str | None:
    m = _ISO.search(value)
    if not m:
        return None
    y, mo, d, h, mi, s = m.groups()
    if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
        return None
    out = f"{y}-{int(mo):02d}-{int(d):02d}"
    if h is not None and int(h) < 24 and int(mi) < 60:
        out += f"T{int(h):02d}:{mi}" + (f":{s}" if s is not None else "")
    return out


# -- blocks -----------------------------------------------------------------


def _blocks(root) -> list[Block]:
    """Linearise the page into text blocks, with how much of each is link text."""
    from bs4 import NavigableString, Tag
    from bs4.element import PreformattedString

    blocks: list[Block] = []
    parts: list[str] = []
    state = {"links": 0, "furniture": False, "tag": "p"}

    def flush() -> None:
        text = _SPACES.sub(" ", "".join(parts)).strip()
        if text:
            blocks.append(Block(text, min(state["links"], len(text)), state["tag"], state["furniture"]))
        parts.clear()
        state["links"] = 0
        state["tag"] = "p"
        state["furniture"] = False

    def walk(node, in_link: bool, furniture: bool, in_article: bool) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if isinstance(child, PreformattedString):
                    continue  # comments, CDATA, doctype, processing instructions
                text = str(child)
                if not text.strip():
                    if parts:
                        parts.append(" ")
                    continue
                parts.append(text)
                if in_link:
                    state["links"] += len(_SPACES.sub(" ", text).strip())
                state["furniture"] = state["furniture"] or furniture
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in _SKIP or name in _ALWAYS_FURNITURE:
                continue
            if name in _EDGE_FURNITURE and not in_article:
                continue
            style = child.get("style")
            if style and _HIDDEN.search(style):
                continue
            if child.get("hidden") is not None or child.get("aria-hidden") == "true":
                continue
            if name == "br":
                flush()
                continue
            named = " ".join(child.get("class") or []) + " " + (child.get("id") or "")
            child_furniture = furniture or bool(named.strip() and _FURNITURE_NAME.search(named))
            block = name in _BLOCK
            if block:
                flush()
                if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
                    state["tag"] = name
            walk(child, in_link or name == "a", child_furniture, in_article or name in ("article", "main"))
            if block:
                if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
                    state["tag"] = name
                flush()

    walk(root, False, False, False)
    return blocks


def _score(block: Block, options: HtmlOptions) -> float:
    n = block.size
    own = n - block.link_chars
    han = len(_HAN.findall(block.text))
    punct = len(_ZH_PUNCT.findall(block.text))
    if n and block.link_chars / n > options.link_density:
        return -max(n, 10) * 1.0
    if block.furniture:
        return -own * 0.5 - 5
    if punct == 0:
        # A heading or a label: small; it belongs to the article only between paragraphs.
        return -3 if own < 30 else own * 0.1
    return own * (1.0 if han >= own * 0.3 else 0.5) + 5 * punct


def _main_blocks(blocks: list[Block], options: HtmlOptions) -> tuple[list[Block], int, int]:
    """The article's blocks, the index of its first block, and how many blocks were dropped."""
    if not blocks:
        return [], 0, 0
    scores = [_score(b, options) for b in blocks]
    best = current = 0.0
    best_range = (0, 0)
    start = 0
    for i, value in enumerate(scores):
        if current <= 0:
            current, start = value, i
        else:
            current += value
        if current > best:
            best, best_range = current, (start, i + 1)
    lo, hi = best_range
    chosen = [b for b in blocks[lo:hi] if not (b.size and b.link_chars / b.size > options.link_density)]
    return chosen, lo, len(blocks) - len(chosen)
