"""Subcommands of the travel domain: ``measure``, ``travel``, ``targets``, ``isochrone``."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from corridor_map.analysis.measure import (
    DEFAULT_MAX_BYTES,
    MeasureInputError,
    measure_feature,
    stated_vs_measured,
)
from corridor_map.atlas.model import Atlas, load_atlas
from corridor_map.cli.commands import COMMANDS
from corridor_map.core.verdicts import cli_word
from corridor_map.travel.assumptions import LIMITS, SpeedAssumptions
from corridor_map.travel.compare import (
    Scenario,
    compare_isochrones,
    compare_targets,
    scenario_isochrone,
)
from corridor_map.travel.data import planned_links
from corridor_map.travel.reach import reachable_from, target_reach
from corridor_map.travel.routing import route
from corridor_map.travel.targets import evaluate_targets, sensitivity


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this domain's subcommands to the corridor-map parser."""
    measure = subparsers.add_parser(
        "measure",
        help=COMMANDS["measure"].help,
        description=(
            "Geodesic (WGS84 ellipsoid) area, perimeter and length of one feature, beside "
            "the figures the documents state for it. 'measure --stated' lists every stated "
            "figure of every feature beside its measure."
        ),
    )
    measure.add_argument("feature_id", nargs="?", help="feature id (omit with --stated)")
    measure.add_argument("--stated", action="store_true", help="stated-vs-measured table")
    measure.add_argument(
        "--file",
        type=Path,
        default=None,
        help="measure a file instead: GeoJSON, zipped Shapefile, GeoPackage, KML/KMZ, CSV",
    )
    measure.add_argument(
        "--crs",
        default=None,
        metavar="CRS",
        help="coordinate system of --file when it has none or it is wrong: EPSG:4326, "
        "EPSG:4490, GCJ-02 (Gaode), BD-09 (Baidu), EPSG:4528 … (default: the file's own)",
    )
    measure.add_argument("--json", action="store_true", help="print JSON")
    measure.set_defaults(handler=_measure)

    travel = subparsers.add_parser(
        "travel",
        help=COMMANDS["travel"].help,
        description=(
            "Fastest trip on the reference road network between two features, with access "
            "legs, under stated speed assumptions (network 40 km/h, access 25 km/h × 1.3 "
            "detour, planned links at their assumed design speed)."
        ),
    )
    travel.add_argument("from_id")
    travel.add_argument("to_id")
    _assumption_arguments(travel)
    travel.add_argument(
        "--boundary",
        action="store_true",
        help="start/end at the features' nearest boundary points instead of their anchors",
    )
    travel.set_defaults(handler=_travel)

    targets = subparsers.add_parser(
        "targets",
        help=COMMANDS["targets"].help,
        description="Evaluate every record of layers/travel_targets.json.",
    )
    _assumption_arguments(targets)
    targets.add_argument(
        "--sensitivity",
        metavar="TARGET_ID",
        help="show one target's verdict for speeds 20–60 km/h (see --vary)",
    )
    targets.add_argument(
        "--vary",
        choices=("network_kmh", "access_kmh", "planned_kmh"),
        default="network_kmh",
        help="which speed --sensitivity varies (default network_kmh)",
    )
    targets.add_argument(
        "--speeds",
        type=float,
        nargs="+",
        default=None,
        metavar="KMH",
        help="speeds tried by --sensitivity (default 20 25 30 40 50 60)",
    )
    targets.add_argument(
        "--coverage",
        action="store_true",
        help="beside each worst case, the share of its places and of the corridor's area "
        "that meets the target",
    )
    targets.add_argument(
        "--coverage-csv",
        type=Path,
        default=None,
        metavar="FILE",
        help="with --coverage: also write the table as CSV (verdict + coverage columns)",
    )
    targets.add_argument(
        "--reach",
        metavar="TARGET_ID",
        help="list the places within the target's threshold of its worst-placed origin",
    )
    _compare_arguments(targets)
    targets.set_defaults(handler=_targets)

    iso = subparsers.add_parser(
        "isochrone",
        help=COMMANDS["isochrone"].help,
        description=(
            "Area reachable from a feature (or a WGS84 point LON,LAT) within N minutes, as "
            "GeoJSON with --json."
        ),
    )
    iso.add_argument("feature_id", help="feature id, or a WGS84 point as LON,LAT")
    iso.add_argument("minutes", type=float, help=f"time budget ({LIMITS['minutes'].describe()})")
    _assumption_arguments(iso)
    iso.add_argument(
        "--reach",
        action="store_true",
        help="list the places inside (curated features, stations, town seats) by role",
    )
    _compare_arguments(iso)
    iso.set_defaults(handler=_isochrone)


