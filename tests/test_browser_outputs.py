"""The document filter in a real headless Chromium: choosing a document hides the
features (and labels) it does not cite and keeps those it cites, without rebuilding the
map; "clear" brings everything back. Every request to anything but this machine is
aborted and recorded. Screenshots go to ``tests/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from corridor_map.atlas.indicators import features_citing
from corridor_map.atlas.model import load_atlas
from corridor_map.core.i18n import t
from corridor_map.core.paths import layers_dir, seeds_dir
from corridor_map.documents.corpus import load_corpus
from tests._appserver import CHROMIUM, streamlit_app
from tests._support import blocking_page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DOC = "wenzhou-reply-2024"
KEPT = "china-gene-pharma-valley"  # cited by the 2024 reply (and drawn)
HIDDEN = "taizhou-central-core"  # not cited by it

if not CHROMIUM.exists():
    pytest.skip(
        "/usr/bin/chromium not installed (apt-get install chromium)", allow_module_level=True
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("data")
    shutil.copytree(seeds_dir(), root / "seeds")
    shutil.copytree(layers_dir(), root / "layers")
    env = dict(os.environ, CORRIDOR_MAP_DATA=str(root))
    env.pop("TIANDITU_KEY", None)
    with streamlit_app(ROOT / "app.py", cwd=ROOT, env=env, timeout_s=60) as app:
        yield app.url


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[tuple[object, list[str]]]:
    with blocking_page(
        f"{server}/?lang=zh&basemap=none", {"width": 1500, "height": 1000}
    ) as opened:
        yield opened


def _drawn(pg: object, feature_id: str) -> int:
    return pg.locator(f".cm-map-root path.cm-f-{feature_id}").count()  # type: ignore[attr-defined]


def _label_shown(pg: object, feature_id: str) -> bool:
    return bool(
        pg.locator(".cm-map-root").first.evaluate(  # type: ignore[attr-defined]
            "(el, id) => [...el.querySelectorAll('.cm-label')]"
            ".some((l) => l.dataset.id === id && l.style.display !== 'none')",
            feature_id,
        )
    )


def test_choosing_a_document_hides_what_it_does_not_cite(page: tuple[object, list[str]]) -> None:
    pg, outside = page
    atlas = load_atlas()
    cited = features_citing(atlas, DOC)
    assert KEPT in cited and HIDDEN not in cited and HIDDEN in atlas
    pg.locator(".cm-map-root[data-ready='1']").wait_for(timeout=60_000)  # type: ignore[attr-defined]
    pg.locator(f"path.cm-f-{HIDDEN}").first.wait_for(state="attached", timeout=30_000)  # type: ignore[attr-defined]
    pg.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert _drawn(pg, KEPT) and _drawn(pg, HIDDEN)
    builds = pg.evaluate("window.__cmBuilds")  # type: ignore[attr-defined]

    title = load_corpus().document(DOC).title
    pg.get_by_role("combobox", name=t("map_filter", "zh")).click()  # type: ignore[attr-defined]
    pg.get_by_role("option", name=title).click()  # type: ignore[attr-defined]
    notice = t("map_filtered", "zh").format(title=title, n=len(cited))  # + unlocated count
    pg.get_by_text(notice).first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
    pg.wait_for_function(  # type: ignore[attr-defined]
        "(id) => !document.querySelector(`.cm-map-root path.cm-f-${id}`)", arg=HIDDEN
    )
    assert _drawn(pg, KEPT) >= 1, "a cited feature was hidden"
    assert _drawn(pg, HIDDEN) == 0
    # The map frames the rest, then places its labels: wait for that, not a fixed time.
    pg.wait_for_function(  # type: ignore[attr-defined]
        "([kept, hidden]) => { const shown = (id) => [...document.querySelectorAll("
        "'.cm-map-root .cm-label')].some((l) => l.dataset.id === id && "
        "l.style.display !== 'none'); return shown(kept) && !shown(hidden); }",
        arg=[KEPT, HIDDEN],
    )
    assert _label_shown(pg, KEPT) and not _label_shown(pg, HIDDEN)
    # Every curated path left on the map belongs to a feature the document cites.
    drawn = pg.locator(".cm-map-root").first.evaluate(  # type: ignore[attr-defined]
        "el => { const ids = new Set(); el.__cmMap.eachLayer((l) => {"
        " const p = l.feature && l.feature.properties;"
        " if (p && p.id) ids.add(p.id); }); return [...ids]; }"
    )
    curated = {f.id for f in atlas.select(include_reference=False)}
    assert KEPT in drawn and set(drawn) & curated <= cited
    assert pg.evaluate("window.__cmBuilds") == builds, "the filter rebuilt the map"  # type: ignore[attr-defined]
    assert f"doc={DOC}" in pg.url  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "map-doc-filter.png"))  # type: ignore[attr-defined]

    pg.get_by_role("button", name=t("map_filter_clear", "zh")).click()  # type: ignore[attr-defined]
    pg.wait_for_function(  # type: ignore[attr-defined]
        "(id) => !!document.querySelector(`.cm-map-root path.cm-f-${id}`)", arg=HIDDEN
    )
    assert _drawn(pg, KEPT) >= 1
    # The map shows the hidden features at once (in the browser); the notice goes with the
    # server's rerun that follows: wait for it to leave (it did not always, under load).
    pg.get_by_text(notice).first.wait_for(state="detached", timeout=30_000)  # type: ignore[attr-defined]
    assert pg.get_by_text(notice).count() == 0  # type: ignore[attr-defined]
    assert outside == [], f"requests to outside hosts: {outside}"
