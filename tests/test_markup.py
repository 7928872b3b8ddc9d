"""The one escaping path per renderer: HTML/template literals and Markdown."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from corridor_map.core.markup import inert, md_escape

PAYLOADS = [
    "[请重新登录](https://evil.example/login)",
    "![x](http://evil.example/u.png)",
    "**bold** _it_ ~~gone~~ `code`",
    ":red[colour] :material/home: $x^2$ $$y$$",
    "<img src=x onerror=alert(1)> &amp; <script>alert(1)</script>",
    "# heading\n- item\n1. one",
    "https://evil.example/autolink www.evil.example",
    "${alert(1)} `tick` \\ back",
    "| a | b |\n|---|---|",
]


def _unescape_md(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


def test_bare_urls_and_addresses_are_not_linkable():
    # Streamlit links bare URLs in the rendered text, after escapes are resolved.
    out = _unescape_md(md_escape("https://evil.example/x www.evil.example a@evil.example"))
    assert out == "https://evil.example/x www.evil.example a@evil.example"
    raw = re.sub(r"\\(.)", r"\1", md_escape("https://evil.example www.evil.example a@b.c"))
    assert "://" not in raw and "www." not in raw and "a@b" not in raw


@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_escape_renders_as_the_literal_text(payload):
    # CommonMark + GFM tables/strikethrough/linkify, as close to Streamlit's renderer as
    # markdown-it gets: the escaped source must render one paragraph of plain text.
    md = MarkdownIt("gfm-like") if _has_linkify() else MarkdownIt("commonmark")
    rendered = md.render(md_escape(payload))
    assert rendered.startswith("<p>") and rendered.count("<p>") == 1
    inner = rendered.removeprefix("<p>").removesuffix("</p>\n")
    for tag in ("<a", "<img", "<strong", "<em", "<code", "<h1", "<li", "<table", "<s>", "<del"):
        assert tag not in inner
    flat = " ".join(payload.split())
    assert _unescape_md(md_escape(payload)) == flat


def _has_linkify() -> bool:
    try:
        import linkify_it  # noqa: F401
    except ImportError:
        return False
    return True


def test_md_escape_neutralises_streamlit_directives_and_maths():
    out = md_escape(":red[x] $y$")
    assert ":red[" not in out and "$y$" not in out
    assert out == "\\:red\\[x\\] \\$y\\$"


def test_inert_survives_html_and_template_literals():
    out = inert("<b>${x}</b>`\\")
    assert "<" not in out and "${" not in out and "`" not in out and "\\" not in out


def test_none_is_empty_in_both():
    assert inert(None) == "" and md_escape(None) == ""
