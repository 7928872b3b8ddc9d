"""Site check page (选址核查): a point, a drawn shape or an uploaded parcel against the plan.

A Streamlit page script: it reads the language and the travel scenario the app keeps in
``st.session_state`` (``lang``; ``travel_speed``, ``travel_planned``, ``travel_rail`` of
the travel view, defaults otherwise) and the polygon drawn on the measure view
(``measure_pts`` in ``polygon`` mode). Everything it shows comes from
:func:`corridor_map.analysis.site.check_sites`; text from documents, layers and uploads is
escaped with :func:`corridor_map.core.markup.md_escape` before Streamlit renders Markdown.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from corridor_map.core.errors import CorridorMapError
from corridor_map.core.i18n import corridor_name, display_name, normalize_language, t
from corridor_map.core.markup import md_escape
from corridor_map.core.settings import load_settings
from corridor_map.ui import widgets
from corridor_map.views import tables

_MAX_SHOWN = 200  # parcels listed in the picker of a large file


def _scenario() -> Any:
    from corridor_map.views import travel as travel_view

    slider = travel_view.SLIDERS["network_kmh"]
    speed = float(st.session_state.get("travel_speed", slider.default))
    planned = bool(st.session_state.get("travel_planned", True))
    rail = bool(st.session_state.get("travel_rail", False))
    return travel_view.scenario(speed, planned, rail=rail)


def _drawn() -> Any:
    from shapely.geometry import Polygon

    points = st.session_state.get("measure_pts") or []
    if st.session_state.get("measure_mode") != "polygon" or len(points) < 3:
        return None
    return Polygon([(float(x), float(y)) for x, y in points])


def _point(lang: str, atlas: Any) -> list[tuple[str, Any]]:
    """The typed point in its chosen system, with a hint when its numbers look swapped."""
    from corridor_map.analysis import site_point

    crs = st.selectbox(
        t("site_point_crs", lang),
        site_point.POINT_CRS_CHOICES,
        key="site_point_crs",
        format_func=lambda c: t(f"crs_{c}", lang),
    )
    projected = site_point.projected_choice(crs)
    label = t("site_xy" if projected else "site_lonlat_plain", lang)
    text = st.text_input(label, value="121.402,28.641", key="site_lonlat")
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        st.error(md_escape(f"{text}: {label}"))
        return []
    if not projected and site_point.looks_swapped(x, y, atlas):
        st.warning(md_escape(t("site_swapped", lang).format(swapped=f"{y:g},{x:g}")))
    try:
        return [(text, site_point.typed_point(x, y, crs, text))]
    except CorridorMapError as exc:
        from corridor_map.analysis.uploads import error_text

        st.error(md_escape(error_text(exc, lang)))
        return []


def _parcels(lang: str, atlas: Any) -> list[tuple[str, Any]]:
    """The parcels the user gave, or [] (errors shown in the UI language)."""
    from corridor_map.analysis import uploads

    how = st.radio(
        t("site_input", lang),
        ("point", "draw", "upload"),
        format_func=lambda k: t(f"site_input_{k}", lang),
        horizontal=True,
        key="site_input",
    )
    if how == "point":
        return _point(lang, atlas)
    if how == "draw":
        drawn = _drawn()
        if drawn is None:
            st.info(t("polygon_needs_three", lang))
            return []
        return [(t("site_input_draw", lang), drawn)]
    upload = st.file_uploader(t("upload_any", lang), key="site_upload")
    crs = st.selectbox(
        t("site_crs", lang),
        uploads.DECLARED_CRS_CHOICES,
        key="site_crs",
        format_func=lambda c: t(f"crs_{c}", lang),
    )
    if upload is None:
        return []
    try:
        imported = uploads.read_upload(upload.getvalue(), upload.name, crs)
    except CorridorMapError as exc:
        st.error(md_escape(uploads.error_text(exc, lang)))
        return []
    found_in = "site_detected_crs" if crs == "auto" else "site_chosen_crs"
    st.caption(md_escape(t(found_in, lang).format(crs=imported.source_crs)))
    for note in imported.notes:
        st.warning(md_escape(note.text(lang)))
    found = []
    for i, (props, geometry) in enumerate(imported.shapes):
        if geometry is None:
            continue
        name = next((props[k] for k in ("name", "id", "名称") if props.get(k)), f"#{i + 1}")
        found.append((str(name), geometry))
    return found


def _relations(report: Any, lang: str) -> None:
    header, cells = tables.site_relation_table(report, lang)
    rows = [dict(zip(header, row, strict=True)) for row in cells]
    st.subheader(t("site_relations", lang))
    # st.dataframe shows cells as text: nothing in them is rendered as markup
    st.dataframe(rows, hide_index=True, key="site_relations_table")
    if report.may_be_here:
        st.markdown(f"**{md_escape(t('site_may_heading', lang))}**")
        for r in report.may_be_here:
            st.markdown("- " + md_escape(r.note_zh if lang == "zh" else r.note_en))


def _travel(report: Any, lang: str) -> None:
    st.subheader(t("site_travel", lang))
    if not report.travel:
        st.caption(md_escape(t("site_no_travel", lang)))
        return
    cols = st.columns(max(1, len(report.travel)))
    for col, trip in zip(cols, report.travel, strict=False):
        name = display_name(trip, lang)
        value = "—" if trip.minutes is None else f"{trip.minutes:.1f} {t('site_minutes', lang)}"
        # a metric's label is Markdown: escaped like every name from the layers
        col.metric(md_escape(name), value, help=md_escape(trip.reason) if trip.reason else None)
    if report.scenario:
        st.caption(md_escape(report.scenario["description"]))


def _excerpts(report: Any, lang: str) -> None:
    st.subheader(t("site_excerpts", lang))
    current = None
    for x in report.excerpts:
        if x.feature_id != current:
            current = x.feature_id
            name = display_name({"name_zh": x.feature_name_zh, "name_en": x.feature_name_en}, lang)
            st.markdown(
                f"**{md_escape(name)}** · {md_escape(t(f'site_verdict_{x.verdict}', lang))}"
            )
        where = " · ".join(v for v in (x.citation, x.paragraph_id) if v)
        st.markdown(f"> {md_escape(x.quote)}\n>\n> —— {md_escape(where)}")
        if x.error:
            st.error(md_escape(x.error))
    if report.indicators:
        with st.expander(f"{t('site_indicators', lang)} ({len(report.indicators)})"):
            st.dataframe(
                [
                    {
                        "id": i.id,
                        t("site_feature", lang): display_name(i, lang),
                        "scope": i.scope,
                        "target": tables.site_indicator_figures(i, lang),
                        "source": i.citation,
                    }
                    for i in report.indicators
                ],
                hide_index=True,
            )


def _downloads(reports: list[Any], report: Any, atlas: Any, lang: str, limit_s: float) -> None:
    import tempfile
    from pathlib import Path

    from corridor_map.outputs.site_report import render_site_report, write_site_table

    cols = st.columns(2)
    with tempfile.TemporaryDirectory() as folder:
        if cols[0].button(t("site_download_pdf", lang), key="site_make_pdf"):
            # The PDF is made in the temporary folder and kept only when complete: a job
            # stopped at its limit leaves nothing (and drops an older report's PDF).
            st.session_state.pop("site_pdf", None)
            with cols[0]:
                made = widgets.run_job(
                    t("site_download_pdf", lang),
                    "site_report.pdf",
                    lambda progress: render_site_report(
                        Path(folder) / "site.pdf", report, atlas, lang, progress=progress
                    ).read_bytes(),
                    lang,
                    limit_s,
                )
            if made is not None:
                st.session_state["site_pdf"] = made
        table = write_site_table(Path(folder) / "site.csv", reports, atlas)
        cols[1].download_button(
            t("site_download_csv", lang),
            table.read_bytes(),
            file_name="site_relations.csv",
            mime="text/csv",
            key="site_csv",
        )
    if st.session_state.get("site_pdf"):
        cols[0].download_button(
            "PDF ↓",
            st.session_state["site_pdf"],
            file_name="site_report.pdf",
            mime="application/pdf",
            key="site_pdf_download",
        )


def _coverage(atlas: Any, lang: str) -> None:
    """The travel targets' coverage under the same scenario, with a map of one target."""
    from corridor_map.outputs.site_report import coverage_map_png
    from corridor_map.travel.coverage import target_coverage

    st.divider()
    if not st.toggle(t("coverage_title", lang), value=False, key="site_coverage"):
        return
    scenario = _scenario()
    readings = [
        c for c in target_coverage(atlas, scenario.assumptions, scenario.planned_links) if c.places
    ]
    rows = [
        {
            "id": c.id,
            t("site_feature", lang): display_name(c, lang),
            t("coverage_places", lang): f"{c.places_met}/{len(c.places)}",
            t("coverage_area", lang): None if c.area_share is None else f"{c.area_share:.0%}",
            "worst (min)": None if c.worst_minutes is None else round(c.worst_minutes, 1),
            "≤ min": c.threshold_min,
        }
        for c in readings
    ]
    st.dataframe(rows, hide_index=True, key="site_coverage_table")
    if not readings:
        return
    names = {c.id: display_name(c, lang) for c in readings}
    chosen = st.selectbox(t("coverage_title", lang), list(names), format_func=names.__getitem__)
    coverage = next(c for c in readings if c.id == chosen)
    key = (chosen, scenario.describe(), lang)
    maps = st.session_state.setdefault("_site_coverage_maps", {})
    if key not in maps:
        maps.clear()
        maps[key] = coverage_map_png(coverage, atlas, lang)
    st.image(maps[key])
    st.caption(md_escape(f"{coverage.reading_zh} / {coverage.reading_en} · {scenario.describe()}"))


