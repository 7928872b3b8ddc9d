"""Streamlit app: pan the corridors, click a zone, read the policy text behind it.

A thin view: the map comes from :mod:`corridor_map.webmap.build`, the panel's content from
:mod:`corridor_map.views.panel`, every label from :mod:`corridor_map.core.i18n`. Run with
``streamlit run app.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from corridor_map.core.errors import CorridorMapError
from corridor_map.core.i18n import LANGUAGES, corridor_name, normalize_language, t
from corridor_map.core.markup import md_escape
from corridor_map.core.paths import data_key
from corridor_map.ui import map_component
from corridor_map.views import panel

# Only what the map needs is imported before it is on the page: the atlas, its checks and
# the geometry libraries (shapely, pyproj: a quarter of a second) load once the map's
# element is sent, while the browser fetches the map's scripts.
from corridor_map.webmap import assets
from corridor_map.webmap import build as webmap

if TYPE_CHECKING:
    from corridor_map.atlas.model import Atlas
    from corridor_map.documents.corpus import Corpus
    from corridor_map.outputs import export

MAP_KEY = "cm_map"
VIEWS = ("map", "measure", "travel", "indicators")

st.set_page_config(
    page_title="浙江科创走廊规划地图 · Zhejiang S&T Innovation Corridors",
    page_icon="🗺️",
    layout="wide",
)


@st.cache_resource
def _static_assets() -> list[str]:
    return [str(p) for p in assets.ensure_static_assets()]


def _atlas() -> Atlas:
    from corridor_map.atlas.model import load_atlas

    # Lenient: files with problems are refused and listed, the valid ones are shown.
    return load_atlas(strict=False)


def _corpus() -> Corpus:
    from corridor_map.documents.corpus import load_corpus

    return load_corpus()


@st.cache_resource(max_entries=16)
def _bundle(basemap: str, lang: str, data_key: str) -> tuple[str, str]:
    # Keyed by basemap + language (+ data folder and files, so edited layers show up);
    # on disk too (map_component.stored_bundle): a restart does not build it again, and
    # needs no atlas to show the map.
    del data_key

    def build() -> webmap.MapBundle:
        atlas = _atlas()
        collections = webmap.layer_collections(atlas)
        previews = panel.preview_records(atlas, lang, _corpus())
        return map_component.build_bundle(collections, basemap, lang, previews)

    key = map_component.bundle_key(basemap, lang, _layers_dir())
    return map_component.stored_bundle(key, build)


def _layers_dir() -> Path:
    from corridor_map.core.paths import layers_dir

    return layers_dir().resolve()


def _show_map(
    atlas: Atlas | None,
    basemap: str,
    lang: str,
    *,
    key: str,
    mode: str = "select",
    overlays: list[dict[str, Any]] | None = None,
    frame: dict[str, Any] | None = None,
    on_event: Any = None,
    visible: frozenset[str] | None = None,
) -> map_component.MapEvent | None:
    # ``atlas`` None: nothing drawn depends on it yet (see _map_needs_atlas).
    url, digest = _bundle(basemap, lang, _data_key())
    selected = st.session_state.get("selected") if mode == "select" else None
    outline = panel.map_outline(atlas, selected) if atlas is not None else panel.MapOutline(None)
    if frame is None:
        frame = st.session_state.get("_cm_frame") if atlas is not None else None
        if frame and "select" in frame:
            # Frame what is drawn: the feature, or what an unlocated place lies in.
            target = panel.map_outline(atlas, frame["select"])
            ids = [target.selected] if target.selected else list(target.context)
            frame = {"seq": frame["seq"], "ids": ids}
        elif frame and "doc" in frame:
            # Frame what a document filter leaves on the map.
            frame = {"seq": frame["seq"], "ids": sorted(visible or ())}
    return map_component.show(
        bundle_url=url,
        bundle_digest=digest,
        key=key,
        lang=lang,
        selected=outline.selected,
        context=outline.context,
        frame=frame,
        overlays=overlays or [],
        mode=mode,
        view=st.session_state.get("_cm_view"),
        visible=visible,
        on_event=on_event or (_on_map_event if mode == "select" else None),
    )


def _on_map_event(event: map_component.MapEvent) -> None:
    # A click on the map selects without reframing: the user is looking right there.
    if event.kind == "select" and event.feature_id:
        st.session_state["selected"] = event.feature_id
        st.session_state["reader"] = None


def _data_key() -> str:
    # The one data snapshot: every file of layers/ (travel_targets.json too) and seeds/.
    return data_key(_layers_dir())


def _map_needs_atlas() -> bool:
    # A selection, a document filter or a frame to draw: the map is built with the atlas.
    state = st.session_state
    return bool(state.get("selected") or state.get("doc_filter") or state.get("_cm_frame"))


def _select(feature_id: str | None) -> None:
    # Chosen outside the map (search, hierarchy, unlocated list): frame it there.
    st.session_state["selected"] = feature_id
    st.session_state["reader"] = None
    seq = int((st.session_state.get("_cm_frame") or {}).get("seq", 0)) + 1
    st.session_state["_cm_frame"] = {"seq": seq, "select": feature_id}


def _filter_map(doc_id: str | None, show_map: bool = False) -> None:
    # Filter the map to the features citing a document (None: all) and frame them.
    doc_id = doc_id or None  # "": the picker's "all features"
    st.session_state["doc_filter"] = doc_id
    if doc_id:
        seq = int((st.session_state.get("_cm_frame") or {}).get("seq", 0)) + 1
        st.session_state["_cm_frame"] = {"seq": seq, "doc": doc_id}
    if show_map:
        st.session_state["view"] = "map"


def _open_reader(doc_id: str, paragraph_id: str | None, quote: str | list[str], slot: str) -> None:
    st.session_state["reader"] = {"doc": doc_id, "p": paragraph_id, "quote": quote, "slot": slot}


def _copy_widget(widget_key: str, state_key: str) -> None:
    st.session_state[state_key] = st.session_state[widget_key]


def _close_reader() -> None:
    st.session_state["reader"] = None


def _init_state(basemaps: list[str]) -> None:
    """Restore selection, basemap and language from the URL once per session."""
    if st.session_state.get("_cm_init"):
        return
    params = st.query_params
    st.session_state["lang"] = normalize_language(params.get("lang"))
    basemap = params.get("basemap")
    st.session_state["basemap"] = basemap if basemap in basemaps else webmap.DEFAULT_BASEMAP
    st.session_state["selected"] = params.get("sel") or None
    view = params.get("view")
    st.session_state["view"] = view if view in VIEWS else "map"
    st.session_state["reader"] = None
    st.session_state["doc_filter"] = params.get("doc") or None
    st.session_state["_cm_view"] = map_component.parse_view(params.get("at"))
    if st.session_state["selected"]:
        st.session_state["_cm_frame"] = {"seq": 1, "select": st.session_state["selected"]}
    elif st.session_state["doc_filter"]:
        st.session_state["_cm_frame"] = {"seq": 1, "doc": st.session_state["doc_filter"]}
    st.session_state["_cm_init"] = True


def _sync_query_params() -> None:
    wanted = {
        "lang": st.session_state["lang"],
        "basemap": st.session_state["basemap"],
    }
    if st.session_state.get("selected"):
        wanted["sel"] = st.session_state["selected"]
    if st.session_state.get("view", "map") != "map":
        wanted["view"] = st.session_state["view"]
    if st.session_state.get("doc_filter"):
        wanted["doc"] = st.session_state["doc_filter"]
    # The map writes its own centre and zoom (?at=) without a rerun; keep it.
    if "at" in st.query_params:
        wanted["at"] = st.query_params["at"]
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def _reader(lang: str, names: list[str]) -> None:
    reader = st.session_state.get("reader")
    if not reader:
        return
    try:
        document = _corpus().document(reader["doc"])
    except (CorridorMapError, KeyError) as exc:
        st.error(md_escape(exc))
        return

    @st.dialog(t("reader", lang), width="large", on_dismiss=_close_reader)
    def _dialog() -> None:
        st.html(panel.reader_html(document, reader["p"], reader.get("quote", ""), names))
        map_component.scroll_to(f"cm-p-{reader['p']}" if reader["p"] else None)
        st.button(t("close_reader", lang), key="close_reader", on_click=_close_reader)

    _dialog()


def _sidebar(atlas: Atlas, basemaps: list[str]) -> None:
    lang = st.session_state["lang"]
    with st.sidebar:
        st.radio(
            t("language", lang),
            LANGUAGES,
            key="lang",
            format_func=lambda code: "中文" if code == "zh" else "English",
            horizontal=True,
        )
        lang = st.session_state["lang"]
        st.radio(
            t("view", lang),
            VIEWS,
            key="view",
            format_func=lambda v: t(f"view_{v}", lang),
        )
        # One widget per language: Streamlit keeps a keyed widget's formatted options, so
        # the labels would not follow the language toggle otherwise.
        st.selectbox(
            t("basemap", lang),
            basemaps,
            index=basemaps.index(st.session_state["basemap"]),
            key=f"basemap_{lang}",
            format_func=lambda b: t(f"basemap_{b}", lang),
            on_change=_copy_widget,
            args=(f"basemap_{lang}", "basemap"),
        )
        if st.session_state["basemap"] in webmap.GCJ02_BASEMAPS:
            st.caption(t("gcj_note", lang))

        query = st.text_input(t("search", lang), key="q", placeholder=t("search_placeholder", lang))
        if query.strip():
            _search_results(atlas, query, lang)

        # The sidebar's lists are drawn only while open (an opened one reruns the app): at
        # a page load the browser renders the map first, not 40 buttons nobody has asked
        # for. The map carries the same legend; here it is for the views without a map.
        legend = _lazy_expander(t("legend", lang), "sb_legend")
        if legend.open:
            legend.html(webmap.legend_html(lang))
        st.caption(t("schematic_note", lang))

        missing = panel.unlocated(atlas)
        if missing:
            listed = _lazy_expander(f"{t('unlocated', lang)} ({len(missing)})", "sb_unlocated")
            if listed.open:
                with listed:
                    st.caption(t("unlocated_note", lang))
                    for link in missing:
                        st.button(
                            panel.plain_label(link.label(lang)),
                            key=f"unloc-{link.id}",
                            on_click=_select,
                            args=(link.id,),
                        )

        st.subheader(t("attribution", lang))
        st.caption(t("attribution_text", lang))
        _downloads(atlas, lang)


def _lazy_expander(label: str, key: str) -> Any:
    """An expander whose content the caller writes only while it is open (``.open``)."""
    return st.expander(label, key=key, on_change="rerun")


def _downloads(atlas: Atlas, lang: str) -> None:
    """Download buttons: exports, the printed map and the selected feature's brief."""
    from corridor_map.core.vocab import LAYER_CORRIDORS as CORRIDORS
    from corridor_map.outputs import export

    box = _lazy_expander(t("downloads", lang), "sb_downloads")
    if not box.open:
        return
    with box:
        selected = st.session_state.get("selected")
        selected = selected if selected in atlas else None
        scopes = ["all", *(c for c in CORRIDORS if c != "reference")]
        if selected:
            scopes.append(selected)

        def name(scope: str) -> str:
            if scope == "all":
                return t("download_scope_all", lang)
            if scope in CORRIDORS:
                return corridor_name(scope, lang)
            return panel.plain_label(atlas.get(scope).name_zh)

        scope = st.selectbox(
            t("download_scope", lang), scopes, key="download_scope", format_func=name
        )
        sketch = webmap.sketch_geometry(
            st.session_state.get("measure_pts") or [], st.session_state.get("measure_mode", "line")
        )
        _download_buttons(export.downloads(scope, lang, selected, sketch), "dl")