def _assumption_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--speed",
        type=float,
        default=None,
        metavar="KMH",
        help=f"network average speed (40; {LIMITS['network_kmh'].describe()})",
    )
    parser.add_argument(
        "--access-speed",
        type=float,
        default=None,
        metavar="KMH",
        help=f"access-leg speed (25; {LIMITS['access_kmh'].describe()})",
    )
    parser.add_argument(
        "--no-planned", action="store_true", help="leave out planned links (e.g. 太龙快速路)"
    )
    parser.add_argument(
        "--rail",
        action="store_true",
        help="road + rail mode: D/G stations on the reference railways and the S1 line",
    )
    parser.add_argument(
        "--rail-speed",
        type=float,
        default=None,
        metavar="KMH",
        help=f"rail average speed with --rail (150; {LIMITS['rail_kmh'].describe()})",
    )
    parser.add_argument(
        "--station-min",
        type=float,
        default=None,
        metavar="MIN",
        help=f"minutes at the stations per ride (10; {LIMITS['station_min'].describe()})",
    )
    parser.add_argument(
        "--planned-speed",
        type=float,
        default=None,
        metavar="KMH",
        help=f"design speed of every planned link ({LIMITS['planned_kmh'].describe()})",
    )


def _compare_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "scenario comparison",
        "--compare evaluates scenario A (the options above) beside scenario B: A with the "
        "--b-* options changed; with no --b-* option, B is A with the planned links "
        "switched (on ↔ off).",
    )
    group.add_argument("--compare", action="store_true", help="show scenarios A and B side by side")
    group.add_argument(
        "--b-speed", type=float, default=None, metavar="KMH", help="B: network speed"
    )
    group.add_argument(
        "--b-access-speed", type=float, default=None, metavar="KMH", help="B: access-leg speed"
    )
    group.add_argument(
        "--b-planned", choices=("on", "off"), default=None, help="B: planned links on or off"
    )
    group.add_argument(
        "--b-rail", choices=("on", "off"), default=None, help="B: road + rail mode on or off"
    )
    group.add_argument(
        "--b-planned-speed",
        type=float,
        default=None,
        metavar="KMH",
        help="B: design speed of every planned link",
    )


def _bilingual_names(atlas: Atlas) -> dict[str, str]:
    """Feature id → "中文名 / English name", as the command's lines name features."""
    from corridor_map.core.i18n import display_name

    names = {}
    for f in atlas:
        zh, en = display_name(f, "zh"), display_name(f, "en")
        names[f.id] = zh if zh == en else f"{zh} / {en}"
    return names


def _worst_ends(worst: dict[str, Any], labels: dict[str, str]) -> str:
    """A worst case's ends by name (ids are for --json and scripts)."""
    from corridor_map.views.travel import end_name

    return f"{end_name(worst['origin'], labels)} → {end_name(worst['destination'], labels)}"


def _atlas() -> Atlas:
    """The layers every travel and measure command works on (strict: any problem stops it)."""
    return load_atlas(strict=True)


def _assumptions(args: argparse.Namespace) -> SpeedAssumptions:
    a = SpeedAssumptions(rail=bool(args.rail))
    if args.rail_speed is not None:
        a = replace(a, rail_kmh=args.rail_speed)
    if args.station_min is not None:
        a = replace(a, station_min=args.station_min)
    return _varied(a, args.speed, args.access_speed, args.planned_speed)


def _varied(
    a: SpeedAssumptions, speed: float | None, access: float | None, planned: float | None
) -> SpeedAssumptions:
    if speed is not None:
        a = replace(a, network_kmh=speed)
    if access is not None:
        a = replace(a, access_kmh=access)
    if planned is not None:
        a = replace(a, planned_kmh={link.id: planned for link in planned_links(_atlas())})
    return a


