"""Review page (skeleton): who is signed in."""

from __future__ import annotations

import streamlit as st

from corridor_map.core.i18n import normalize_language
from corridor_map.core.settings import load_settings
from corridor_map.ui.auth import gate_reading, sign_in_box

settings = load_settings()
lang = normalize_language(st.session_state.get("lang") or st.query_params.get("lang"))
user = sign_in_box(settings, lang)
gate_reading(settings, user, lang)
st.write("review")