def _download_buttons(items: list[export.Download], prefix: str) -> None:
    for item in items:
        # Files are built on click (Streamlit calls ``make`` then), not on every rerun.
        st.download_button(
            item.label,
            item.make,
            file_name=item.file_name,
            mime=item.mime,
            key=f"{prefix}-{item.key}",
            on_click="ignore",
        )


def _format_choice(lang: str, key: str) -> str:
    from corridor_map.outputs import export
    from corridor_map.outputs.writers import FORMATS

    return str(
        st.selectbox(
            t("download_format", lang),
            list(FORMATS),
            format_func=export.format_label,
            key=key,
        )
    )


def _search_results(atlas: Atlas, query: str, lang: str) -> None:
    features = panel.search_features(atlas, query)
    texts = panel.search_text(query, limit=10)
    if not features and not texts:
        st.caption(t("no_results", lang))
        return
    if features:
        st.markdown(f"**{t('search_features', lang)}**")
        for hit in features:
            st.button(
                panel.plain_label(hit.link.label(lang)),
                key=f"hit-{hit.link.id}",
                on_click=_select,
                args=(hit.link.id,),
                width="stretch",
            )
    if texts:
        st.markdown(f"**{t('search_text', lang)}**")
        for i, text_hit in enumerate(texts):
            st.html(f'<div style="font-size:.85rem">{text_hit.snippet_html}</div>')
            doc_id, paragraph_id = text_hit.doc_id, text_hit.paragraph_id
            st.button(
                f"{t('open', lang)} · {panel.plain_label(text_hit.title)} {paragraph_id}",
                key=f"text-{i}-{doc_id}-{paragraph_id}",
                on_click=_open_reader,
                args=(doc_id, paragraph_id, query, "search"),
            )


