"""The review page without a browser (Streamlit's AppTest runs the script on the server):
what nobody signed in may see, with and without ``CORRIDOR_MAP_SIGN_IN_TO_READ``."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests._support import ROOT, copy_data

PAGE = str(ROOT / "pages" / "review.py")


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = copy_data(tmp_path / "data")
    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(root))
    monkeypatch.delenv("CORRIDOR_MAP_DB", raising=False)
    monkeypatch.delenv("CORRIDOR_MAP_TRUSTED_PROXY", raising=False)
    return root


def test_reading_needs_no_sign_in_by_default(data: Path) -> None:
    page = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not page.exception
    assert [t.value for t in page.title] == ["审核与评论"]
    # Nobody signed in: no proposal form, no comment form, only what reading allows.
    # Nobody signed in and nothing proposed yet: the page says so and writes nothing.
    assert [i.value for i in page.info] == ["暂无"]
    assert not [b for b in page.button if b.label in {"接受并发布", "驳回"}]
    assert not (data / "curation.sqlite").exists()


def test_a_reader_sees_the_forms_withheld_once_a_store_exists(data: Path) -> None:
    from corridor_map.cli.main import main

    assert main(["history"]) == 0  # any curation command makes the store
    page = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not page.exception
    captions = " ".join(c.value for c in page.caption)
    assert "提出修改需要贡献者角色" in captions and "评论需要登录" in captions
    assert not [b for b in page.button if b.label in {"接受并发布", "驳回"}]


def test_sign_in_to_read_stops_the_page_for_nobody(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORRIDOR_MAP_SIGN_IN_TO_READ", "on")
    page = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not page.exception
    assert [i.value for i in page.info] == ["请先登录再查看地图。"]
    assert not page.title and not page.tabs


def test_comments_on_a_paragraph_and_a_point_are_listed_there(data: Path) -> None:
    from corridor_map.core.roles import RolePolicy, user_from_claims
    from corridor_map.core.vocab import REGION
    from corridor_map.curation import comments as cm
    from corridor_map.curation.db import open_database
    from corridor_map.documents.corpus import load_corpus

    document = next(iter(load_corpus().documents.values()))
    paragraph = document.paragraphs[0]
    lon, lat = (REGION[0] + REGION[2]) / 2, (REGION[1] + REGION[3]) / 2  # the page's default
    db = open_database("", data)
    cm.ensure_comment_tables(db)
    wang = user_from_claims({"sub": "wang", "roles": "commenter"}, via="oidc", policy=RolePolicy())
    cm.add_comment(db, wang, cm.Target.paragraph(document.id, paragraph.id), "段落评论")
    cm.add_comment(db, wang, cm.Target.point(lon, lat), "地点评论")
    page = AppTest.from_file(PAGE, default_timeout=60).run()
    page.radio(key="comment_kind").set_value("paragraph").run()
    shown = " ".join(m.value for m in page.markdown)
    assert "段落评论" in shown and "地点评论" not in shown
    page.radio(key="comment_kind").set_value("point").run()
    shown = " ".join(m.value for m in page.markdown)
    assert "地点评论" in shown and "段落评论" not in shown
    assert not page.exception
