"""Plumbing shared by the curation scripts in this folder.

Each script keeps its own data (coordinates, excerpts, comments) and its own policy
(how much slack a schematic shape gets past its district, which features carry a
measured figure). What is the same for all three lives here: loading the district
boundaries, checking features before anything is written, geodesic measures, and the
``main(--check)`` entry point that writes a layer atomically or compares it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from corridor_map.core import schemas  # noqa: E402
from corridor_map.core.errors import CorridorMapError  # noqa: E402
from corridor_map.geo.geodesy import geodesic_area_km2, geodesic_length_km  # noqa: E402
from corridor_map.geo.geojson import write_atomically  # noqa: E402

DISTRICTS_FILE = REPO / "layers" / "ref_districts.geojson"
# A stated area and the geodesic area of the drawn shape may differ by this share, as in
# corridor_map.atlas.model.validate.
AREA_TOLERANCE = 0.10


class CurationError(CorridorMapError):
    """The curated data in a script is inconsistent; nothing is written."""


def load_districts(path: Path = DISTRICTS_FILE) -> dict[str, BaseGeometry]:
    """County-level land boundaries by division code.

    Parameters
    ----------
    path
        A reference layer whose features carry ``properties["code"]``.

    Returns
    -------
    dict
        Code → WGS84 geometry.

    Raises
    ------
    CurationError
        When the file cannot be read or parsed.
    """
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CurationError(f"{path.name}: cannot read ({exc})") from exc
    return {
        str(f["properties"]["code"]): shape(f["geometry"])
        for f in collection.get("features", [])
        if (f.get("properties") or {}).get("code") and f.get("geometry")
    }


def land(
    districts: Mapping[str, BaseGeometry], entries: Sequence[Mapping[str, str]]
) -> BaseGeometry:
    """Union of the listed districts.

    Parameters
    ----------
    districts
        From :func:`load_districts`.
    entries
        ``{"name", "code"}`` items, as in a feature's ``district`` property.

    Returns
    -------
    BaseGeometry
        Their land, unbuffered.

    Raises
    ------
    CurationError
        Naming the codes that are not in the reference layer (or that none is given).
    """
    codes = [entry["code"] for entry in entries]
    missing = [code for code in codes if code not in districts]
    if not codes or missing:
        raise CurationError(f"districts {missing or codes} not in {DISTRICTS_FILE.name}")
    return shapely.union_all([districts[code] for code in codes])


def as_features(entries: Sequence[Mapping[str, Any]], corridor: str) -> list[dict[str, Any]]:
    """Feature dicts from a script's entries (properties plus a shapely ``geometry``)."""
    return [
        {
            "type": "Feature",
            "properties": {
                **{k: v for k, v in entry.items() if k != "geometry"},
                "corridor": corridor,
            },
            "geometry": entry["geometry"],
        }
        for entry in entries
    ]


def inside_share(geometry: BaseGeometry, area: BaseGeometry) -> float:
    """Share of a geometry inside ``area``: geodesic area for polygons, length for lines."""
    if geometry.geom_type in {"Point", "MultiPoint"}:
        return 1.0 if area.covers(geometry) else 0.0
    inside = geometry.intersection(area)
    if geometry.geom_type in {"Polygon", "MultiPolygon"}:
        return geodesic_area_km2(inside) / geodesic_area_km2(geometry)
    return inside.length / geometry.length


def add_measured(feature: dict[str, Any], decimals: int, lines: bool = False) -> None:
    """Set ``properties["measured"]`` from the shapely geometry, where it has a measure.

    Parameters
    ----------
    feature
        Feature dict with a shapely (not yet GeoJSON) ``geometry``.
    decimals
        Rounding of the figure.
    lines
        Also measure a LineString (``length_km``); polygons get ``area_km2``. Geodesic.
    """
    geometry = feature["geometry"]
    if geometry is None:
        return
    if geometry.geom_type in {"Polygon", "MultiPolygon"}:
        figure = {"area_km2": round(geodesic_area_km2(geometry), decimals)}
    elif lines and geometry.geom_type == "LineString":
        figure = {"length_km": round(geodesic_length_km(geometry), decimals)}
    else:
        return
    feature["properties"]["measured"] = figure


def _check_sources(props: Mapping[str, Any]) -> None:
    from corridor_map.documents.corpus import resolve  # imported late: loading the corpus is slow

    fid = props["id"]
    if not props["sources"]:
        raise CurationError(f"{fid}: needs at least one excerpt")
    excerpts = list(props["sources"]) + [s["source"] for s in props["stated"]]
    if props["status"] is not None:
        excerpts.append(props["status"]["source"])
    within = props.get("within")
    if within is not None and "source" in within:
        excerpts.append(within["source"])
    for source in excerpts:
        try:
            resolve(source["doc"], source["quote"], source.get("paragraph"))
        except CorridorMapError as exc:
            raise CurationError(f"{fid}: {exc}") from exc
    for figure in props["stated"]:
        if figure["text"] not in figure["source"]["quote"]:
            raise CurationError(f"{fid}: stated text {figure['text']!r} not in its quote")