def _panel(atlas: Atlas, lang: str) -> None:
    selected = st.session_state.get("selected")
    reader = st.session_state.get("reader")
    if reader and reader.get("slot") == "search":
        _reader(lang, [])
    if not selected:
        st.info(t("panel_empty", lang))
        return
    if selected not in atlas:
        st.warning(f"{t('unknown_feature', lang)}: {md_escape(selected)}")
        return
    view = panel.feature_panel(atlas, selected, _corpus())
    names = [view.name_zh]
    st.html(panel.PANEL_CSS)
    st.html(panel.header_html(view, lang))
    st.button(t("clear_selection", lang), key="clear", on_click=_select, args=(None,))

    if view.parents or view.children:
        st.markdown(f"**{t('hierarchy', lang)}**")
        for link in view.parents:
            st.button(
                f"↑ {t('parent', lang)}: {panel.plain_label(link.label(lang))}",
                key=f"par-{link.id}",
                on_click=_select,
                args=(link.id,),
            )
        for link in view.children:
            st.button(
                f"↓ {panel.plain_label(link.label(lang))}",
                key=f"child-{link.id}",
                on_click=_select,
                args=(link.id,),
            )

    note = panel.within_note(atlas, selected, lang)
    if note:
        st.info(md_escape(note))
    st.html(panel.facts_html(view, lang))
    source = panel.geometry_source_html(view)
    if source:
        with st.expander(t("geometry_source", lang), expanded=False):
            st.html(source)
    figures = panel.figures_html(view, lang)
    if figures:
        st.markdown(f"**{t('figures', lang)}**")
        st.html(figures)

    st.markdown(f"**{t('excerpts', lang)}** ({len(view.excerpts)})")
    for i, excerpt in enumerate(view.excerpts):
        st.html(panel.excerpt_html(excerpt, names, lang))
        slot = f"excerpt-{i}"
        st.button(
            t("read_document", lang),
            key=f"read-{i}",
            on_click=_open_reader,
            args=(excerpt.doc_id, excerpt.paragraph_id, list(excerpt.all_quotes), slot),
        )
        if reader and reader.get("slot") == slot:
            _reader(lang, names)


