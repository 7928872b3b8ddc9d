"""Streamlit app: pan the corridors, click a zone, read the policy text behind it.

The frame of the app's pages: page configuration, the shared state restored from the
URL, the navigation, then the sidebar. Each page is one script under ``pages/``; what
pages share lives in :mod:`corridor_map.ui`. Run with ``streamlit run app.py``.
"""

from __future__ import annotations

import streamlit as st

# Only what the map needs is imported before it is on the page: the atlas, its checks and
# the geometry libraries (shapely, pyproj) load once the map's element is sent, while the
# browser fetches the map's scripts.
from corridor_map.core.i18n import t
from corridor_map.core.paths import data_root
from corridor_map.core.roles import RoleError
from corridor_map.core.settings import load_settings
from corridor_map.ui import auth, data, state
from corridor_map.ui.sidebar import language_choice, sidebar
from corridor_map.views import stylesheets
from corridor_map.webmap import basemaps as map_basemaps

#: The pages, in the navigation's order: (name, script, icon). One line per page; the
#: first is the default. A page's title is the i18n string ``view_<name>``, its URL path
#: its name (an old ``?view=<name>`` link lands on it). The name must differ from the
#: script's file name: with a ``pages/`` folder Streamlit's first run of a process (and
#: every AppTest run) resolves a URL path equal to a file name to that file alone,
#: without this frame (tests/test_app.py checks it).
PAGES = (
    ("map", "pages/map_texts.py", ":material/map:"),
    ("measure", "pages/measure_sketch.py", ":material/straighten:"),
    ("travel", "pages/travel_targets.py", ":material/route:"),
    ("indicators", "pages/indicator_cards.py", ":material/monitoring:"),
    ("sitecheck", "pages/site.py", ":material/pin_drop:"),
    ("curation", "pages/curate.py", ":material/edit_note:"),
    ("proposals", "pages/review.py", ":material/rate_review:"),
)

st.set_page_config(
    page_title="浙江科创走廊规划地图 · Zhejiang S&T Innovation Corridors",
    page_icon="🗺️",
    layout="wide",
)


def main() -> None:
    """Restore the state, navigate to the page, draw it, then the sidebar."""
    data.static_url()
    # Every basemap is offered; one missing its settings says so in the sidebar.
    basemaps = map_basemaps.BASEMAPS
    state.init_state(basemaps)
    # The page's layout and the sidebar's first widget before anything else: the page
    # (the map with it) never moves sideways or changes its margins while it loads.
    st.html(stylesheets.page_css())
    lang = language_choice()
    settings = load_settings()
    if settings.db_url:
        # A replica of a shared deployment: its layers follow the database (one thread).
        from corridor_map.ui.replica import follow_in_background

        follow_in_background(settings.db_url, str(data_root()))
    # Who is signed in is resolved on the server; every edit checks it again itself.
    try:
        user = auth.current_user(settings)
    except RoleError:
        user = None  # the sign-in box below says what is wrong with the roles
    auth.gate_reading(settings, user, lang)
    # The frame draws the sign-in box (after the page); a page run on its own draws its own.
    st.session_state[auth.FRAME_DRAWS_SIGN_IN] = True
    pages = {
        name: st.Page(
            script,
            title=t(f"view_{name}", lang),
            icon=icon,
            url_path=name,
            default=i == 0,
        )
        for i, (name, script, icon) in enumerate(PAGES)
    }
    current = st.navigation(list(pages.values()), position="top")
    asked = state.pending_page()
    if asked in pages and pages[asked] is not current:
        st.switch_page(pages[asked], query_params=state.wanted_params())

    # The page in the session too (the URL's path holds it): tests and links read it.
    st.session_state["page"] = next(name for name, page in pages.items() if page is current)
    # Title and subtitle on one line: the map below starts higher.
    with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):
        st.title(t("title", lang), width="content")
        st.caption(f"{t('subtitle', lang)} · {t('schematic_note', lang)}")
    current.run()
    # The sidebar's widgets hold their values in the session state (restored from the URL
    # on the first run), so the page is drawn first and the sidebar after it.
    sidebar(data.atlas(), basemaps)
    auth.sign_in_box(settings, lang)
    state.sync_query_params()


main()
