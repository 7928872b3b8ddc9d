"""Travel targets: the documents' travel-time targets, evaluated on the road network."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import streamlit as st

from corridor_map.core.errors import CorridorMapError
from corridor_map.core.i18n import display_name, t
from corridor_map.core.markup import md_escape
from corridor_map.core.settings import load_settings
from corridor_map.ui import data, map_component, mapview, widgets
from corridor_map.views import panel, tables
from corridor_map.webmap import overlays
from corridor_map.webmap import style as map_style

if TYPE_CHECKING:
    from corridor_map.atlas.model import Atlas


#: Scenarios' results kept for every session (the sliders give many speeds: the oldest
#: goes first).
_RESULTS_KEPT = 16


@st.cache_resource
def _results() -> tuple[threading.Lock, OrderedDict[tuple[Any, ...], list[Any]]]:
    # Not st.cache_data: the evaluation shows its steps in a status box, which a cached
    # function may not draw into; the results are read-only and shared, never copied.
    return threading.Lock(), OrderedDict()


def _targets(
    data_key: str, network_kmh: float, planned: bool, rail: bool, lang: str, limit_s: float
) -> list[Any] | None:
    """The targets evaluated in this scenario; computed under the time limit with its
    steps shown the first time (None when it stopped: the message is shown)."""
    from corridor_map.travel import targets as travel_targets
    from corridor_map.views import travel as travel_view

    lock, cache = _results()
    key = (data_key, network_kmh, planned, rail)
    with lock:
        hit = cache.get(key)
        if hit is not None:
            cache.move_to_end(key)
            return hit
    scenario = travel_view.scenario(network_kmh, planned, rail=rail)
    results = widgets.run_job(
        t("job_travel", lang),
        t("job_travel", lang),
        lambda progress: travel_targets.evaluate_targets(
            data.atlas(), scenario.assumptions, scenario.planned_links, progress=progress
        ),
        lang,
        limit_s,
    )
    if results is not None:
        with lock:
            cache[key] = results
            while len(cache) > _RESULTS_KEPT:
                cache.popitem(last=False)
    return results


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
        data.atlas(),
        target_id,
        panel.SENSITIVITY_SPEEDS[parameter],
        travel_view.scenario(network_kmh, planned, rail=rail).assumptions,
        planned,
        parameter,
    )


def _both(
    data_key: str,
    first: tuple[float, bool, bool],
    second: tuple[float, bool, bool] | None,
    lang: str,
) -> tuple[list[Any], list[Any] | None] | None:
    """Scenario A's results and B's (None when not compared); None when one failed or
    stopped (its message is shown)."""
    limit_s = load_settings().job_time_limit_s
    try:
        results = _targets(data_key, *first, lang, limit_s)
        results_b = _targets(data_key, *second, lang, limit_s) if second else None
    except CorridorMapError as exc:
        st.text(str(exc))
        return None
    if results is None or (second and results_b is None):
        return None
    return results, results_b


def _travel_assumptions(
    lang: str,
) -> tuple[tuple[float, bool, bool], tuple[float, bool, bool] | None]:
    """Show the speed sliders and planned-link toggles of scenario A (and B when compared)."""
    from corridor_map.travel.data import planned_links
    from corridor_map.views import travel as travel_view

    links = planned_links(data.atlas())
    names = "、".join(md_escape(display_name(link, lang)) for link in links)
    toggle = (
        f"{t('planned_toggle', lang)}：{names}"
        if lang == "zh"
        else f"{t('planned_toggle', lang)}: {names}"
    )
    slider = travel_view.SLIDERS["network_kmh"]
    # Defaults through the session (a link's ?tv=… may have set them: see ui.state).
    st.session_state.setdefault("travel_compare", False)
    compare = st.toggle(t("compare_toggle", lang), key="travel_compare")
    chosen = []
    for label, suffix, planned_default in (("scenario_a", "", True), ("scenario_b", "_b", False)):
        if suffix and not compare:
            break
        st.session_state.setdefault(f"travel_speed{suffix}", slider.default)
        st.session_state.setdefault(f"travel_planned{suffix}", planned_default)
        st.session_state.setdefault(f"travel_rail{suffix}", False)
        speed = st.slider(
            f"{t(label, lang)} · {t('speed_network', lang)}"
            if compare
            else t("speed_network", lang),
            slider.low,
            slider.high,
            step=slider.step,
            key=f"travel_speed{suffix}",
        )
        cols = st.columns(2, gap="small")
        planned = cols[0].toggle(toggle, key=f"travel_planned{suffix}", disabled=not links)
        rail = cols[1].toggle(t("rail_toggle", lang), key=f"travel_rail{suffix}")
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
    left, right = st.columns([1, 1.15], gap="medium")
    with right:
        (speed, planned, rail), second = _travel_assumptions(lang)
        data_key = data.data_key()
        both = _both(data_key, (speed, planned, rail), second, lang)
        if both is None:
            return
        results, results_b = both
    scenario_a = travel_view.scenario(speed, planned, "A", rail)
    scenario_b = travel_view.scenario(*second[:2], "B", second[2]) if second else None
    if results_b is not None:
        table = travel_view.comparison_rows(travel_view.comparison(results, results_b), lang)
    else:
        table = tables.target_rows(results, lang)
    labels = {f.id: display_name(f, lang) for f in atlas}
    long_text = {t("reading", lang), t("evaluation", lang)}
    routes: list[Any] = []
    routes_b: list[Any] = []
    with right:
        st.dataframe(
            travel_view.coloured(table),
            hide_index=True,
            width="stretch",
            placeholder=tables.NO_VALUE,
            # The verdicts and the minutes fit beside the map at 1440 px: the long reading
            # is left out here (the chosen target's is written below; every row is in the
            # downloads).
            column_order=[c for c in (table[0] if table else {}) if c not in long_text],
            column_config={t("target", lang): st.column_config.TextColumn(width="medium")},
        )
        names = {r.id: display_name(r, lang) for r in results}
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
            travel_view.coloured(tables.sensitivity_rows(rows, lang, current)),
            hide_index=True,
            width="stretch",
            placeholder=tables.NO_VALUE,
        )
        st.caption(
            f"{t('threshold', lang)}: {result.threshold_min:g} · "
            + tables.sensitivity_summary(rows, lang)
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
        st.session_state.setdefault("iso_min", minutes_slider.default)
        minutes = st.slider(
            t("minutes", lang),
            minutes_slider.low,
            minutes_slider.high,
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
            fmt = widgets.format_choice(lang, "travel_dl_fmt")
            widgets.download_buttons(
                export.travel_downloads(lang, evaluated, isochrones, fmt), "dl-travel"
            )
    with left, st.container(key="cm-mapcol"):
        overlays = map_component.overlay(routes, basemap, map_style.ROUTE_STYLE, "route")
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
                    [shown_iso["a"]["geometry"]], basemap, map_style.ISOCHRONE_STYLE, "isochrone"
                )
            overlays += map_component.overlay(
                [shown_iso["reach"].points()], basemap, travel_view.REACHED_STYLE, "reached"
            )
        box = travel_view.frame_bounds(framed) if framed else None
        frame = {"seq": f"{chosen}-{json.dumps(box)}", "bounds": box} if box else {}
        mapview.show_map(
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
        point = overlays.to_wgs84_points([(event.lon, event.lat)], basemap)[0]
        st.session_state["iso_click"] = point


def main() -> None:
    """Notices, then the map beside the targets, their routes and isochrones."""
    lang = st.session_state["lang"]
    atlas = data.checked_atlas(st.container(), lang)
    _travel_view(atlas, st.session_state["basemap"], lang)


main()
