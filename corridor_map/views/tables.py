"""Tables of the measure and travel pages: rows for ``st.dataframe``, in the UI language."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from corridor_map.core.i18n import basis_name, display_name, role_name, stated_figure, t
from corridor_map.core.verdicts import word as verdict_word


def measure_rows(result: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """Return a measuring result (``analysis.measure.measure_geojson``) as table rows."""
    rows = []
    for row in result.get("features", []):
        rows.append(
            {
                "#": row["index"],
                t("name", lang): row.get("name") or row.get("id") or "",
                t("geometry_type", lang): row.get("geometry_type") or "",
                t("area_km2", lang): round(row["area_km2"], 4),
                t("perimeter_km", lang): round(row["perimeter_km"], 3),
                t("length_km", lang): round(row["length_km"], 3),
            }
        )
    return rows


def shape_labels(shapes: Sequence[tuple[dict[str, Any], Any]], lang: str) -> list[str]:
    """One line per shape of an imported file: its number, type and attributes.

    What a curator picks the official shape by: the attributes are the file's own (its
    field names and values, as the supplier wrote them), so no field name must be known.
    """
    labels = []
    for number, (properties, geometry) in enumerate(shapes, start=1):
        kind = geometry.geom_type if geometry is not None else t("curate_no_geometry", lang)
        pairs = ", ".join(f"{k}={v}" for k, v in properties.items() if v not in (None, ""))
        labels.append(f"#{number} · {kind}" + (f" · {pairs[:120]}" if pairs else ""))
    return labels


#: What a table shows for a figure that cannot be given (a target that is not evaluable).
#: Pass it as ``st.dataframe(placeholder=...)``: the cell stays missing, the column numeric.
NO_VALUE = "—"


def target_rows(results: Sequence[Any], lang: str) -> list[dict[str, Any]]:
    """Return evaluated travel targets (:class:`corridor_map.travel.targets.TargetResult`) as rows.

    A target that is not evaluable has no worst time: its cell is None, shown as
    :data:`NO_VALUE`.
    """
    rows = []
    for result in results:
        worst = result.worst_minutes
        rows.append(
            {
                t("target", lang): display_name(result, lang),
                t("verdict", lang): verdict_word(result.status, lang),
                t("threshold", lang): result.threshold_min,
                t("worst", lang): None if worst is None else round(worst, 1),
                t("evaluation", lang): result.evaluation_zh
                if lang == "zh"
                else result.evaluation_en,
            }
        )
    return rows


def sensitivity_rows(
    rows: Sequence[dict[str, Any]], lang: str, current: float | None = None
) -> list[dict[str, Any]]:
    """Return :func:`~corridor_map.travel.targets.sensitivity` rows (current speed flagged).

    The threshold is the same on every row, so the view states it once, beside the table.
    """
    table = []
    for row in rows:
        worst = row.get("worst_minutes")
        speed = f"{row['kmh']:g}"
        if current is not None and math.isclose(row["kmh"], current):
            speed += f" ({t('current', lang)})"
        table.append(
            {
                t("speed_kmh", lang): speed,
                t("worst", lang): None if worst is None else round(worst, 1),
                t("verdict", lang): verdict_word(row["status"], lang),
            }
        )
    return table


def sensitivity_summary(rows: Sequence[dict[str, Any]], lang: str) -> str:
    """Say in one line whether, and between which speeds, the verdict changes."""
    ordered = sorted(rows, key=lambda r: r["kmh"])
    if not ordered:
        return ""
    flips = [
        t("verdict_flips", lang).format(
            low=a["kmh"],
            high=b["kmh"],
            a=verdict_word(a["status"], lang),
            b=verdict_word(b["status"], lang),
        )
        for a, b in itertools.pairwise(ordered)
        if a["status"] != b["status"]
    ]
    if not flips:
        return t("verdict_stable", lang).format(verdict=verdict_word(ordered[0]["status"], lang))
    return "；".join(flips) if lang == "zh" else "; ".join(flips)


def _figure(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def site_relation_table(report: Any, lang: str) -> tuple[list[str], list[list[str]]]:
    """The site check's relations as the page and the PDF show them: a header and rows.

    Figures are text in fixed digits (km² to 3 places, shares in per cent, km to 2),
    an empty figure is "—", the geometry basis is named in the UI language.

    Parameters
    ----------
    report
        A :class:`corridor_map.analysis.site_records.SiteReport`.
    """
    header = [
        t("site_feature", lang),
        t("site_role", lang),
        t("site_verdict", lang),
        t("site_overlap", lang),
        t("site_share", lang),
        t("site_distance", lang),
        t("site_basis", lang),
        t("site_note", lang),
    ]
    rows = []
    for r in report.relations:
        precision = "" if r.precision_m is None else f" ±{r.precision_m:g} m"
        rows.append(
            [
                display_name(r, lang),
                role_name(r.role, lang),
                t(f"site_verdict_{r.verdict}", lang),
                _figure(r.overlap_km2, 3),
                "—" if r.parcel_share is None else f"{r.parcel_share:.1%}",
                _figure(r.distance_km, 2),
                basis_name(r.geometry_basis, lang, short=True) + precision,
                r.note_zh if lang == "zh" else r.note_en,
            ]
        )
    return header, rows


def site_indicator_figures(indicator: Any, lang: str) -> str:
    """An indicator of a site report as "base year: figure → target year: figure".

    Each figure as the document writes it, its unit shown once (a figure such as
    "15家以上" already carries it), for the site page and the site report alike.
    """
    target = (
        f"{indicator.target_year}: {stated_figure(indicator.target_text, indicator.unit, lang)}"
    )
    if not indicator.base_text:
        return target
    base = stated_figure(indicator.base_text, indicator.unit, lang)
    return f"{indicator.base_year}: {base} → {target}"
