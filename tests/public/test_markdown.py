"""Articles are Markdown rendered to HTML and sanitised with nh3: hostile input comes out harmless."""

from html.parser import HTMLParser

import pytest

from xinyu.public.markdown import render, sanitise


def test_markdown_renders_headings_lists_links_tables_and_our_images():
    html = render(
        "# 标题\n\n## 小节\n\n- 一\n- 二\n\n**粗体** [热线](https://example.org/a) ![图](/xinli/images/12/)\n\n"
        "| 时间 | 地点 |\n|---|---|\n| 周一 | 三楼 |\n"
    )
    assert "<h2>标题</h2>" in html and "<h2>小节</h2>" in html and "<h1>" not in html
    assert "<ul>\n<li>一</li>" in html and "<strong>粗体</strong>" in html
    assert '<a href="https://example.org/a" rel="noopener noreferrer">热线</a>' in html
    assert '<img src="/xinli/images/12/" alt="图">' in html
    assert "<table>" in html and "<td>三楼</td>" in html


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox)",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{display:none}</style>",
    "<iframe src=https://evil.example></iframe>",
    '<svg onload="alert(1)"></svg>',
    '<form action="https://evil.example"><input name=p></form>',
    "<object data=x></object><embed src=x>",
    '<p onclick="alert(1)" onmouseover="alert(1)">x</p>',
]


class Elements(HTMLParser):
    """Every element and attribute of an HTML fragment, as a browser's parser sees them."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


SAFE_SCHEMES = ("https://", "http://", "mailto:", "tel:", "/xinli/images/")


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("through", [render, sanitise])
def test_hostile_input_comes_out_harmless(text, through):
    """As Markdown (raw HTML is shown as text) and straight through the sanitiser: no element outside the
    allow-list, no event handler or style, no link or image to a script, data or another site's image."""
    for tag, attrs in Elements(through(text)).found:
        assert tag in {"p", "a", "img", "br"}, (text, tag)
        for name, value in attrs.items():
            assert not name.startswith("on") and name not in {"style", "class", "id", "target"}, (text, name)
            if name in ("href", "src"):
                assert value.lower().startswith(SAFE_SCHEMES), (text, value)


@pytest.mark.parametrize(
    "html,expected",
    [
        ('<p onclick="x()">hi</p>', "<p>hi</p>"),
        ("<script>alert(1)</script>safe", "safe"),
        (
            '<a href="https://a.example/" target="_blank">a</a>',
            '<a href="https://a.example/" rel="noopener noreferrer">a</a>',
        ),
        ('<a href="//evil.example/">a</a>', '<a rel="noopener noreferrer">a</a>'),
        ('<a href="tel:12356">热线</a>', '<a href="tel:12356" rel="noopener noreferrer">热线</a>'),
        ('<img src="https://tracker.example/p.gif" alt="x">', '<img alt="x">'),
        ('<img src="/xinli/images/3/../../admin/" alt="x">', '<img alt="x">'),
        ('<img src="/xinli/images/3/" onerror="x()">', '<img src="/xinli/images/3/">'),
        ('<span class="x">t</span><div id="y">u</div>', "tu"),
        ("<!-- a comment -->text", "text"),
    ],
)
def test_the_sanitiser_keeps_only_the_allow_list(html, expected):
    assert sanitise(html) == expected