def _scenarios(args: argparse.Namespace) -> tuple[Scenario, Scenario]:
    """Scenario A from the ordinary options, B from A and the --b-* options."""
    a = Scenario("A", _assumptions(args), not args.no_planned)
    b_options = (
        args.b_speed,
        args.b_access_speed,
        args.b_planned,
        args.b_planned_speed,
        args.b_rail,
    )
    if all(option is None for option in b_options):
        return a, Scenario("B", a.assumptions, not a.planned_links)
    planned = a.planned_links if args.b_planned is None else args.b_planned == "on"
    assumptions = _varied(a.assumptions, args.b_speed, args.b_access_speed, args.b_planned_speed)
    if args.b_rail is not None:
        assumptions = replace(assumptions, rail=args.b_rail == "on")
    return a, Scenario("B", assumptions, planned)


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _measure(args: argparse.Namespace) -> int:
    if args.file is not None:
        return _measure_file(args.file, args.json, args.crs)
    if args.stated:
        rows = stated_vs_measured(_atlas())
        if args.json:
            _print_json(rows)
            return 0
        for r in rows:
            diff = "" if r["difference_pct"] is None else f" ({r['difference_pct']:+.1f} %)"
            print(
                f"{r['feature_id']}: {r['quantity']} stated {r['stated_text']} | measured "
                f"{_fmt(r['measured_value'], 3)} {r['measured_unit'] or ''}{diff}"
                f"{' | ' + r['note_en'] if r['note_en'] else ''}"
            )
        return 0
    if not args.feature_id:
        print("corridor-map measure: give a FEATURE_ID or --stated")
        return 2
    m = measure_feature(args.feature_id, _atlas())
    if args.json:
        _print_json(m)
        return 0
    print(f"{m['id']} {m['name_zh']} / {m['name_en']} ({m['layer']})")
    if m["geometry_type"] is None:
        print("  未定位，无几何 / unlocated: no geometry to measure")
    else:
        print(
            f"  geometry: {m['geometry_type']}, basis {m['geometry_basis']}, ±{m['precision_m']} m"
        )
        print(f"  面积 area      {m['area_km2']:.3f} km²")
        print(f"  周长 perimeter {m['perimeter_km']:.3f} km")
        print(f"  长度 length    {m['length_km']:.3f} km")
    for s in m["stated"]:
        doc = (s.get("source") or {}).get("doc")
        print(f"  文件所述 stated: {s.get('quantity')} {s.get('text')} ({doc})")
    return 0


def _measure_file(path: Path, as_json: bool, crs: str | None = None) -> int:
    from corridor_map.analysis.upload_notes import UploadError, reference_points
    from corridor_map.analysis.uploads import measure_upload
    from corridor_map.atlas.model import load_atlas
    from corridor_map.core.errors import CorridorMapError
    from corridor_map.geo.geojson import read_data_bytes

    # Only a regular file of bounded size: a FIFO or a device is refused, never waited on.
    raw, reason = read_data_bytes(path, DEFAULT_MAX_BYTES)
    if raw is None:
        if reason is not None and reason.startswith("too large"):
            raise UploadError(
                path.name,
                f"文件过大：上限 {DEFAULT_MAX_BYTES:,} 字节",
                f"file {reason}",
            )
        raise MeasureInputError(f"{path}: 无法读取 / cannot read: {reason}")
    try:
        references = reference_points(load_atlas())
    except CorridorMapError:
        references = ()
    result = dict(measure_upload(raw, path.name, crs, references=references)["result"])
    result.pop("notes", None)  # the same texts are in "warnings"
    if as_json:
        _print_json(result)
        return 0
    print(f"{path.name}: {result['format']}, 坐标系 CRS {result['source_crs']}")
    for f in result["features"]:
        label = f["id"] or f["name"] or f"#{f['index']}"
        print(
            f"{label}: {f['geometry_type']}, area {f['area_km2']:.4f} km², perimeter "
            f"{f['perimeter_km']:.3f} km, length {f['length_km']:.3f} km"
        )
    t = result["totals"]
    print(
        f"合计 total ({t['count']} features): area {t['area_km2']:.4f} km², perimeter "
        f"{t['perimeter_km']:.3f} km, length {t['length_km']:.3f} km"
    )
    for warning in result["warnings"]:
        print(f"warning: {warning}")
    return 0


def _travel(args: argparse.Namespace) -> int:
    access = "boundary" if args.boundary else "anchor"
    r = route(
        _atlas(), args.from_id, args.to_id, _assumptions(args), not args.no_planned, access, access
    )
    if args.json:
        _print_json(r.to_dict())
        return 0
    if not r.reachable:
        print(f"{r.from_id} → {r.to_id}: 不可达 unreachable — {r.reason}")
        return 0
    print(f"{r.from_id} → {r.to_id}: {r.minutes:.1f} min, {r.km:.2f} km")
    for kind, leg in r.legs.items():
        print(f"  {kind:8s} {leg['km']:.2f} km  {leg['minutes']:.1f} min")
    if r.planned_links_used:
        print(f"  规划道路 planned links used: {', '.join(r.planned_links_used)}")
    for line in _assumptions(args).describe():
        print(f"  假设 assumption: {line}")
    print(f"  {r.attribution}")
    return 0


