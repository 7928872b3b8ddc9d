"""Subcommands of the atlas domain: ``validate`` and ``features``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from corridor_map.atlas.model import Feature, load_atlas
from corridor_map.atlas.validation import explain, validate
from corridor_map.cli.commands import COMMANDS
from corridor_map.core.vocab import LAYER_CORRIDORS as CORRIDORS
from corridor_map.core.vocab import REFERENCE_ROLES as _REFERENCE_ROLES
from corridor_map.core.vocab import ROLES

# Roles only reference layers use: asking for them means asking for reference features.


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this domain's subcommands to the corridor-map parser."""
    check = subparsers.add_parser(
        "validate",
        help=COMMANDS["validate"].help,
        description=(
            "Check layers/*.geojson: schema, unique ids, parents, geometry validity and "
            "winding, region, lat/lon swaps, GCJ-02 mix-ups, district containment, stated "
            "areas (±10 %%) and that every quoted excerpt appears in its document. Prints "
            "'file: feature_id: field: reason' per problem; exit status 1 when any. Every "
            "other command loads the layers through the same checks and stops (exit 2) "
            "with this list when any fails."
        ),
    )
    check.add_argument("--layers", type=Path, default=None, help="layers folder (default: shipped)")
    check.add_argument("--json", action="store_true", help="print problems as JSON")
    check.add_argument(
        "--explain",
        action="store_true",
        help="also say what could not be checked (e.g. files without a GCJ-02 anchor)",
    )
    check.set_defaults(handler=_validate)

    listing = subparsers.add_parser(
        "features",
        help=COMMANDS["features"].help,
        description=(
            "List features with id, names, corridor, role, parent, district codes, anchor "
            "point (representative point for polygons), geodesic area/length, stated figures, "
            "geometry basis and precision. Reference layers (districts, roads, stations) are "
            "listed only with --corridor reference or a reference role (district, station, "
            "runway, taxiway)."
        ),
    )
    listing.add_argument(
        "--layers", type=Path, default=None, help="layers folder (default: shipped)"
    )
    listing.add_argument("--json", action="store_true", help="print JSON records")
    listing.add_argument("--corridor", choices=CORRIDORS, default=None)
    listing.add_argument("--role", choices=ROLES, default=None)
    listing.set_defaults(handler=_features)


def _validate(args: argparse.Namespace) -> int:
    problems = validate(args.layers)
    notes = explain(args.layers) if args.explain else []
    if args.json:
        records: Any = [p.as_dict() for p in problems]
        if args.explain:
            records = {"problems": records, "notes": notes}
        print(json.dumps(records, ensure_ascii=False, indent=1))
    else:
        for problem in problems:
            print(problem)
        for note in notes:
            print(f"note: {note}")
    if problems:
        if not args.json:
            print(f"{len(problems)} problem(s) / 发现 {len(problems)} 个问题")
        return 1
    if not args.json:
        atlas = load_atlas(args.layers)
        print(f"{len(atlas)} features in {len(atlas.collections)} files: OK")
    return 0


def _record(feature: Feature) -> dict[str, Any]:
    anchor = feature.anchor
    kind = feature.geometry.geom_type if feature.geometry is not None else None
    record: dict[str, Any] = {
        "id": feature.id,
        "name_zh": feature.name_zh,
        "name_en": feature.name_en,
        "corridor": feature.corridor,
        "role": feature.role,
        "parent": feature.parent,
        "district": list(feature.district_codes),
        "geometry_type": kind,
        "lon": None if anchor is None else round(anchor[0], 6),
        "lat": None if anchor is None else round(anchor[1], 6),
        "area_km2": round(feature.area_km2, 3) if kind in {"Polygon", "MultiPolygon"} else None,
        "length_km": (
            round(feature.length_km, 3) if kind in {"LineString", "MultiLineString"} else None
        ),
        "stated": [
            {k: s.get(k) for k in ("quantity", "value", "unit", "text")}
            for s in feature.stated
            if isinstance(s, dict)
        ],
        "geometry_basis": feature.geometry_basis,
        "precision_m": feature.precision_m,
        "file": feature.file,
    }
    official = feature.properties.get("geometry_official")
    if official is not None:
        # who supplied an official geometry (only such features carry the key)
        record["geometry_official"] = official
    return record


def _features(args: argparse.Namespace) -> int:
    atlas = load_atlas(args.layers)
    chosen = atlas.select(
        corridor=args.corridor,
        role=args.role,
        include_reference=args.corridor == "reference" or args.role in _REFERENCE_ROLES,
    )
    records = [_record(f) for f in chosen]
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=1))
        return 0
    for r in records:
        where = "unlocated" if r["lon"] is None else f"{r['lon']:.5f},{r['lat']:.5f}"
        size = ""
        if r["area_km2"] is not None:
            size = f" {r['area_km2']:.2f} km²"
        elif r["length_km"] is not None:
            size = f" {r['length_km']:.2f} km"
        stated = "; ".join(s["text"] or "" for s in r["stated"])
        precision = "-" if r["precision_m"] is None else f"±{r['precision_m']:.0f} m"
        print(
            f"{r['id']}\t{r['name_zh']} / {r['name_en']}\t{r['corridor']}/{r['role']}"
            f"\tparent={r['parent'] or '-'}\t{','.join(r['district']) or '-'}\t{where}{size}"
            f"\tstated: {stated or '-'}\t{r['geometry_basis']} {precision}"
        )
    print(f"{len(records)} feature(s)")
    return 0
