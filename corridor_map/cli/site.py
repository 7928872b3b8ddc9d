"""The ``site`` subcommand: what the plan says about a parcel, a point or a file of parcels.

``corridor-map site FILE|LON,LAT [--crs C] [--json] [--lang zh|en] [--out FILE]``: the file
is read by the upload reader (:func:`corridor_map.analysis.uploads.read_upload`: CSV of
points, zipped Shapefile, GeoPackage, KML, GeoJSON, in any coordinate system it reads);
``--out`` writes the PDF report (one parcel) or the relation table (``.csv``/``.gpkg``).
Heavy modules are imported inside the handler so that ``corridor-map --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from corridor_map.cli.commands import COMMANDS

_NAME_KEYS = ("name", "id", "名称", "编号", "Name", "NAME", "ID")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``site`` subcommand to the corridor-map parser."""
    site = subparsers.add_parser(
        "site",
        help=COMMANDS["site"].help,
        description=(
            "Relate a parcel (a WGS84 point LON,LAT, or a file: CSV of points, zipped "
            "Shapefile, GeoPackage, KML, GeoJSON) to the corridors: relations with verdicts, "
            "unlocated places that may be here, excerpts, indicators and travel times."
        ),
    )
    site.add_argument("parcel", help="a file of parcels, or a point as LON,LAT")
    site.add_argument(
        "--crs",
        default=None,
        help="coordinate system of the file or point (EPSG:4549, GCJ-02, BD-09…; default: "
        "the file's own, WGS84 for a point)",
    )
    site.add_argument("--json", action="store_true", help="print JSON")
    site.add_argument("--lang", choices=("zh", "en"), default="zh", help="report language")
    site.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write report.pdf (one parcel) or a table: table.csv / table.gpkg",
    )
    site.add_argument("--speed", type=float, default=None, help="network speed km/h (40)")
    site.add_argument("--access-speed", type=float, default=None, help="access speed km/h (25)")
    site.add_argument("--rail", action="store_true", help="road + rail mode")
    site.add_argument("--no-planned", action="store_true", help="leave out the planned links")
    site.add_argument("--no-travel", action="store_true", help="no travel times")
    site.set_defaults(handler=_site)


def _point(text: str) -> tuple[float, float] | None:
    parts = text.split(",")
    if len(parts) != 2:
        return None
    try:
        return float(parts[0]), float(parts[1])
    except ValueError:
        return None


def _label(props: dict[str, Any], index: int) -> str:
    for key in _NAME_KEYS:
        value = props.get(key)
        if value not in (None, ""):
            return str(value)
    return f"#{index + 1}"


def _parcels(text: str, crs: str | None) -> list[tuple[str, Any]]:
    from corridor_map.analysis.measure import DEFAULT_MAX_BYTES, MeasureInputError
    from corridor_map.analysis.site_point import typed_point
    from corridor_map.analysis.uploads import read_upload

    point = _point(text)
    path = Path(text)
    if point is not None and not path.exists():
        return [(text, typed_point(*point, crs, text))]
    try:
        with path.open("rb") as handle:
            data = handle.read(DEFAULT_MAX_BYTES + 1)
    except OSError as exc:
        raise MeasureInputError(f"{path}: 无法读取 / cannot read: {exc.strerror}") from exc
    imported = read_upload(data, path.name, crs)
    return [(_label(props, i), g) for i, (props, g) in enumerate(imported.shapes) if g is not None]


def _scenario(args: argparse.Namespace) -> Any:
    from dataclasses import replace

    from corridor_map.travel.compare import Scenario
    from corridor_map.travel.routing import SpeedAssumptions

    a = SpeedAssumptions(rail=bool(args.rail))
    if args.speed is not None:
        a = replace(a, network_kmh=args.speed)
    if args.access_speed is not None:
        a = replace(a, access_kmh=args.access_speed)
    return Scenario("A", a, not args.no_planned)


def _site(args: argparse.Namespace) -> int:
    from corridor_map.analysis.site import SiteError, check_sites
    from corridor_map.atlas.model import load_atlas
    from corridor_map.documents.corpus import load_corpus

    parcels = _parcels(args.parcel, args.crs)
    if not parcels:
        raise SiteError(f"{args.parcel}: 没有带几何的地块 / no parcel with a geometry")
    out = args.out
    if out is not None and out.suffix.lower() not in {".pdf", ".csv", ".gpkg"}:
        raise SiteError(f"{out}: 仅支持 .pdf、.csv 或 .gpkg / write .pdf, .csv or .gpkg")
    if out is not None and out.suffix.lower() == ".pdf" and len(parcels) > 1:
        raise SiteError(
            f"{out}: PDF 报告针对单个地块，本文件有 {len(parcels)} 个，请输出 .csv 或 .gpkg / "
            f"a PDF report is for one parcel and the file holds {len(parcels)}: write .csv or "
            ".gpkg"
        )
    atlas = load_atlas(strict=True)
    reports = check_sites(parcels, atlas, load_corpus(), _scenario(args), travel=not args.no_travel)
    if out is not None:
        from corridor_map.outputs.site_report import render_site_report, write_site_table

        if out.suffix.lower() == ".pdf":
            render_site_report(out, reports[0], atlas, args.lang)
        else:
            write_site_table(out, reports, atlas)
    if args.json:
        print(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=1))
        return 0
    for report in reports:
        _print(report, args.lang, brief=len(reports) > 1)
    if out is not None:
        print(f"→ {out}")
    return 0


def _print(report: Any, lang: str, brief: bool) -> None:
    from corridor_map.core.i18n import t

    en = lang == "en"
    districts = ", ".join(e if en else z for _, z, e in report.districts) or "—"
    print(
        f"{report.parcel}: {report.geometry_type}, {report.area_km2:.4f} km², "
        f"{t('site_districts', lang)} {districts}"
    )
    for r in report.relations:
        overlap = "" if r.overlap_km2 is None else f", overlap {r.overlap_km2:.4f} km²"
        share = "" if r.parcel_share is None else f" ({r.parcel_share:.1%})"
        distance = f", {r.distance_km:.2f} km" if r.verdict == "outside" else ""
        note = r.note_en if en else r.note_zh
        print(
            f"  {t('site_verdict_' + r.verdict, lang)}: {r.feature_id} "
            f"{r.name_en if en else r.name_zh} [{r.role}, {r.geometry_basis}"
            f"{'' if r.precision_m is None else f' ±{r.precision_m:g} m'}]{overlap}{share}"
            f"{distance}{' — ' + note if note else ''}"
        )
    for r in report.may_be_here:
        print(f"  {t('site_verdict_may_be_here', lang)}: {r.note_en if en else r.note_zh}")
    for trip in report.travel:
        minutes = f"{trip.minutes:.1f} min" if trip.minutes is not None else f"— {trip.reason}"
        print(f"  → {trip.feature_id} {trip.name_en if en else trip.name_zh}: {minutes}")
    for note in report.notes:
        print(f"  note: {note}")
    if brief:
        return
    print(f"{t('site_excerpts', lang)}:")
    for x in report.excerpts:
        print(f"  [{x.feature_id}] {x.quote}")
        print(f"      —— {x.citation}{' · ' + x.paragraph_id if x.paragraph_id else ''}")
    if report.indicators:
        print(f"{t('site_indicators', lang)}: {len(report.indicators)} (corridor-map indicators)")
    if report.scenario:
        print(f"{t('site_scenario', lang)}: {report.scenario['description']}")