def _targets(args: argparse.Namespace) -> int:
    a = _assumptions(args)
    if args.compare:
        return _compare_targets(args)
    if args.reach:
        return _target_reach(args)
    if args.coverage:
        return _coverage(args)
    if args.sensitivity:
        rows = sensitivity(
            _atlas(),
            args.sensitivity,
            speeds=args.speeds or (20, 25, 30, 40, 50, 60),
            assumptions=a,
            planned_links=not args.no_planned,
            parameter=args.vary,
        )
        if args.json:
            _print_json(rows)
            return 0
        for r in rows:
            print(
                f"{r['parameter']} {r['kmh']:5.0f} km/h: worst {_fmt(r['worst_minutes'], 1)} min "
                f"≤ {r['threshold_min']:g}? {cli_word(r['status'])}"
            )
        return 0
    atlas = _atlas()
    results = evaluate_targets(atlas, a, planned_links=not args.no_planned)
    if args.json:
        _print_json([r.to_dict() for r in results])
        return 0
    labels = _bilingual_names(atlas)
    for result in results:
        print(f"{result.id}: {result.name_zh} / {result.name_en}")
        print(
            f"  {cli_word(result.status)}: worst {_fmt(result.worst_minutes, 1)} min vs "
            f"threshold {result.threshold_min:g} min ({result.method})"
        )
        if result.worst_case:
            print(f"  最不利 worst case: {_worst_ends(result.worst_case, labels)}")
        for note in result.notes:
            print(f"  note: {note}")
    print("假设 assumptions:")
    for line in a.describe():
        print(f"  {line}")
    print(f"planned links: {'on' if not args.no_planned else 'off'}")
    return 0


def _coverage(args: argparse.Namespace) -> int:
    from corridor_map.travel.coverage import target_coverage

    a = _assumptions(args)
    planned = not args.no_planned
    atlas = _atlas()
    results = evaluate_targets(atlas, a, planned_links=planned)
    readings = {c.id: c for c in target_coverage(atlas, a, planned)}
    if args.coverage_csv is not None:
        _coverage_csv(args.coverage_csv, results, readings, a)
    if args.json:
        _print_json(
            [
                {**r.to_dict(), "coverage": readings[r.id].to_dict() if r.id in readings else None}
                for r in results
            ]
        )
        return 0
    for result in results:
        print(f"{result.id}: {result.name_zh} / {result.name_en}")
        print(
            f"  {cli_word(result.status)}: worst {_fmt(result.worst_minutes, 1)} min vs "
            f"threshold {result.threshold_min:g} min ({result.method})"
        )
        c = readings.get(result.id)
        if c is None or not c.places:
            print("  coverage: —" + (f" ({'; '.join(c.notes)})" if c and c.notes else ""))
            continue
        share = c.place_share or 0.0
        print(
            f"  达标地点 places meeting it: {c.places_met}/{len(c.places)} {c.place_kind} "
            f"({share:.0%}; {c.reading_zh} / {c.reading_en})"
        )
        if c.area_share is not None and c.area_km2 is not None:
            print(
                f"  达标面积 area meeting it: {c.area_share:.0%} of {c.area_km2:.0f} km² "
                f"(grid {c.grid_m:g} m, {len(c.cells)} points, each read as one more place)"
            )
        missed = [p.id for p in c.places if not p.meets]
        if missed:
            more = f" … (+{len(missed) - 8})" if len(missed) > 8 else ""
            print(f"  not meeting: {', '.join(missed[:8])}{more}")
    print(f"planned links: {'on' if planned else 'off'}")
    return 0


def _coverage_csv(
    path: Path, results: list[Any], readings: dict[str, Any], a: SpeedAssumptions
) -> None:
    import csv

    from corridor_map.outputs.common import atomic_path, attribution, disclaimer
    from corridor_map.travel.coverage import coverage_row

    rows = [
        {
            "id": r.id,
            "name_zh": r.name_zh,
            "name_en": r.name_en,
            "corridor": r.corridor or "",
            "threshold_min": r.threshold_min,
            "status": r.status,
            "worst_minutes": None if r.worst_minutes is None else round(r.worst_minutes, 2),
            **coverage_row(readings.get(r.id)),
            "assumptions": " | ".join(a.describe()),
            "attribution": attribution(roads=True),
            "note": disclaimer(),
        }
        for r in results
    ]
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    print(f"→ {path}")


