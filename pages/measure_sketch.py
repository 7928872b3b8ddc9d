"""Measure: sketch a line or an area on the map, or upload a file, and measure it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from corridor_map.core.errors import CorridorMapError
from corridor_map.core.i18n import t
from corridor_map.core.markup import md_escape
from corridor_map.ui import data, map_component, mapview, widgets
from corridor_map.views import tables
from corridor_map.webmap import overlays as map_overlays
from corridor_map.webmap import style as map_style

if TYPE_CHECKING:
    from corridor_map.atlas.model import Atlas


def _add_measure_point(event: map_component.MapEvent, basemap: str) -> None:
    if event.kind == "point" and event.lon is not None and event.lat is not None:
        points = st.session_state.setdefault("measure_pts", [])
        points.append(map_overlays.to_wgs84_points([(event.lon, event.lat)], basemap)[0])


#: Session key of the measured upload: what this session draws of its one file (the
#: session's end releases it; a new file or CRS replaces it).
_HELD = "_measure_held"


def _measure(upload: Any, crs: str) -> dict[str, Any] | CorridorMapError:
    """The upload measured once per file and CRS in this session (a refusal too)."""
    from corridor_map.analysis import uploads as imports
    from corridor_map.analysis.upload_notes import reference_points

    key = (upload.file_id, crs)
    held = st.session_state.get(_HELD)
    if held is not None and held[0] == key:
        return held[1]
    value: dict[str, Any] | CorridorMapError
    try:
        out = imports.measure_upload(
            upload.getvalue(),
            upload.name,
            crs,
            references=reference_points(data.atlas()),
            cache=False,
        )
        # Not the parsed shapes (all their vertices): the figures and the drawn copy.
        value = {"result": out["result"], "display": out["display"]}
    except CorridorMapError as exc:
        # Kept without its traceback: the frames would hold the file's bytes.
        value = exc.with_traceback(None)
    st.session_state[_HELD] = (key, value)
    return value


def _measured_upload(upload: Any) -> tuple[dict[str, Any] | None, str | None]:
    """Return ``({"result", "data"}, None)`` for a measurable upload, else ``(None, error)``.

    Parsed once per file and CRS in this session (:func:`_measure`); ``data`` holds the
    simplified copy to draw, messages are in the UI language.
    """
    from corridor_map.analysis import uploads as imports

    if upload is None:
        st.session_state.pop(_HELD, None)
        return None, None
    lang = st.session_state.get("lang", "zh")
    crs = st.session_state.get("measure_crs", "auto")
    out = _measure(upload, crs)
    if isinstance(out, CorridorMapError):
        return None, md_escape(imports.error_text(out, lang))
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
    drawn = map_overlays.geojson_geometries(uploaded["data"]) if uploaded else []
    with left, st.container(key="cm-mapcol"):
        # Points are stored in WGS84 as they are clicked, so switching between a GCJ-02
        # basemap and another one in the middle of a sketch cannot mix coordinate systems.
        shape = map_overlays.sketch_geometry(points, mode)
        overlays = map_component.overlay([shape, *drawn], basemap, map_style.SKETCH_STYLE, "sketch")
        extent = map_overlays.bounds_of({"geometry": g} for g in drawn)
        frame = {"seq": f"upload-{upload.file_id}", "bounds": extent} if extent and upload else None
        mapview.show_map(
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
            fmt = widgets.format_choice(lang, "measure_dl_fmt")
            widgets.download_buttons(export.sketch_downloads(lang, wgs84, fmt), "dl-measure")
        if mode == "polygon" and 0 < len(points) < 3:
            st.caption(t("polygon_needs_three", lang))
        st.divider()
        # Any file is accepted here and refused by corridor_map.analysis.uploads with a
        # message in the UI language (Streamlit's own type filter answers in English only).
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
            st.dataframe(tables.measure_rows(result, lang), hide_index=True)
            for warning in result["warnings"]:
                st.warning(warning)


def main() -> None:
    """Notices, then the measuring map beside its figures."""
    lang = st.session_state["lang"]
    atlas = data.checked_atlas(st.container(), lang)
    _measure_view(atlas, st.session_state["basemap"], lang)


main()
