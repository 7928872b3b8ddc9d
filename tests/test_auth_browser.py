"""Sign-in with a real OpenID Connect provider, roles, and the review flow, in Chromium.

The test starts ``oidc-provider-mock`` (a complete provider: discovery, authorization
code flow, signed ID tokens) on a free localhost port, writes a ``secrets.toml`` whose
``[auth]`` points at it into a copy of the app's config, and serves ``pages/review.py``
on a copy of the data. Streamlit's own ``st.login`` does the sign-in; the provider's
page offers its predefined users as buttons. Every request leaving this machine is
aborted (the provider's page asks a CDN for a stylesheet: it renders without it).

Users: ``zhou`` (the provider's ``roles`` claim says contributor), ``chen`` (the roles
file says curator), ``li`` (nobody says: the default, reader).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from shapely import affinity
from shapely.geometry import shape

from corridor_map.core.roles import RolePolicy, user_from_claims
from corridor_map.curation import proposals as pr
from corridor_map.curation.db import open_database
from corridor_map.curation.postgres import open_curation_store
from corridor_map.geo.geojson import geometry_json
from tests._appserver import CHROMIUM, is_local, launch_chromium, streamlit_app
from tests._oidc import ROOT, app_config_with_sign_in, oidc_provider
from tests._support import copy_data

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not CHROMIUM.exists():
    pytest.skip(
        "/usr/bin/chromium not installed (apt-get install chromium)", allow_module_level=True
    )

CORE = "taizhou-central-core"
CORE_NAME = "中央创新核"
USERS = [
    {"sub": "zhou", "email": "zhou@bureau.example", "roles": ["contributor"]},
    {"sub": "chen", "email": "chen@bureau.example", "name": "陈审核"},
    {"sub": "li", "email": "li@bureau.example"},
]
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("bureaus")
    data = copy_data(root / "data")
    roles = root / "roles.toml"
    roles.write_text('[roles]\n"chen@bureau.example" = "curator"\n', encoding="utf-8")
    with oidc_provider(USERS) as issuer:
        config = app_config_with_sign_in(root / "app", issuer)
        env = dict(os.environ, CORRIDOR_MAP_DATA=str(data), CORRIDOR_MAP_ROLES_FILE=str(roles))
        env.pop("CORRIDOR_MAP_DB", None)
        with streamlit_app(ROOT / "pages" / "review.py", cwd=config, env=env) as app:
            yield {"url": app.url, "data": data, "roles": roles}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()


def _page(browser: Any, url: str, outside: list[str]) -> Any:
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    page = context.new_page()

    def route(r: Any) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    return page


def _sign_in(browser: Any, url: str, subject: str) -> Any:
    outside: list[str] = []
    page = _page(browser, url, outside)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name=subject, exact=True).click()  # the provider's page
    page.get_by_text("已登录").wait_for()
    assert all("127.0.0.1" not in u and "localhost" not in u for u in outside)
    return page


def _sidebar(page: Any) -> str:
    return page.locator("section[data-testid='stSidebar']").inner_text()


def _pick_core(page: Any) -> None:
    box = (
        page.locator("[data-testid='stSelectbox']").filter(has_text="要素").locator("visible=true")
    )
    box.first.click()
    page.keyboard.type(CORE)
    page.keyboard.press("Enter")
    # The feature's state line follows the selection.
    page.get_by_text(f"{CORE_NAME} · 版本").first.wait_for()


def test_sign_in_shows_user_and_role_from_claim_file_or_default(
    served: dict[str, Any], browser: Any
) -> None:
    expected = {
        "zhou": "zhou@bureau.example · 贡献者",
        "chen": "陈审核 · 审核人",
        "li": "li@bureau.example · 读者",
    }
    for subject, shown in expected.items():
        page = _sign_in(browser, served["url"], subject)
        # md_escape puts a word joiner in e-mail addresses (no autolink): compare without.
        assert shown in _sidebar(page).replace("\u2060", ""), subject
        page.context.close()
    anonymous = _page(browser, served["url"], [])
    anonymous.get_by_role("button", name="登录").wait_for()
    anonymous.get_by_role("tab", name="提出修改").click()
    anonymous.get_by_text("提出修改需要贡献者角色").wait_for()
    assert anonymous.get_by_role("button", name="提交提案").count() == 0
    anonymous.context.close()


def _core_geometry(data: Path) -> dict[str, Any]:
    layer = json.loads((data / "layers" / "taizhou_bay.geojson").read_text("utf-8"))
    core = next(f for f in layer["features"] if f["properties"]["id"] == CORE)
    smaller = affinity.scale(shape(core["geometry"]), 0.97, 0.97, origin="centroid")
    geometry = geometry_json(smaller)
    assert geometry is not None
    return geometry


def test_contributor_proposes_geometry_curator_accepts_every_reader_sees_it(
    served: dict[str, Any], browser: Any
) -> None:
    data: Path = served["data"]
    geometry = _core_geometry(data)
    contributor = _sign_in(browser, served["url"], "zhou")
    contributor.get_by_role("tab", name="提出修改").click()
    _pick_core(contributor)
    form = contributor.locator("[data-testid='stForm']").locator("visible=true").first
    form.get_by_label("新几何（GeoJSON，WGS84）", exact=True).fill(json.dumps(geometry))
    form.get_by_label("精度（米）", exact=True).fill("5")
    form.get_by_label("几何来源", exact=True).fill("台州市自然资源和规划局红线，CGCS2000 转 WGS84")
    form.get_by_label("提供单位（官方几何）", exact=True).fill("台州市自然资源和规划局")
    form.get_by_label("文号", exact=True).fill("台自然资规〔2026〕12号")
    form.get_by_label("日期", exact=True).fill("2026-03-01")
    form.get_by_label("理由", exact=True).fill("official 红线")
    form.get_by_label("依据", exact=True).fill("台自然资规〔2026〕12号")
    form.get_by_role("button", name="提交提案").click()
    contributor.get_by_text("已提交提案 #").wait_for()
    # Nothing is published before review.
    assert "台自然资规" not in (data / "layers" / "taizhou_bay.geojson").read_text("utf-8")
    contributor.context.close()

    curator = _sign_in(browser, served["url"], "chen")
    card = curator.locator(".st-key-proposal_1")
    card.get_by_role("button", name="接受并发布").wait_for()
    card.locator("img").wait_for()  # the before/after sketch
    text = card.inner_text()
    assert "geometry_basis" in text and "official" in text and "zhou" in text
    # Cells are escaped: the current geometry_source's URLs are not links.
    assert card.locator("table a").count() == 0
    card.get_by_label("审核意见").fill("与红线文件核对无误")
    card.get_by_role("button", name="接受并发布").click()
    curator.get_by_text("已接受并发布 #1").wait_for()
    curator.context.close()

    published = json.loads((data / "layers" / "taizhou_bay.geojson").read_text("utf-8"))
    core = next(f for f in published["features"] if f["properties"]["id"] == CORE)
    assert core["geometry"] == geometry
    assert core["properties"]["geometry_official"]["reference"] == "台自然资规〔2026〕12号"
    for subject in ("li", None):  # a signed-in reader and somebody not signed in
        reader = (
            _sign_in(browser, served["url"], subject)
            if subject
            else _page(browser, served["url"], [])
        )
        reader.get_by_role("tab", name="提出修改").click()
        _pick_core(reader)
        reader.get_by_text(f"{CORE_NAME} · 版本 2 · 几何依据: official").wait_for()
        reader.get_by_role("tab", name="审核").click()
        trail = reader.locator("[data-testid='stDataFrame']").first
        trail.wait_for()
        reader.context.close()
    store = open_curation_store("", data)
    (change,) = store.history(CORE)
    assert change.author == "zhou@bureau.example (oidc); accepted by chen@bureau.example (oidc)"
    store.close()


def test_a_withdrawn_role_is_refused_on_the_server(served: dict[str, Any], browser: Any) -> None:
    data: Path = served["data"]
    store = open_curation_store("", data)
    db = open_database("", data)
    pr.ensure_proposal_tables(db)
    zhou = user_from_claims(USERS[0], via="oidc", policy=RolePolicy())
    item = pr.propose_fields(
        db, store, zhou, CORE, {"name_en": "Renamed by a contributor"}, reason="r", source="s"
    )
    versions = store.feature(CORE).version
    curator = _sign_in(browser, served["url"], "chen")
    card = curator.locator(f".st-key-proposal_{item.id}")
    card.get_by_role("button", name="接受并发布").wait_for()
    # The administrator withdraws chen's role while the page still shows the button.
    served["roles"].write_text('[roles]\n"chen@bureau.example" = "reader"\n', encoding="utf-8")
    try:
        card.get_by_role("button", name="接受并发布").click()
        # The click reaches the action (a callback of the button drawn before), which
        # resolves the user again and refuses: the refusal comes from require().
        refusal = curator.get_by_text("无权操作：需要 curator 角色")
        refusal.wait_for()
        assert "陈审核 is reader" in refusal.inner_text().replace("\u2060", "")
        curator.locator("section[data-testid='stSidebar']").get_by_text("读者").wait_for()
        curator.get_by_role("button", name="接受并发布").wait_for(state="detached")
        assert pr.proposal(db, item.id).status == "open"
        assert store.feature(CORE).version == versions
    finally:
        served["roles"].write_text('[roles]\n"chen@bureau.example" = "curator"\n', encoding="utf-8")
        curator.context.close()
        db.close()
        store.close()


@pytest.mark.parametrize(("trusted", "believed"), [("127.0.0.1", True), ("10.9.9.9", False)])
def test_trusted_header_only_from_the_configured_proxy(
    tmp_path: Path, browser: Any, trusted: str, believed: bool
) -> None:
    data = copy_data(tmp_path / "data")
    roles = tmp_path / "roles.json"
    roles.write_text(json.dumps({"roles": {"wu@bureau.example": "curator"}}), encoding="utf-8")
    env = dict(
        os.environ,
        CORRIDOR_MAP_DATA=str(data),
        CORRIDOR_MAP_ROLES_FILE=str(roles),
        CORRIDOR_MAP_TRUSTED_PROXY=trusted,
    )
    env.pop("CORRIDOR_MAP_DB", None)
    # The test's browser connects from 127.0.0.1, like a proxy on this host would.
    with streamlit_app(ROOT / "pages" / "review.py", cwd=ROOT, env=env) as app:
        context = browser.new_context(
            extra_http_headers={"X-Remote-User": "wu", "X-Remote-Email": "wu@bureau.example"}
        )
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.route("**/*", lambda r: r.continue_() if is_local(r.request.url) else r.abort())
        page.goto(app.url)
        page.get_by_text("审核与评论").wait_for()
        sidebar = page.locator("section[data-testid='stSidebar']")
        if believed:
            sidebar.get_by_text("已登录").wait_for()
            assert "wu@bureau.example · 审核人" in sidebar.inner_text().replace("\u2060", "")
        else:
            sidebar.get_by_text("未配置登录").wait_for()
            assert "已登录" not in sidebar.inner_text()
        context.close()


PROBE_COMMENT = (
    "<img src=x onerror=window.__pwned=1>[链接](http://evil.example) **粗** ${window.__pwned=2}"
)


def test_comment_is_kept_apart_and_shown_inert(served: dict[str, Any], browser: Any) -> None:
    data: Path = served["data"]
    before = (data / "layers" / "taizhou_bay.geojson").read_bytes()
    commenter = _sign_in(browser, served["url"], "zhou")  # a contributor may comment
    commenter.get_by_role("tab", name="评论").click()
    box = commenter.locator("[data-testid='stSelectbox']").locator("visible=true").first
    box.click()
    commenter.keyboard.type(CORE)
    commenter.keyboard.press("Enter")
    commenter.get_by_text(f"{CORE_NAME} · 版本").locator("visible=true").first.wait_for()
    # The feature's comment form replaces the previous one in a rerun: wait until it is the
    # only one shown (under load both were on the page for a moment).
    commenter.wait_for_function(
        "() => [...document.querySelectorAll('textarea[aria-label=\"新评论\"]')]"
        ".filter((e) => e.offsetParent !== null).length === 1"
    )
    form = commenter.locator("[data-testid='stForm']").locator("visible=true").first
    form.get_by_label("新评论", exact=True).fill(PROBE_COMMENT)
    form.get_by_role("button", name="发表评论").click()
    shown = commenter.locator("[class*='st-key-comment_']").filter(has_text="onerror")
    shown = shown.filter(has_not=commenter.locator("textarea"))
    shown.first.wait_for()
    text = shown.first.inner_text()
    # The markup arrives as text: no image, no link, no bold, no template evaluation.
    assert "<img src=x" in text and "[链接](http" in text and "**粗**" in text
    assert shown.first.locator("img, a").count() == 0
    # Bold is the author's name only (as_markdown's own markup), never the comment's.
    bold = shown.first.locator("strong").all_inner_texts()
    assert [b.replace("\u2060", "") for b in bold] == ["zhou@bureau.example"]
    assert commenter.evaluate("window.__pwned === undefined")
    shown.first.get_by_role("button", name="标为已解决").click()
    commenter.locator("[class*='st-key-comment_']").get_by_role(
        "button", name="重新打开"
    ).first.wait_for()
    commenter.context.close()
    # A comment never changes a feature.
    assert (data / "layers" / "taizhou_bay.geojson").read_bytes() == before