def _compare_targets(args: argparse.Namespace) -> int:
    a, b = _scenarios(args)
    atlas = _atlas()
    rows = compare_targets(atlas, a, b)
    if args.json:
        _print_json(
            {"scenarios": [a.to_dict(), b.to_dict()], "targets": [r.to_dict() for r in rows]}
        )
        return 0
    labels = _bilingual_names(atlas)
    print(a.describe())
    print(b.describe())
    for r in rows:
        change = "—" if r.change_min is None else f"{r.change_min:+.1f}"
        flag = "  ← 结论不同 verdict differs" if r.verdict_changed else ""
        print(f"{r.id}: {r.name_zh} / {r.name_en} (≤ {r.threshold_min:g} min)")
        print(
            f"  A {cli_word(r.a.status)} {_fmt(r.a.worst_minutes, 1)} min | "
            f"B {cli_word(r.b.status)} {_fmt(r.b.worst_minutes, 1)} min | "
            f"B − A {change} min{flag}"
        )
        for label, result in (("A", r.a), ("B", r.b)):
            if result.worst_case:
                print(f"  {label} worst case: {_worst_ends(result.worst_case, labels)}")
    return 0


def _compare_isochrones(args: argparse.Namespace) -> int:
    a, b = _scenarios(args)
    result = compare_isochrones(_atlas(), _origin(args.feature_id), args.minutes, a, b)
    if args.json:
        _print_json(result)
        return 0
    print(a.describe())
    print(b.describe())
    for label, iso in (("A", result["a"]), ("B", result["b"])):
        area = iso["properties"].get("area_km2")
        print(f"  {label}: {_fmt(area, 1)} km²")
    for part in result["parts"]["features"]:
        props = part["properties"]
        print(f"  {props['part']}: {props['area_km2']:.1f} km²")
    return 0


def _target_reach(args: argparse.Namespace) -> int:
    scenario = Scenario("A", _assumptions(args), not args.no_planned)
    atlas = _atlas()
    [result] = evaluate_targets(atlas, scenario.assumptions, scenario.planned_links, [args.reach])
    found = target_reach(atlas, result, scenario)
    if found is None:
        print(
            f"{result.id}: {cli_word(result.status)} — 没有最不利起点 / no worst case to start from"
        )
        return 0
    reach = found["reach"]
    if args.json:
        _print_json(
            {
                "target": result.id,
                "origin": found["origin"],
                "minutes": found["minutes"],
                "isochrone": found["isochrone"],
                "reach": reach.to_dict(),
            }
        )
        return 0
    print(
        f"{result.id}: {found['minutes']:g} min from {found['origin']} → "
        f"{len(reach.places)} places reached"
    )
    for role, group in reach.by_role().items():
        print(f"  {role} {len(group)}: {', '.join(f'{p.name_zh} ({p.id})' for p in group)}")
    return 0


def _origin(text: str) -> str | tuple[float, float]:
    """A feature id, or ``LON,LAT`` as a WGS84 point (checked by the travel module)."""
    parts = text.split(",")
    if len(parts) == 2:
        try:
            return (float(parts[0]), float(parts[1]))
        except ValueError:
            pass
    return text


def _reach(args: argparse.Namespace) -> int:
    scenario = Scenario("A", _assumptions(args), not args.no_planned)
    found = reachable_from(_atlas(), _origin(args.feature_id), args.minutes, scenario)
    reach = found["reach"]
    if args.json:
        _print_json({"isochrone": found["isochrone"], "reach": reach.to_dict()})
        return 0
    area = found["isochrone"]["properties"].get("area_km2")
    print(
        f"{args.feature_id}: {args.minutes:g} min → {_fmt(area, 1)} km², "
        f"{len(reach.places)} places reached"
    )
    for role, group in reach.by_role().items():
        names = ", ".join(f"{p.name_zh} ({p.id})" for p in group)
        print(f"  {role} {len(group)}: {names}")
    return 0


def _isochrone(args: argparse.Namespace) -> int:
    if args.compare:
        return _compare_isochrones(args)
    if args.reach:
        return _reach(args)
    scenario = Scenario("A", _assumptions(args), not args.no_planned)
    result = scenario_isochrone(_atlas(), _origin(args.feature_id), args.minutes, scenario)
    if args.json:
        _print_json(result)
        return 0
    props = result["properties"]
    if result["geometry"] is None:
        print(f"{args.feature_id}: {props.get('reason')}")
        return 0
    print(
        f"{args.feature_id}: {args.minutes:g} min → {props['area_km2']:.1f} km² reachable "
        f"({result['geometry']['type']}, {props['reached_nodes']} network nodes)"
    )
    print(f"  {props['method']}")
    return 0
