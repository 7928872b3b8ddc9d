"""The curation page (pages/curate.py) through Streamlit's AppTest: read-only by default,
the history of a feature, and a revert from the page that restores the layers."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corridor_map.cli.main import main
from corridor_map.curation.store import CURATED_FILES

PAGE = Path(__file__).resolve().parent.parent / "pages" / "curate.py"
CORE = "taizhou-central-core"


def _page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.session_state["lang"] = lang
    return at


def _layers(root: Path) -> dict[str, bytes]:
    return {n: (root / "layers" / n).read_bytes() for n in CURATED_FILES}


@pytest.mark.slow
def test_read_only_page_shows_state_and_history_without_forms(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CORRIDOR_MAP_CURATION", raising=False)
    assert main(["edit", "set", CORE, "name_en=Central Core", "--reason", "shorter"]) == 0
    at = _page()
    at.run()
    assert not at.exception
    at.selectbox(key="curate_feature").set_value(CORE).run()
    assert any("CORRIDOR_MAP_CURATION=on" in info.value for info in at.info)
    assert not at.button  # no save, no revert
    (table,) = at.dataframe
    assert list(table.value["Reason"]) == ["shorter"]


@pytest.mark.slow
def test_revert_from_the_page(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _layers(data_copy)
    assert main(["edit", "set", CORE, "name_en=Central Core", "--reason", "shorter"]) == 0
    assert _layers(data_copy) != before
    monkeypatch.setenv("CORRIDOR_MAP_CURATION", "on")
    at = _page("zh")
    at.run()
    at.selectbox(key="curate_feature").set_value(CORE).run()
    # curation on, nobody signed in: the page says so and offers no change
    assert [i.value for i in at.info] == ["修改需要以审定人（curator）身份登录。"]
    assert not at.button
    # a curator signed in through the identity provider (its claims as st.user holds them)
    at.user = {"is_logged_in": True, "sub": "li", "email": "li@example.org", "roles": "curator"}
    at.run()
    assert not at.info
    form_inputs = [w for w in at.text_input if w.label == "修改理由（必填）"]
    form_inputs[-1].input("名称恢复")
    next(b for b in at.button if b.label == "撤销（新增一条记录）").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert _layers(data_copy) == before
    assert list(at.dataframe[-1].value["类型"]) == ["revert", "set"]
    assert any("#2" in s.value for s in at.success)
    assert list(at.dataframe[-1].value["修改人"]) == ["li@example.org (oidc)", getpass.getuser()]


@pytest.mark.slow
def test_a_proposed_link_accepted_on_the_page_is_a_cited_excerpt(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridor_map.atlas.model import load_atlas
    from corridor_map.curation.store import open_store

    monkeypatch.setenv("CORRIDOR_MAP_CURATION", "on")
    at = _page("zh")
    at.user = {"is_logged_in": True, "sub": "li", "email": "li@example.org", "roles": "curator"}
    at.run()
    at.selectbox(key="curate_links_doc").set_value("wenling-14th-fyp").run()
    assert not at.exception
    accept = [b for b in at.button if b.key and b.key.startswith("link-")]
    assert accept, "no fresh proposal to accept"
    # each proposal is one line of text beside its button, its verbatim quote in “…”
    proposal_text = next(m.value for m in at.markdown if "“" in m.value)
    accept[0].click().run()
    assert not at.error, [e.value for e in at.error]
    [change] = open_store(data_copy).history()[-1:]
    assert change.kind == "link" and change.author == "li@example.org (oidc)"
    feature = load_atlas().get(change.feature)
    cited = [s for s in feature.sources if s["doc"] == "wenling-14th-fyp"]
    assert any(s["quote"] in proposal_text for s in cited)


def test_an_official_files_shapes_are_offered_by_their_own_attributes() -> None:
    from shapely.geometry import Point

    from corridor_map.views.tables import shape_labels

    shapes = [
        ({"name": "中央创新核", "code": "A-1", "note": None}, Point(121, 28).buffer(0.01)),
        ({}, Point(121, 28)),
        ({"name": "无几何"}, None),
    ]
    assert shape_labels(shapes, "zh") == [
        "#1 · Polygon · name=中央创新核, code=A-1",
        "#2 · Point",
        "#3 · 无几何 · name=无几何",
    ]
    assert shape_labels(shapes, "en")[2] == "#3 · no geometry · name=无几何"


@pytest.mark.slow
def test_the_state_line_names_the_basis_and_no_precision_for_an_unlocated_place(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridor_map.atlas.model import load_atlas
    from corridor_map.views import panel

    monkeypatch.delenv("CORRIDOR_MAP_CURATION", raising=False)
    unlocated = panel.unlocated(load_atlas())[0].id
    assert main(["edit", "set", CORE, "name_en=Central Core", "--reason", "shorter"]) == 0
    at = _page("zh")
    at.run()
    at.selectbox(key="curate_feature").set_value(unlocated).run()
    assert not at.exception
    line = next(m.value for m in at.markdown if "几何" in m.value or "Geometry" in m.value)
    assert "None" not in line and "±" not in line, line
    at.selectbox(key="curate_feature").set_value(CORE).run()
    line = next(m.value for m in at.markdown if "几何" in m.value or "Geometry" in m.value)
    assert "schematic" not in line and "±" in line, line