def _add_measure_point(event: map_component.MapEvent, basemap: str) -> None:
    if event.kind == "point" and event.lon is not None and event.lat is not None:
        points = st.session_state.setdefault("measure_pts", [])
        points.append(webmap.to_wgs84_points([(event.lon, event.lat)], basemap)[0])


@st.fragment
def _measure_view(atlas: Atlas, basemap: str, lang: str) -> None:
    from corridor_map.analysis import measure
    from corridor_map.analysis import uploads as imports
    from corridor_map.outputs import export

    st.caption(t("measure_intro", lang))
    points: list[list[float]] = st.session_state.setdefault("measure_pts", [])
    left, right = st.columns([3, 2], gap="medium")
    with right:
        mode = st.radio(
            t("mode", lang),
            ("line", "polygon"),
            key="measure_mode",
            format_func=lambda m: t(f"mode_{m}", lang),
            horizontal=True,
        )
        cols = st.columns(2)
        if cols[0].button(t("undo", lang), key="measure_undo") and points:
            points.pop()
        if cols[1].button(t("clear", lang), key="measure_clear"):
            points.clear()
    # The uploader sits below the metrics but its file is drawn on this run's map too.
    upload = st.session_state.get("measure_upload")
    uploaded, upload_error = _measured_upload(upload)
    drawn = webmap.geojson_geometries(uploaded["data"]) if uploaded else []
    with left:
        # Points are stored in WGS84 as they are clicked, so switching between a GCJ-02
        # basemap and another one in the middle of a sketch cannot mix coordinate systems.
        shape = webmap.sketch_geometry(points, mode)
        overlays = map_component.overlay([shape, *drawn], basemap, webmap.SKETCH_STYLE, "sketch")
        extent = _extent(drawn)
        frame = {"seq": f"upload-{upload.file_id}", "bounds": extent} if extent and upload else None
        _show_map(
            atlas,
            basemap,
            lang,
            key="cm_measure",
            mode="measure",
            overlays=overlays,
            frame=frame or {},
            on_event=lambda event: _add_measure_point(event, basemap),
        )
    with right:
        st.metric(t("points", lang), len(points))
        if shape is not None:
            wgs84 = shape
            result = measure.measure_geojson({"type": "Feature", "geometry": wgs84}, name="sketch")
            totals = result["totals"]
            # A line has no area: showing "0.000 km²" beside its length only confuses.
            if wgs84 and wgs84["type"] == "Polygon":
                st.metric(t("area_km2", lang), f"{totals['area_km2']:,.3f}")
                st.metric(t("perimeter_km", lang), f"{totals['perimeter_km']:,.3f}")
            elif wgs84 and wgs84["type"] == "LineString":
                st.metric(t("length_km", lang), f"{totals['length_km']:,.3f}")
            fmt = _format_choice(lang, "measure_dl_fmt")
            _download_buttons(export.sketch_downloads(lang, wgs84, fmt), "dl-measure")
        if mode == "polygon" and 0 < len(points) < 3:
            st.caption(t("polygon_needs_three", lang))
        st.divider()
        # Any file is accepted here and refused by corridor_map.analysis.uploads with a message in
        # the UI language (Streamlit's own type filter answers in English only).
        st.file_uploader(
            t("upload_any", lang),
            help=t("upload_any_help", lang),
            key="measure_upload",
        )
        st.selectbox(
            t("upload_crs", lang),
            imports.DECLARED_CRS_CHOICES,
            key="measure_crs",
            format_func=lambda c: t(f"crs_{c}", lang),
        )
        # _measured_upload returns its messages Markdown-escaped already.
        if upload_error:
            st.error(upload_error)
        elif uploaded:
            result = uploaded["result"]
            st.dataframe(panel.measure_rows(result, lang), hide_index=True)
            for warning in result["warnings"]:
                st.warning(warning)


def _measured_upload(upload: Any) -> tuple[dict[str, Any] | None, str | None]:
    """Return ``({"result", "data"}, None)`` for a measurable upload, else ``(None, error)``.

    Parsed once per file content (cached in :func:`corridor_map.analysis.uploads.measure_upload`);
    ``data`` holds the simplified copy to draw, messages are in the UI language.
    """
    from corridor_map.analysis import uploads as imports

    if upload is None:
        return None, None
    lang = st.session_state.get("lang", "zh")
    crs = st.session_state.get("measure_crs", "auto")
    try:
        out = imports.measure_upload(upload.getvalue(), upload.name, crs)
    except CorridorMapError as exc:
        return None, md_escape(imports.error_text(exc, lang))
    result = dict(out["result"])
    notes = [md_escape(n.text(lang)) for n in result.get("notes", [])]
    others = [md_escape(w) for w in result["warnings"][len(notes) :]]
    # Say how the file was read when it was converted (not plain WGS84).
    read_as = [] if result["source_crs"].startswith("EPSG:4326 ") else [result["source_crs"]]
    result["warnings"] = [
        *(md_escape(f"{t('upload_source_crs', lang)}: {c}") for c in read_as),
        *notes,
        *others,
    ]
    return {
        "result": result,
        "data": {"type": "GeometryCollection", "geometries": out["display"]},
    }, None


