"""The app's style sheets, kept as files (``views/styles/*.css``) and read once.

``page.css``: the page's layout (the map beside the panel, stacked below
:data:`NARROW_PX`, the panel's column folded away); ``panel.css``: the panel's text.
"""

from __future__ import annotations

import functools
from importlib import resources

#: Below this viewport width (px) the map and the panel (or travel table) stack, map first
#: (the media queries of ``page.css``).
NARROW_PX = 900


@functools.cache
def _sheet(name: str) -> str:
    text = resources.files("corridor_map.views").joinpath("styles", name).read_text("utf-8")
    return f"<style>\n{text}</style>\n"


def page_css() -> str:
    """The page's layout as a ``<style>`` element (for ``st.html``)."""
    return _sheet("page.css")


def panel_css() -> str:
    """The panel's text styles as a ``<style>`` element."""
    return _sheet("panel.css")
