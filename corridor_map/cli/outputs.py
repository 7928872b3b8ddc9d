"""Subcommands that write files for planners: ``export``, ``print`` and ``brief``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from corridor_map.cli.commands import COMMANDS

if TYPE_CHECKING:
    from corridor_map.atlas.model import Atlas


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this domain's subcommands to the corridor-map parser."""
    _register_export(subparsers)
    register_print(subparsers)


def _register_export(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export",
        help=COMMANDS["export"].help,
        description=(
            "Write files for QGIS/ArcGIS: GeoJSON, GeoPackage (one layer per geometry type and "
            "a table of unlocated places), KML (styled), CSV or a zipped Shapefile (.zip); the "
            "format from --out's ending unless --format is given; WGS84 unless --crs says "
            "otherwise. Every file carries the attribution and the schematic disclaimer."
        ),
    )
    kinds = parser.add_subparsers(dest="what", required=True, metavar="WHAT")
    features = kinds.add_parser("features", help="curated features")
    features.add_argument(
        "--scope",
        default="all",
        help="'all' (default), a corridor id, or a feature id (with its children)",
    )
    _output(features)
    features.set_defaults(handler=_features)

    targets = kinds.add_parser("targets", help="travel targets with verdicts (CSV)")
    targets.add_argument("--out", type=Path, required=True, help="output .csv file")
    targets.add_argument("--speed", type=float, default=None, metavar="KMH")
    targets.add_argument("--no-planned", action="store_true")
    targets.set_defaults(handler=_targets)

    trip = kinds.add_parser("route", help="fastest trip between two features")
    trip.add_argument("from_id")
    trip.add_argument("to_id")
    trip.add_argument("--no-planned", action="store_true")
    trip.add_argument(
        "--access",
        choices=("anchor", "boundary"),
        default=None,
        help="where the trip starts and ends (default: a travel target's choice for its pair, "
        "else the anchors)",
    )
    _output(trip)
    trip.set_defaults(handler=_route)

    iso = kinds.add_parser("isochrone", help="area reachable within N minutes")
    iso.add_argument("feature_id")
    iso.add_argument("minutes", type=float)
    iso.add_argument("--no-planned", action="store_true")
    _output(iso)
    iso.set_defaults(handler=_isochrone)


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="output file")
    parser.add_argument("--format", choices=sorted(FORMATS), default=None)
    _crs(parser)


def _crs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--crs",
        default=None,
        metavar="CRS",
        help="EPSG:4326 (WGS84, default), EPSG:4490 (CGCS2000), a CGCS2000 3-degree "
        "Gauss-Krüger zone EPSG:4513-4554, or 'auto' (the zone of the data's central longitude)",
    )


#: Formats ``--format`` offers (as corridor_map.outputs.writers.FORMATS, kept here so that
#: ``corridor-map --help`` imports no GIS library).
FORMATS = ("csv", "geojson", "gpkg", "kml", "shp")


def _done(path: Path) -> int:
    print(f"已写入 / wrote {path}")
    return 0


def _features(args: argparse.Namespace) -> int:
    from corridor_map.outputs import export

    return _done(export.write_features(args.out, args.scope, args.format, _atlas(), crs=args.crs))


def _atlas() -> Atlas:
    """The layers every output is made from (strict: any problem stops the command)."""
    from corridor_map.atlas.model import load_atlas

    return load_atlas(strict=True)


def _targets(args: argparse.Namespace) -> int:
    from corridor_map.outputs import export
    from corridor_map.travel.assumptions import SpeedAssumptions

    a = SpeedAssumptions() if args.speed is None else SpeedAssumptions(network_kmh=args.speed)
    return _done(
        export.write_targets(args.out, a, planned_links=not args.no_planned, atlas=_atlas())
    )


def _route(args: argparse.Namespace) -> int:
    from corridor_map.outputs import export
    from corridor_map.outputs.common import ExportError
    from corridor_map.outputs.rows import trip_access, trip_properties
    from corridor_map.travel.routing import route

    atlas = _atlas()
    origin, destination, target = trip_access(atlas, args.from_id, args.to_id)
    if args.access is not None:
        origin = destination = args.access
    r = route(
        atlas,
        args.from_id,
        args.to_id,
        planned_links=not args.no_planned,
        origin_access=origin,
        destination_access=destination,
    )
    if not r.reachable or r.path is None:
        raise ExportError(f"{r.from_id} → {r.to_id}: 不可达 / unreachable: {r.reason}")
    props = trip_properties(r, target if args.access is None else None)
    return _done(export.write_geometry(args.out, r.path, "route", props, args.format, args.crs))


def _isochrone(args: argparse.Namespace) -> int:
    from corridor_map.outputs import export
    from corridor_map.outputs.common import ExportError
    from corridor_map.travel.isochrone import isochrone

    result = isochrone(_atlas(), args.feature_id, args.minutes, planned_links=not args.no_planned)
    if result.get("geometry") is None:
        reason = (result.get("properties") or {}).get("reason")
        raise ExportError(f"{args.feature_id}: 无等时圈 / no isochrone: {reason}")
    return _done(export.write_geometry(args.out, result, "isochrone", None, args.format, args.crs))


def register_print(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``print`` and ``brief``."""
    paper = ("A3", "A4")  # corridor_map.outputs.printmap.PAPER, without importing matplotlib
    printer = subparsers.add_parser(
        "print",
        help=COMMANDS["print"].help,
        description=(
            "Render the corridors offline with title, legend, geodesic scale bar, north "
            "arrow, attribution, schematic note and date."
        ),
    )
    printer.add_argument("--out", type=Path, required=True, help="output .pdf or .png")
    printer.add_argument("--scope", default="all", help="'all', a corridor id or a feature id")
    printer.add_argument("--paper", choices=paper, default="A4")
    printer.add_argument("--lang", choices=("zh", "en"), default="zh")
    _crs(printer)
    printer.set_defaults(handler=_print)

    brief = subparsers.add_parser(
        "brief",
        help=COMMANDS["brief"].help,
        description=(
            "A zone brief (inset map, role, hierarchy, stated vs measured, every excerpt "
            "verbatim with its citation) or a travel-target brief (verdict, method, worst "
            "case with its route, assumptions, sensitivity)."
        ),
    )
    brief.add_argument("item_id", metavar="FEATURE_OR_TARGET_ID")
    brief.add_argument("--out", type=Path, required=True, help="output .pdf")
    brief.add_argument("--lang", choices=("zh", "en"), default="zh")
    brief.set_defaults(handler=_brief)


def _print(args: argparse.Namespace) -> int:
    from corridor_map.outputs.printmap import render_map

    return _done(
        render_map(args.out, args.scope, args.paper, args.lang, atlas=_atlas(), crs=args.crs)
    )


def _brief(args: argparse.Namespace) -> int:
    from corridor_map.outputs.brief import render_brief

    return _done(render_brief(args.out, args.item_id, args.lang, _atlas()))
