import json
import re
import unicodedata
from collections import Counter

from conftest import run_cli, seed_text

from cleaner import Pipeline
from cleaner.document import Document
from cleaner.opencc_compat import make_converter
from cleaner.passes.html import extract

_T2S = make_converter("t2s")

_SPACE = re.compile(r"\s+")

PARAGRAPHS = [line.strip() for line in seed_text("003").splitlines() if len(line.strip()) > 40][:4]

PAGE = f"""<!DOCTYPE html>
<html><head>
<meta charset="gb2312">
<title>彭水：一手抓防控，一手抓发展_新闻频道_民生网</title>
<meta property="og:title" content="彭水：一手抓防控，一手抓发展">
<meta property="article:published_time" content="2020-02-24T09:30:00+08:00">
<meta property="og:site_name" content="民生周刊">
<script type="application/ld+json">{{"@type": "NewsArticle", "author": {{"name": "郑智维"}}}}</script>
<style>p {{ color: red }}</style>
</head><body>
<header><a href="/">首页</a> <a href="/news">新闻</a> <a href="/zt">专题</a></header>
<nav><ul><li><a href="/a">日报</a></li><li><a href="/b">周报</a></li></ul></nav>
<div class="main">
  <h1>彭水：一手抓防控，一手抓发展</h1>
  <div class="article">
    <p>{PARAGRAPHS[0]}</p>
    <p>{PARAGRAPHS[1]}<!-- 广告位 --></p>
    <h3>不违农时</h3>
    <p>{PARAGRAPHS[2]}</p>
    <p>朱镕基的<ruby>镕<rt>róng</rt></ruby>字在GB2312里没有。{PARAGRAPHS[3]}</p>
    <script>document.write("广告")</script>
  </div>
  <div class="related"><a href="/1">复工战“疫”已打响 基本民生有保障</a><br>
  <a href="/2">推动企业复工复产12条硬核措施</a><br><a href="/3">东三省给力复工促“六稳”</a></div>
</div>
<aside>热门排行</aside>
<footer>Copyright © 2020 民生网 版权所有</footer>
</body></html>"""


def clean_page(data: bytes, **config) -> Document:
    doc = Document(id="page", text="", source="page.html", format="html", data=data)
    return Pipeline(config or None).clean_document(doc)


def test_page_gives_its_article_and_metadata():
    doc = clean_page(PAGE.encode("gb18030"))
    assert doc.encoding_in == "gb18030"  # a GB2312 label decodes as GB18030: 镕 is not in GB2312
    assert doc.title == "彭水：一手抓防控，一手抓发展"
    assert doc.meta == {"date": "2020-02-24T09:30:00", "author": "郑智维", "outlet": "民生周刊"}
    text = doc.text
    for paragraph in PARAGRAPHS:
        assert _norm(paragraph) in _norm(text)
    assert "不违农时" in text
    assert "朱镕基的镕字" in text  # the ruby annotation is left out
    for furniture in ("首页", "日报", "广告", "color", "复工战", "东三省", "热门排行", "版权所有", "彭水:一手抓防控"):
        assert furniture not in _norm(text), furniture
    assert text.count("\n\n") >= 4  # one paragraph per block


def test_plain_text_is_not_touched_by_the_html_pass():
    text = "<这不是网页> 只是一行字。"
    record = Pipeline({"passes": ["html"]}).clean({"text": text})
    assert record["text"] == text


def test_jsonl_records_holding_html_with_the_records_option(tmp_path):
    source = tmp_path / "pages.jsonl"
    source.write_text(json.dumps({"id": "p1", "html": PAGE}, ensure_ascii=False) + "\n", encoding="utf-8")
    config = tmp_path / "cleaner.toml"
    config.write_text('text_key = "html"\n[html]\nrecords = true\n', encoding="utf-8")
    result = run_cli("clean", str(source), "--config", str(config))
    assert result.returncode == 0, result.stderr.decode()
    record = json.loads(result.stdout)
    assert record["title"] == "彭水：一手抓防控，一手抓发展"
    assert "<p>" not in record["html"] and _norm(PARAGRAPHS[0]) in _norm(record["html"])


def _norm(text: str) -> str:
    return _SPACE.sub("", _T2S(unicodedata.normalize("NFKC", text)))


def _bigram_f1(got: str, gold: str) -> float:
    a = Counter(got[i:i + 2] for i in range(len(got) - 1))
    b = Counter(gold[i:i + 2] for i in range(len(gold) - 1))
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * p * r / (p + r)


def test_extraction_on_real_pages_matches_the_gold_text(shared):
    corpus = shared / "corpus" / "cwced"
    pages = sorted((corpus / "original").glob("*.html"))
    assert len(pages) >= 60
    pipeline = Pipeline({"passes": ["decode", "html", "boilerplate"]})
    scores = []
    for page in pages:
        gold = _norm((corpus / "cleaned" / f"{page.stem}.txt").read_text("utf-8", errors="replace"))
        try:
            text = pipeline.clean_document(Document(id=page.stem, text="", format="html",
                                                    data=page.read_bytes())).text
        except Exception:
            text = ""
        scores.append(_bigram_f1(_norm(text), gold))
    # trafilatura scores 0.72 on these pages (benchmarks/bench_extraction.py).
    assert sum(scores) / len(scores) >= 0.85
    assert sorted(scores)[len(scores) // 2] >= 0.95


def test_extract_keeps_paragraphs_of_a_table_layout():
    html = ("<html><body><table><tr><td><a href='/'>首页</a> | <a href='/n'>新闻</a></td></tr>"
            f"<tr><td>{PARAGRAPHS[0]}<br><br>{PARAGRAPHS[1]}</td></tr></table></body></html>")
    page = extract(html)
    assert page.text.splitlines()[0] == PARAGRAPHS[0]
    assert "首页" not in page.text