def _extent(geometries: list[dict[str, Any]]) -> list[list[float]] | None:
    return webmap.bounds_of({"geometry": g} for g in geometries)


@st.cache_data(max_entries=16)
def _targets(data_key: str, network_kmh: float, planned: bool, rail: bool = False) -> list[Any]:
    del data_key  # cache key only
    from corridor_map.travel import targets as travel_targets
    from corridor_map.views import travel as travel_view

    scenario = travel_view.scenario(network_kmh, planned, rail=rail)
    return travel_targets.evaluate_targets(_atlas(), scenario.assumptions, scenario.planned_links)


@st.cache_data(max_entries=64)
def _sensitivity(
    data_key: str,
    target_id: str,
    parameter: str,
    network_kmh: float,
    planned: bool,
    rail: bool = False,
) -> list[dict[str, Any]]:
    del data_key  # cache key only
    from corridor_map.travel import targets as travel_targets
    from corridor_map.views import travel as travel_view

    return travel_targets.sensitivity(
        _atlas(),
        target_id,
        panel.SENSITIVITY_SPEEDS[parameter],
        travel_view.scenario(network_kmh, planned, rail=rail).assumptions,
        planned,
        parameter,
    )


def _travel_assumptions(
    lang: str,
) -> tuple[tuple[float, bool, bool], tuple[float, bool, bool] | None]:
    """Show the speed sliders and planned-link toggles of scenario A (and B when compared)."""
    from corridor_map.travel.data import planned_links
    from corridor_map.views import travel as travel_view

    links = planned_links(_atlas())
    names = "、".join(md_escape(link.name_zh if lang == "zh" else link.name_en) for link in links)
    toggle = (
        f"{t('planned_toggle', lang)}：{names}"
        if lang == "zh"
        else f"{t('planned_toggle', lang)}: {names}"
    )
    slider = travel_view.SLIDERS["network_kmh"]
    compare = st.toggle(t("compare_toggle", lang), value=False, key="travel_compare")
    chosen = []
    for label, suffix, planned_default in (("scenario_a", "", True), ("scenario_b", "_b", False)):
        if suffix and not compare:
            break
        speed = st.slider(
            f"{t(label, lang)} · {t('speed_network', lang)}"
            if compare
            else t("speed_network", lang),
            slider.low,
            slider.high,
            slider.default,
            step=slider.step,
            key=f"travel_speed{suffix}",
        )
        cols = st.columns(2, gap="small")
        planned = cols[0].toggle(
            toggle, value=planned_default, key=f"travel_planned{suffix}", disabled=not links
        )
        rail = cols[1].toggle(t("rail_toggle", lang), value=False, key=f"travel_rail{suffix}")
        chosen.append((float(speed), bool(planned and links), bool(rail)))
    with st.expander(t("assumptions", lang), expanded=False):
        for kmh, with_links, by_rail in chosen:
            st.text(travel_view.scenario(kmh, with_links, rail=by_rail).describe())
        kmh, with_links, by_rail = chosen[0]
        for line in travel_view.scenario(kmh, with_links, rail=by_rail).assumptions.describe():
            st.text(line)
        for link in links:
            st.text(
                f"{link.name_zh} / {link.name_en}: {link.design_speed_kmh:g} km/h · {link.note}"
            )
    return chosen[0], (chosen[1] if len(chosen) > 1 else None)


