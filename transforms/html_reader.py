"""`.html` articles: the title and the text of a saved news page, scripts and styles dropped.

Parsed with selectolax (Lexbor, an HTML5 parser in C): a page is parsed as a browser would,
character references decoded once, and what never shows as text (`script`, `style`,
`noscript`, `template`, `svg`) removed before the text is taken, so CSS colours and jQuery ids
never reach the body. Pure: a string in, a record out.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

# Never text a reader sees: removed with everything inside them.
HIDDEN = ["script", "style", "noscript", "template", "svg", "iframe", "object"]
# Elements that start a new paragraph of text; inline ones (b, a, span) join their neighbours.
BLOCKS = (
    "p,div,br,li,h1,h2,h3,h4,h5,h6,tr,td,th,blockquote,pre,article,section,header,footer,"
    "ul,ol,table,figure,figcaption,main,aside,nav,hr,dd,dt"
)


@dataclass(frozen=True, slots=True)
class HtmlArticle:
    title: str
    body: str
    url: str | None = None
    author: str | None = None
    published_at: str | None = None


def _meta(tree: LexborHTMLParser, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name"):
            node = tree.css_first(f'meta[{attr}="{name}"]')
            value = node.attributes.get("content") if node is not None else None
            if value and value.strip():
                return value.strip()
    return None


def _text(node: LexborNode | None) -> str:
    return " ".join(node.text(separator=" ").split()) if node is not None else ""


def _title(tree: LexborHTMLParser) -> str:
    """The headline: og:title, else the first <h1>, else <title> (which often carries the
    site's name as well)."""
    return _meta(tree, "og:title") or _text(tree.css_first("h1")) or _text(tree.css_first("title"))


def _paragraphs(root: LexborNode) -> list[str]:
    for node in root.css(BLOCKS):
        node.insert_after("\n\n")
    lines = (" ".join(line.split()) for line in root.text(separator="").split("\n"))
    return [line for line in lines if line]


def parse_html_text(text: str) -> HtmlArticle:
    """The article in an HTML page: its headline, and its paragraphs (of <article> if the page
    has one, else of <body>) separated by blank lines, without a first paragraph that only
    repeats the headline."""
    tree = LexborHTMLParser(text)
    tree.strip_tags(HIDDEN)
    title = _title(tree)
    canonical = tree.css_first('link[rel="canonical"]')
    url = _meta(tree, "og:url") or (canonical.attributes.get("href") if canonical else None)
    root = tree.css_first("article") or tree.body
    paras = _paragraphs(root) if root is not None else []
    if paras and paras[0] == title:
        paras = paras[1:]
    return HtmlArticle(
        title=title,
        body="\n\n".join(paras),
        url=url,
        author=_meta(tree, "author", "article:author"),
        published_at=_meta(tree, "article:published_time", "date"),
    )