def _check_geometry(
    props: Mapping[str, Any],
    geometry: BaseGeometry | None,
    districts: Mapping[str, BaseGeometry],
    buffer_deg: float,
    min_inside_share: float,
) -> None:
    fid = props["id"]
    if (geometry is None) != (props["geometry_basis"] == "unlocated"):
        raise CurationError(f"{fid}: geometry must be null exactly when unlocated")
    if (geometry is None) != (props["precision_m"] is None):
        raise CurationError(f"{fid}: precision_m must be null exactly when unlocated")
    if geometry is None:
        return
    if not geometry.is_valid or geometry.is_empty:
        raise CurationError(f"{fid}: invalid geometry ({shapely.is_valid_reason(geometry)})")
    for figure in props["stated"]:
        if figure["quantity"] == "area" and figure["unit"] == "km²":
            area = geodesic_area_km2(shapely.union_all(geometry))
            if abs(area / figure["value"] - 1) > AREA_TOLERANCE:
                raise CurationError(
                    f"{fid}: measures {area:.2f} km², stated {figure['text']} (±10 %)"
                )
    if props["role"] == "enclave":
        return  # outside the mapped region; each script's tests check the host city
    codes = [d["code"] for d in props["district"]]
    try:
        listed = land(districts, props["district"])
    except CurationError as exc:
        raise CurationError(f"{fid}: {exc}") from exc
    share = inside_share(geometry, listed.buffer(buffer_deg) if buffer_deg else listed)
    if share < min_inside_share:
        raise CurationError(f"{fid}: only {share:.1%} inside districts {codes}")
    for code in codes:
        if not geometry.intersects(districts[code].buffer(buffer_deg)):
            raise CurationError(f"{fid}: listed district {code} does not touch it")


def check_features(
    features: Sequence[Mapping[str, Any]],
    buffer_deg: float,
    min_inside_share: float,
) -> None:
    """Check every feature of a layer before it is written.

    Ids are unique and parents exist; every excerpt resolves in the normalized corpus
    and every stated figure's text is inside its quote; a geometry is null exactly when
    unlocated, valid, matches a stated area within 10 % and, unless an enclave, lies in
    the districts it lists (each of which it touches).

    Parameters
    ----------
    features
        Feature dicts: ``properties`` and a shapely (not yet GeoJSON) ``geometry``.
    buffer_deg
        Slack, in degrees, by which a shape may pass the land-only district boundary.
    min_inside_share
        Least share of a shape (geodesic area, or length) inside its districts.

    Raises
    ------
    CurationError
        Naming the feature and what is wrong with it.
    """
    ids = [f["properties"]["id"] for f in features]
    if len(set(ids)) != len(ids):
        raise CurationError("duplicate feature ids")
    districts = load_districts()
    for feature in features:
        props = feature["properties"]
        if props["parent"] is not None and props["parent"] not in ids:
            raise CurationError(f"{props['id']}: parent {props['parent']} does not exist")
        _check_sources(props)
        _check_geometry(props, feature["geometry"], districts, buffer_deg, min_inside_share)


def _shown(path: Path) -> Path:
    return path.relative_to(REPO) if path.is_relative_to(REPO) else path


def main(
    argv: list[str] | None,
    script: str,
    description: str,
    output: Path,
    build: Callable[[], str],
) -> int:
    """Write a layer, or with ``--check`` compare it; 2 on bad data, 1 when stale.

    Parameters
    ----------
    argv
        Command-line arguments (None: ``sys.argv``).
    script
        The calling script's ``__file__``: its name prefixes messages.
    description
        The script's docstring; its first line describes the command.
    output
        The layer file.
    build
        Checks the data and returns the layer's text; raises CorridorMapError.

    Returns
    -------
    int
        Exit status.
    """
    name = Path(script).stem
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file would change")
    args = parser.parse_args(argv)
    try:
        text = build()
        schemas.require("layer", json.loads(text), output.name)  # what the loader checks
    except CorridorMapError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    if args.check:
        try:
            current = output.read_text(encoding="utf-8") if output.exists() else ""
        except (OSError, UnicodeDecodeError) as exc:  # one line, not a traceback
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            print(f"{name}: {_shown(output)}: 无法读取 / cannot read: {reason}", file=sys.stderr)
            return 2
        if current != text:
            print(f"{_shown(output)} is out of date: run {_shown(Path(script))}", file=sys.stderr)
            return 1
        print(f"{_shown(output)} is up to date")
        return 0
    try:
        write_atomically(output, text)
    except CorridorMapError as exc:  # an OS failure (disk full, permission): one line
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {_shown(output)} ({len(json.loads(text)['features'])} features)")
    return 0
