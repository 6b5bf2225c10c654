"""An article's Markdown as HTML that is safe to show anyone: markdown-it-py renders (raw HTML in the text
is not passed through), then nh3 keeps only an allow-list of tags and attributes — no scripts, no styles,
no event handlers, no frames or forms; links only to http(s), mailto and tel, with rel="noopener
noreferrer"; images only from this site's own article images (/xinli/images/<id>/)."""

import re

import nh3
from markdown_it import MarkdownIt

TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "del", "s", "blockquote",
        "ul", "ol", "li", "a", "img", "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Tags whose content goes with them (the rest are unwrapped, their text kept).
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript", "svg"})
IMAGE_SRC = re.compile(r"^/xinli/images/[1-9][0-9]{0,9}/$")

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if IMAGE_SRC.match(value) else None
    if tag == "a" and attribute == "href" and value.startswith("//"):
        return None  # protocol-relative: another site in disguise
    return value


def sanitise(html: str) -> str:
    """Any HTML fragment reduced to the allow-list."""
    return nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render(markdown: str) -> str:
    """An article's Markdown as sanitised HTML. Headings start at h2 (the page's h1 is the title)."""
    html = _renderer.render(markdown or "")
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    return sanitise(html)
