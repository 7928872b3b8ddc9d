"""One escaping path per renderer: HTML, Markdown, JavaScript template literals.

Text from documents, layers, uploads and URLs is never markup. Each renderer the app uses
has exactly one function here, and every view goes through it:

- :func:`inert` for HTML written by ``st.html``, Leaflet (tooltips, labels, the layer
  control) or a component's ``innerHTML``; it also neutralises ``${…}`` and backticks
  should the string ever land inside a JavaScript template literal (folium renders some).
- :func:`md_escape` for anything Streamlit renders as Markdown (``st.markdown``,
  ``st.caption``, ``st.warning`` …, widget labels and options), so a name cannot become a
  link, an image fetched from another host, formatting, a colour directive or maths.

This module imports nothing of the package: everything can depend on it.
"""

from __future__ import annotations

import html

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the characters
# that start Markdown, GFM, Streamlit directives (``:red[…]``, ``:material/…:``), HTML
# entities and KaTeX maths.
_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+-.!|~<>$:&=\"'^%@")
#: Streamlit also links bare URLs and e-mail addresses in the *text* (after escapes are
#: resolved), so an invisible WORD JOINER breaks the patterns it looks for.
_WORD_JOINER = "\u2060"
_LINKIFY_TRIGGERS = ("://", "www.", "@")


def inert(text: object) -> str:
    """Escape text for HTML *and* for JavaScript template literals.

    ``html.escape`` stops markup; the entities for ``$``, ``{``, ``}``, the backtick and
    the backslash stop ``${…}`` interpolation and escapes should the string ever land in a
    template literal.

    Parameters
    ----------
    text
        Anything; ``None`` becomes the empty string.

    Returns
    -------
    str
        Text that renders literally in HTML and is inert inside a JS template literal.
    """
    if text is None:
        return ""
    escaped = html.escape(str(text), quote=True)
    return (
        escaped.replace("$", "&#36;")
        .replace("`", "&#96;")
        .replace("{", "&#123;")
        .replace("}", "&#125;")
        .replace("\\", "&#92;")
    )


def md_escape(text: object) -> str:
    """Backslash-escape Markdown so Streamlit shows ``text`` literally.

    Streamlit renders ``st.markdown``, captions, alerts and widget labels as Markdown; a
    string from the data or the URL must not turn into a link, an image (fetched from an
    outside host), formatting, a colour directive or maths there; bare URLs and e-mail
    addresses must not become links either (an invisible U+2060 breaks them). Line
    breaks become spaces: a label is one line.

    Parameters
    ----------
    text
        Anything; ``None`` becomes the empty string.

    Returns
    -------
    str
        Markdown source that renders as the literal text.
    """
    if text is None:
        return ""
    flat = " ".join(str(text).split())
    for trigger in _LINKIFY_TRIGGERS:
        flat = flat.replace(trigger, trigger[:-1] + _WORD_JOINER + trigger[-1])
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIAL else ch for ch in flat)
