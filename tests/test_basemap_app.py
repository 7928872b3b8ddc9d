"""The basemap picker through AppTest: 天地图 is offered without its token and says what to set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corridor_map.core.i18n import t

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _run(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], **query: str) -> AppTest:
    for name in ("TIANDITU_KEY", "CORRIDOR_MAP_TIANDITU_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _map_bundle(at: AppTest) -> str:
    """The digest of the map bundle the map element was sent (one per basemap drawn)."""
    found = [el for el in at.get("bidi_component") if "bundleDigest" in el.proto.json]
    assert len(found) == 1, [el.type for el in at.main]
    return str(json.loads(found[0].proto.json)[0]["bundleDigest"])


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tianditu_without_a_key_is_offered_and_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    at = _run(monkeypatch, {}, lang=lang, basemap="none")
    assert not at.exception
    picker = at.selectbox(key=f"basemap_{lang}")
    offered = [o for o in picker.options if t("basemap_tianditu", lang) in o]
    name = t("basemap_tianditu", lang)
    assert offered == [t("basemap_not_set_up", lang).format(name=name)]
    assert not [w for w in at.warning if "TIANDITU_KEY" in w.value]

    picker.set_value("tianditu").run()
    assert not at.exception
    assert at.session_state["basemap"] == "tianditu"  # the choice stands (and in the URL)
    notices = [w.value for w in at.sidebar.warning if "TIANDITU_KEY" in w.value]
    assert notices == [t("basemap_tianditu_missing", lang).format(settings="TIANDITU_KEY")]
    assert ("天地图底图未配置" in notices[0]) == (lang == "zh")
    assert "CORRIDOR_MAP_TIANDITU_URL" in notices[0]


@pytest.mark.slow
def test_tianditu_without_a_key_draws_the_offline_map_not_a_blank_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chosen = _run(monkeypatch, {}, lang="zh", basemap="tianditu")
    offline = _run(monkeypatch, {}, lang="zh", basemap="none")
    assert not chosen.exception and chosen.session_state["basemap"] == "tianditu"
    assert _map_bundle(chosen) == _map_bundle(offline)


@pytest.mark.slow
def test_tianditu_with_a_key_draws_its_tiles_and_no_notice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = _run(monkeypatch, {"TIANDITU_KEY": "k-test"}, lang="zh", basemap="tianditu")
    offline = _run(monkeypatch, {"TIANDITU_KEY": "k-test"}, lang="zh", basemap="none")
    assert not at.exception
    assert at.selectbox(key="basemap_zh").value == "tianditu"
    assert t("basemap_tianditu", "zh") in at.selectbox(key="basemap_zh").options
    assert not [w for w in at.warning if "TIANDITU_KEY" in w.value]
    assert _map_bundle(at) != _map_bundle(offline)