@st.fragment
def _travel_view(atlas: Atlas, basemap: str, lang: str) -> None:
    # Imported by the views that route (scipy, networkx): the map view starts without them.
    from corridor_map.outputs import export
    from corridor_map.views import travel as travel_view

    st.caption(t("travel_intro", lang))
    # The map beside the controls and the table (drawn last, once the routes are known);
    # on a narrow screen the columns stack and the table goes below the map (PAGE_CSS).
    left, right = st.columns([1, 1], gap="medium")
    with right:
        (speed, planned, rail), second = _travel_assumptions(lang)
        data_key = _data_key()
        try:
            results = _targets(data_key, speed, planned, rail)
            results_b = _targets(data_key, *second) if second else None
        except CorridorMapError as exc:
            st.text(str(exc))
            return
    scenario_a = travel_view.scenario(speed, planned, "A", rail)
    scenario_b = travel_view.scenario(*second[:2], "B", second[2]) if second else None
    if results_b is not None:
        table = travel_view.comparison_rows(travel_view.comparison(results, results_b), lang)
    else:
        table = panel.target_rows(results, lang)
    labels = {f.id: (f.name_zh if lang == "zh" else f.name_en) for f in atlas}
    routes: list[Any] = []
    routes_b: list[Any] = []
    with right:
        st.dataframe(
            travel_view.coloured(table),
            hide_index=True,
            width="stretch",
            placeholder=panel.NO_VALUE,
            # Room for the verdict and the minutes beside the map; the reading scrolls.
            column_config={t("target", lang): st.column_config.TextColumn(width="medium")},
        )
        names = {r.id: (r.name_zh if lang == "zh" else r.name_en) for r in results}
        chosen = st.selectbox(
            t("pick_target", lang), list(names), format_func=lambda i: names[i], key="travel_target"
        )
        result = next(r for r in results if r.id == chosen)
        result_b = next(r for r in results_b if r.id == chosen) if results_b is not None else None
        st.html(travel_view.verdict_line(result, lang, result_b))
        st.markdown(f"**{t('show_route', lang)}**")
        for view in travel_view.worst_case_views(chosen, results, results_b, labels, lang):
            (routes if view.label == "A" else routes_b).extend(view.geometries)
            for line in view.lines:
                st.text(line)
        st.caption(t("route_note", lang))
        reach_line = travel_view.target_reach_line(atlas, result, scenario_a, labels, lang)
        if reach_line:
            st.text(f"{t('reachable', lang)}: {reach_line}")
        st.text(
            f"{t('reading', lang)}: "
            + (result.evaluation_zh if lang == "zh" else result.evaluation_en)
        )

        st.markdown(f"**{t('sensitivity', lang)}**")
        parameters = tuple(panel.SENSITIVITY_SPEEDS)
        parameter = st.radio(
            t("sensitivity_param", lang),
            parameters,
            index=parameters.index(travel_view.sensitivity_default(result)),
            format_func=lambda p: t(f"param_{p}", lang),
            key=f"sens_param-{chosen}",
            horizontal=True,
        )
        rows = _sensitivity(data_key, chosen, parameter, speed, planned, rail)
        current = speed if parameter == "network_kmh" else None
        st.dataframe(
            travel_view.coloured(panel.sensitivity_rows(rows, lang, current)),
            hide_index=True,
            width="stretch",
            placeholder=panel.NO_VALUE,
        )
        st.caption(
            f"{t('threshold', lang)}: {result.threshold_min:g} · "
            + panel.sensitivity_summary(rows, lang)
        )

        starts = travel_view.isochrone_origins(atlas, lang)
        click = "@click"
        origin = st.selectbox(
            f"{t('isochrone', lang)} · {t('isochrone_from', lang)}",
            [None, click, *starts],
            format_func=lambda i: (
                "—" if i is None else (t("from_click", lang) if i == click else starts[i])
            ),
            key="iso_from",
        )
        minutes_slider = travel_view.SLIDERS["minutes"]
        minutes = st.slider(
            t("minutes", lang),
            minutes_slider.low,
            minutes_slider.high,
            minutes_slider.default,
            step=minutes_slider.step,
            key="iso_min",
        )
        start: Any = origin
        if origin == click:
            start = st.session_state.get("iso_click")
            if start is None:
                st.caption(t("click_to_start", lang))
        shown_iso = None
        if start is not None:
            shown_iso = travel_view.isochrones(
                atlas, tuple(start) if origin == click else start, minutes, scenario_a, scenario_b
            )
            for line in travel_view.isochrone_area_lines(shown_iso, lang):
                st.text(line)
            if shown_iso["parts"]:
                st.dataframe(
                    travel_view.part_rows(shown_iso["parts"], lang),
                    hide_index=True,
                    width="stretch",
                )
            st.markdown(f"**{t('reachable', lang)}**")
            st.text(travel_view.reach_summary(shown_iso["reach"], lang))
            st.dataframe(
                travel_view.reach_rows(shown_iso["reach"], lang), hide_index=True, width="stretch"
            )
        evaluated = [(scenario_a.label, scenario_a.assumptions, results)]
        isochrones = [("A", shown_iso["a"] if shown_iso else None)]
        if scenario_b is not None and results_b is not None:
            evaluated.append((scenario_b.label, scenario_b.assumptions, results_b))
            isochrones.append(("B", shown_iso["b"] if shown_iso else None))
        with st.expander(t("travel_downloads", lang), expanded=False):
            fmt = _format_choice(lang, "travel_dl_fmt")
            _download_buttons(
                export.travel_downloads(lang, evaluated, isochrones, fmt), "dl-travel"
            )
    with left, st.container(key="cm-mapcol"):
        overlays = map_component.overlay(routes, basemap, webmap.ROUTE_STYLE, "route")
        overlays += map_component.overlay(routes_b, basemap, travel_view.ROUTE_B_STYLE, "route-b")
        framed = routes[0] if routes else None
        if shown_iso and shown_iso["a"].get("geometry"):
            framed = shown_iso["a"]["geometry"]
            if shown_iso["parts"]:
                for part in shown_iso["parts"]:
                    name = part["properties"]["part"]
                    overlays += map_component.overlay(
                        [part["geometry"]], basemap, travel_view.PART_STYLES[name], f"iso-{name}"
                    )
            else:
                overlays += map_component.overlay(
                    [shown_iso["a"]["geometry"]], basemap, webmap.ISOCHRONE_STYLE, "isochrone"
                )
            overlays += map_component.overlay(
                [shown_iso["reach"].points()], basemap, travel_view.REACHED_STYLE, "reached"
            )
        box = travel_view.frame_bounds(framed) if framed else None
        frame = {"seq": f"{chosen}-{json.dumps(box)}", "bounds": box} if box else {}
        _show_map(
            atlas,
            basemap,
            lang,
            key="cm_travel",
            mode="pick" if origin == click else "none",
            overlays=overlays,
            frame=frame,
            on_event=lambda event: _pick_isochrone_origin(event, basemap),
        )