def _checked(
    parcels: list[tuple[str, Any]],
    atlas: Any,
    corpus: Any,
    scenario: Any,
    lang: str,
    limit_s: float,
) -> list[Any] | None:
    """The reports of these parcels, kept while the parcels and the scenario stay the same.

    Picking another parcel of a large file, or a download, reruns the page: the check of
    a thousand parcels is not repeated then. The check runs under the time limit, its
    steps shown; None when it stopped (the message is shown).
    """
    from corridor_map.analysis.site import check_sites

    key = (
        tuple((label, geometry.wkb) for label, geometry in parcels),
        scenario.describe(),
        id(atlas),
    )
    cache = st.session_state.setdefault("_site_cache", {})
    if key not in cache:
        cache.clear()
        reports = widgets.run_job(
            t("job_step_sites", lang),
            f"{len(parcels)} × {t('site_parcels', lang)}",
            lambda progress: check_sites(parcels, atlas, corpus, scenario, progress=progress),
            lang,
            limit_s,
        )
        if reports is None:
            return None
        cache[key] = reports
    return list(cache[key])


def main() -> None:
    """Draw the page."""
    from corridor_map.atlas.model import load_atlas
    from corridor_map.documents.corpus import load_corpus
    from corridor_map.outputs.common import attribution
    from corridor_map.outputs.site_report import site_map_png

    lang = normalize_language(st.session_state.get("lang"))
    st.title(t("site_title", lang))
    st.caption(md_escape(t("site_disclaimer", lang)))
    atlas = load_atlas(strict=False)
    parcels = _parcels(lang, atlas)
    if not parcels:
        _coverage(atlas, lang)
        return
    limit_s = load_settings().job_time_limit_s
    try:
        reports = _checked(parcels, atlas, load_corpus(), _scenario(), lang, limit_s)
    except CorridorMapError as exc:
        st.error(md_escape(str(exc)))
        return
    if reports is None:
        return
    st.caption(f"{t('site_parcels', lang)}: {len(reports)}")
    labels = [r.parcel for r in reports[:_MAX_SHOWN]]
    picked = st.selectbox(t("site_pick", lang), range(len(labels)), format_func=labels.__getitem__)
    report = reports[picked or 0]
    corridors = "、".join(corridor_name(c, lang) for c in report.corridors) or "—"
    st.markdown(
        md_escape(
            f"{report.parcel} · {report.geometry_type} · {report.area_km2:.4f} km² · {corridors}"
        )
    )
    st.image(site_map_png(report, atlas, lang))
    _relations(report, lang)
    _travel(report, lang)
    _excerpts(report, lang)
    _downloads(reports, report, atlas, lang, limit_s)
    _coverage(atlas, lang)
    st.caption(md_escape(f"{t('attribution', lang)}: {attribution(atlas, roads=True)}"))


main()
