"""审核与评论 / Review and comments: proposals, their review, the trail, comments.

A Streamlit page script: wired into the app's navigation by ``app.py``, or run alone
(``streamlit run pages/review.py``). Reading needs no sign-in unless
``CORRIDOR_MAP_SIGN_IN_TO_READ`` is on; proposing, reviewing and commenting need the
role, checked by each action on the server (:mod:`corridor_map.core.roles`).
"""

from __future__ import annotations

import streamlit as st

from corridor_map.core.errors import CorridorMapError
from corridor_map.core.i18n import normalize_language, t
from corridor_map.core.markup import md_escape
from corridor_map.core.paths import data_root
from corridor_map.core.roles import Role, RoleError, can
from corridor_map.core.settings import load_settings
from corridor_map.curation.store import store_present
from corridor_map.ui.auth import FRAME_DRAWS_SIGN_IN, current_user, gate_reading, sign_in_box
from corridor_map.ui.replica import follow_in_background
from corridor_map.ui.review import (
    comment_target,
    comments_section,
    curation_backend,
    feature_state,
    propose_form,
    review_section,
    show_flash,
    trail_section,
)

settings = load_settings()
lang = normalize_language(st.session_state.get("lang") or st.query_params.get("lang"))
if st.session_state.get(FRAME_DRAWS_SIGN_IN):
    try:
        user = current_user(settings)  # the app's frame drew who is signed in
    except RoleError:
        user = None
else:
    user = sign_in_box(settings, lang)
    gate_reading(settings, user, lang)
st.title(t("review_title", lang))
show_flash()
root = data_root()
# No st.stop() here: it would stop the app's frame too (no sidebar, no URL state).
if not store_present(settings.db_url, root) and not can(Role.COMMENTER, user):
    # Nothing proposed or commented yet, and a reader adds nothing: make no store.
    st.info(t("review_none", lang))
else:
    try:
        follow_in_background(settings.db_url, str(root))
        with curation_backend(settings, root) as (store, db):
            features = store.features()
            names = {f.id: f.properties.get("name_zh") or f.id for f in features}
            review_tab, propose_tab, comments_tab = st.tabs(
                [
                    t("review_tab_review", lang),
                    t("review_tab_propose", lang),
                    t("review_tab_comments", lang),
                ]
            )
            with review_tab:
                review_section(store, db, settings, root, user, lang)
                trail_section(db, lang)
            with propose_tab:
                feature_id = st.selectbox(
                    t("review_pick_feature", lang),
                    list(names),
                    format_func=lambda i: f"{names[i]} ({i})",
                    key="review_feature",
                )
                if feature_id:
                    feature_state(store, feature_id, lang)
                    propose_form(store, db, user, feature_id, lang)
            with comments_tab:
                target = comment_target(names, lang)
                if target is not None:
                    if target.kind == "feature":
                        feature_state(store, target.key, lang)
                    comments_section(db, user, target, lang)
    except CorridorMapError as exc:
        st.error(md_escape(str(exc)))