def _pick_isochrone_origin(event: map_component.MapEvent, basemap: str) -> None:
    if event.kind == "point" and event.lon is not None and event.lat is not None:
        point = webmap.to_wgs84_points([(event.lon, event.lat)], basemap)[0]
        st.session_state["iso_click"] = point


def _indicators_view(atlas: Atlas, lang: str) -> None:
    from corridor_map.analysis.timeline import timeline
    from corridor_map.atlas.indicators import load_register
    from corridor_map.core.i18n import corridor_name
    from corridor_map.core.markup import md_escape
    from corridor_map.travel import targets as travel_targets
    from corridor_map.views import indicators as iv

    st.caption(t("ind_intro", lang))
    try:
        register = load_register()
        targets = travel_targets.load_targets(atlas)
        entries = timeline(atlas, register, targets)
    except CorridorMapError as exc:
        st.error(md_escape(str(exc)))
        return
    corpus = _corpus()
    with st.expander(t("timeline", lang), expanded=True):
        st.caption(t("timeline_intro", lang))
        st.altair_chart(iv.timeline_chart(entries, lang), width="stretch")
        st.dataframe(iv.timeline_rows(entries, lang), hide_index=True, width="stretch")
        for entry in entries:
            when = entry.date or t("timeline_year_unknown", lang)
            title = entry.title if lang == "zh" or not entry.title_en else entry.title_en
            with st.expander(md_escape(f"{when} · {title}"), expanded=False):
                for heading, names in iv.timeline_details(entry, atlas, register, targets, lang):
                    st.text(f"{heading} ({len(names)}): " + ("、".join(names) or "—"))
                shown = iv.map_filter(atlas, entry.doc_id, lang, corpus)
                st.button(
                    t("timeline_show_on_map", lang).format(n=len(shown.ids) if shown else 0),
                    key=f"tl-map-{entry.doc_id}",
                    on_click=_filter_map,
                    args=(entry.doc_id, True),
                    disabled=not (shown and shown.ids),
                )
    cols = st.columns(4)
    corridor = cols[0].selectbox(
        t("ind_corridor", lang),
        iv.corridors(register),
        format_func=lambda c: corridor_name(c, lang),
        key=f"ind_corridor_{lang}",
    )
    doc = cols[1].selectbox(
        t("ind_doc", lang),
        [None, *iv.doc_options(register, corridor)],
        format_func=lambda d: t("ind_all", lang) if d is None else corpus.document(d).title,
        key=f"ind_doc_{lang}_{corridor}",
        # Choosing a document here also filters the map to the features citing it.
        on_change=lambda: _filter_map(st.session_state.get(f"ind_doc_{lang}_{corridor}")),
    )
    year = cols[2].selectbox(
        t("ind_year", lang),
        [None, *iv.year_options(register, corridor)],
        format_func=lambda y: t("ind_all", lang) if y is None else str(y),
        key=f"ind_year_{lang}_{corridor}",
    )
    kind = cols[3].selectbox(
        t("ind_kind", lang),
        [None, *sorted({i.kind for i in register.select(corridor=corridor)})],
        format_func=lambda k: t("ind_all", lang) if k is None else iv.kind_name(k, lang),
        key=f"ind_kind_{lang}_{corridor}",
    )
    chosen = register.select(corridor, doc, kind, year)
    st.caption(t("ind_count", lang).format(n=len(chosen)))
    if not chosen:
        st.info(t("ind_none", lang))
        return
    charts = iv.charts(chosen, lang)
    if charts:
        st.markdown(f"**{t('ind_chart', lang)}**")
        for _, chart in charts:
            st.altair_chart(chart, width="stretch")
    st.html(iv.CARD_CSS)
    reader = st.session_state.get("reader")
    for indicator in chosen:
        with st.container(border=True):
            st.html(iv.card_html(indicator, lang))
            for i, link in enumerate(iv.figure_links(indicator, lang)):
                slot = f"ind-{indicator.id}-{i}"
                st.button(
                    md_escape(link.label),
                    key=f"ind-read-{indicator.id}-{i}",
                    on_click=_open_reader,
                    args=(link.doc, link.paragraph, link.quote, slot),
                )
                if reader and reader.get("slot") == slot:
                    _reader(lang, [])


def main() -> None:
    """Lay out the page: sidebar controls, map on the left, the panel on the right."""
    _static_assets()
    basemaps = webmap.available_basemaps()
    _init_state(basemaps)
    lang = st.session_state["lang"]
    basemap = st.session_state["basemap"]

    st.html(panel.PAGE_CSS)
    st.title(t("title", lang))
    st.caption(f"{t('subtitle', lang)} · {t('schematic_note', lang)}")
    # The data's problems stand above the view, written once the atlas is loaded: the map
    # view sends the map before it loads the atlas (see _map_view).
    notices = st.container()

    view = st.session_state.get("view", "map")
    if view == "map":
        # The document filter stands above the map but outside its fragment: a selection
        # does not rebuild or send its list of documents again; a change of filter
        # reruns the page. Written once the map is sent.
        bar = st.container()
        _map_view(lang, basemap)
    atlas = _checked_data(notices, lang)
    if view == "map":
        with bar:
            left, _ = st.columns([3, 2], gap="medium")
            with left:
                _doc_filter_widgets(_doc_filter(atlas, lang), lang)
    elif view == "measure":
        _measure_view(atlas, basemap, lang)
    elif view == "travel":
        _travel_view(atlas, basemap, lang)
    elif view == "indicators":
        _indicators_view(atlas, lang)
    # The sidebar's widgets hold their values in the session state (restored from the URL
    # on the first run), so the view is drawn first and the sidebar after it.
    _sidebar(atlas, basemaps)
    if view != "map":
        _sync_query_params()


def _checked_data(notices: Any, lang: str) -> Atlas:
    """The atlas (and the corpus), their problems listed in ``notices``; stops on a fatal one."""
    from corridor_map.atlas.validation import refusal_message

    try:
        atlas = _atlas()
        _corpus()
    except CorridorMapError as exc:
        lines = [md_escape(line) for line in str(exc).splitlines()]
        notices.error("\n\n".join([f"{t('data_error', lang)}:", *lines]))
        st.stop()
    if atlas.problems:
        listed = refusal_message(atlas.problems, atlas.refused).splitlines()
        notices.warning("\n\n".join([t("data_problems", lang), *map(md_escape, listed)]))
    return atlas


def _doc_filter(atlas: Atlas, lang: str) -> Any:
    """The map's document filter as it stands (None: all features)."""
    from corridor_map.views import indicators as iv

    shown = iv.map_filter(atlas, st.session_state.get("doc_filter"), lang)
    if shown is None:
        st.session_state["doc_filter"] = None  # also a stale id from the URL
    return shown


def _doc_filter_widgets(shown: Any, lang: str) -> None:
    """The filter's picker, and a notice with "clear" while it is on."""
    from corridor_map.views import indicators as iv

    titles = iv.map_filter_documents(lang)
    key = f"map_doc_{lang}"
    # The picker follows the filter however it was set (timeline, indicators, URL). "All"
    # is "", not None: a None value is no choice at all, shown as Streamlit's placeholder
    # ("Choose an option", in English in both UIs).
    st.session_state[key] = shown.doc_id if shown else ""
    st.selectbox(
        t("map_filter", lang),
        ["", *titles],
        format_func=lambda d: titles[d] if d else t("map_filter_none", lang),
        key=key,
        on_change=lambda: _filter_map(st.session_state.get(key)),
    )
    if shown is not None:
        cols = st.columns([4, 1], vertical_alignment="center")
        with cols[0], st.container(key="cm-doc-filter"):
            st.info(md_escape(shown.notice(lang)))
            if shown.unlocated:
                sep = "：" if lang == "zh" else ": "
                st.text(t("unlocated", lang) + sep + "、".join(shown.unlocated))
        cols[1].button(
            t("map_filter_clear", lang), key="map_filter_clear", on_click=_filter_map, args=(None,)
        )


@st.fragment
def _map_view(lang: str, basemap: str) -> None:
    """The map and the panel: a selection reruns this fragment only, never the page.

    While nothing drawn depends on the atlas (no selection, document filter or frame: a
    page opened without them), the map's element is sent before the atlas is loaded, and
    the browser fetches the map's scripts while the server loads the data. A data error
    draws nothing here: :func:`main` lists it and stops.
    """
    try:
        atlas = _atlas() if _map_needs_atlas() else None
        left, right = st.columns([3, 2], gap="medium")
        with left, st.container(key="cm-mapcol"):
            shown = _doc_filter(atlas, lang) if atlas is not None else None
            _show_map(atlas, basemap, lang, key=MAP_KEY, visible=shown.ids if shown else None)
            atlas = atlas if atlas is not None else _atlas()
            st.caption(
                f"{t('schematic_note', lang)} · {webmap.OSM_ATTRIBUTION} · "
                f"{webmap.GEONAMES_ATTRIBUTION} · {t('districts_credit', lang)}"
            )
            missing = len(panel.unlocated(atlas))
            if missing:
                st.caption(t("unlocated_beside_map", lang).format(n=missing))
    except CorridorMapError:
        return
    with right:
        _panel(atlas, lang)
    _sync_query_params()


main()
