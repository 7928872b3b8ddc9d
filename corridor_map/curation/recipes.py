"""Derived shapes declared in a curated tree (``<layer>/recipes.yaml``) and their checks.

A recipe names the shape it makes (``id``: a feature of the layer, or a helper shape
other recipes use, marked ``helper: true``) and how it is made. Recipes are evaluated
in order, each on the unrounded shapes before it (rounding and winding happen once, when
the feature is written), so a shape built from recipes is the same, bit for bit, as the
computation it declares. Kinds:

``buffer``
    ``of`` (a shape) grown by ``metres`` on an azimuthal equidistant projection.
``ellipse``
    Centred on ``lon``/``lat`` or ``at`` (a point of the tree, or ``{layer, id}`` of a
    reference layer). ``method: aeqd`` (default; ``a_m``, ``b_m``, ``rotation_deg``):
    a 128-segment circle scaled in metres; ``method: degrees_per_km`` (``a_km``/``b_km``
    east-west/north-south, 24 vertices): degrees per km at the centre's latitude, or sized
    to ``area_km2`` (geodesic) from ``proportions: [a, b]`` with one geodesic correction;
    ``method: geodesic`` (``a_km`` along, ``b_km`` across the long axis at
    ``azimuth_deg``, 96 vertices): each vertex a WGS84 forward point from the centre.
``clip``
    County land (``districts``: division codes of ``ref_districts``, their union) cut by
    ``polygon`` (``[[lon, lat], …]``) or intersected with the shape ``of``.
``difference``
    ``of`` minus ``minus``, cut to the land of ``districts`` (an annulus: ellipse minus
    ellipse, on land).
``union``
    The shapes ``of``: with ``dissolve: true`` merged (``union_all``); otherwise parts
    that must not overlap, kept as the parts of one MultiPolygon.
``centroid``
    The centroid of ``of``, rounded to ``decimals``.
``point``
    The point ``at`` (a reference feature's position).

Clip, difference and dissolved union results are cleaned as the layers always were:
set to a 1e-6° grid, polygons only, slivers under 0.05 km² dropped, RFC 7946 winding.

Checks any recipe may carry, each refused with ``file: id: field: reason``:
``area_km2`` (the shape's geodesic area within ±10 %, :data:`~corridor_map.core.vocab.
AREA_TOLERANCE`; for an ellipse sized by it, the size), ``keeps`` and ``excludes``
(points, as ``[lon, lat]`` or ``{layer, id}``, the shape must cover / must not cover).
Free-text fields (``note``, ``centre_note``, ``area_source``) carry the provenance.

A layer's ``checks.yaml`` holds its own policy, checked on every build (:func:`check_layer`):
``containment`` (``buffer_deg``: slack past the land-only district boundary;
``min_inside_share``: least share of a polygon's geodesic area or a line's length inside the
union of its listed districts, points wholly inside; each listed district touched; enclaves
exempt) and ``status_as_of: document_date`` (a status is as of the date of the document
that gives it). The atlas validator's own checks (200 m, 95 %) are looser; a layer drawn
inside its land boundaries says so here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from corridor_map.core.vocab import AREA_TOLERANCE
from corridor_map.curation.store import CurationError
from corridor_map.geo.geodesy import geodesic_area_km2

__all__ = ["RECIPE_KINDS", "check_layer", "evaluate_recipes", "recipe_shape"]

RECIPE_KINDS = ("buffer", "ellipse", "clip", "difference", "union", "centroid", "point")
_WGS84 = Geod(ellps="WGS84")
#: a clipped part smaller than this is a sliver of the district edge, not a shape
_SLIVER_KM2 = 0.05


class _References:
    """Reference layers read once per evaluation: positions by id, land by code."""

    def __init__(self, layers_dir: Path) -> None:
        self.layers_dir = layers_dir
        self._layers: dict[str, dict[str, Any]] = {}
        self._districts: dict[str, BaseGeometry] | None = None

    def _layer(self, name: str, where: str) -> dict[str, Any]:
        if name not in self._layers:
            path = self.layers_dir / f"{name}.geojson"
            try:
                self._layers[name] = json.loads(path.read_text("utf-8"))
            except (OSError, ValueError) as exc:
                raise CurationError(f"{where}: {path.name}: cannot read ({exc})") from None
        return self._layers[name]

    def point(self, ref: Mapping[str, Any], where: str) -> Point:
        layer, fid = ref.get("layer"), ref.get("id")
        found = [
            f
            for f in self._layer(str(layer), where).get("features", [])
            if (f.get("properties") or {}).get("id") == fid
        ]
        if len(found) != 1 or (found[0].get("geometry") or {}).get("type") != "Point":
            raise CurationError(f"{where}: no point {fid!r} in {layer}.geojson")
        lon, lat = found[0]["geometry"]["coordinates"][:2]
        return Point(float(lon), float(lat))

    def land(self, codes: Any, where: str) -> BaseGeometry:
        if self._districts is None:
            collection = self._layer("ref_districts", where)
            self._districts = {
                str(f["properties"]["code"]): shapely.geometry.shape(f["geometry"])
                for f in collection.get("features", [])
                if (f.get("properties") or {}).get("code") and f.get("geometry")
            }
        if not isinstance(codes, list) or not codes:
            raise CurationError(f"{where}: districts: a list of division codes is needed")
        missing = [str(c) for c in codes if str(c) not in self._districts]
        if missing:
            raise CurationError(f"{where}: districts: {missing} not in ref_districts.geojson")
        return shapely.union_all([self._districts[str(c)] for c in codes])


def _number(recipe: Mapping[str, Any], field: str, where: str) -> float:
    value = recipe.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CurationError(f"{where}: {field}: a number is needed, not {value!r}")
    return float(value)


def _positive(recipe: Mapping[str, Any], field: str, where: str) -> float:
    value = _number(recipe, field, where)
    if value <= 0:
        raise CurationError(f"{where}: {field}: must be positive, not {value:g}")
    return value


def _shape(
    shapes: Mapping[str, BaseGeometry], recipe: Mapping[str, Any], field: str, where: str
) -> BaseGeometry:
    name = recipe.get(field)
    if not isinstance(name, str) or name not in shapes:
        raise CurationError(f"{where}: {field}: {name!r} has no geometry in the tree")
    return shapes[name]


def _position(
    recipe: Mapping[str, Any],
    shapes: Mapping[str, BaseGeometry],
    refs: _References,
    where: str,
) -> Point:
    at = recipe.get("at")
    if at is None:
        return Point(_number(recipe, "lon", where), _number(recipe, "lat", where))
    if isinstance(at, Mapping):
        return refs.point(at, f"{where}: at")
    found = _shape(shapes, recipe, "at", where)
    if found.geom_type != "Point":
        raise CurationError(f"{where}: at: {at!r} is a {found.geom_type}, not a point")
    return Point(found.x, found.y)


def _local(geometry: BaseGeometry) -> tuple[Transformer, Transformer]:
    """Azimuthal equidistant projection centred on the shape: metres true near it."""
    centre = geometry.centroid
    local = CRS.from_proj4(
        f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m +no_defs"
    )
    to = Transformer.from_crs("EPSG:4326", local, always_xy=True)
    back = Transformer.from_crs(local, "EPSG:4326", always_xy=True)
    return to, back


def _project(geometry: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    import numpy as np

    def apply(xy: Any) -> Any:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, apply)


def _degrees_per_km_ellipse(centre: Point, a_km: float, b_km: float, steps: int) -> Polygon:
    """Vertices offset in degrees per km at the centre's latitude (good to < 0.5 %)."""
    lon0, lat0 = centre.x, centre.y
    dlon, dlat = 1.0 / (111.320 * math.cos(math.radians(lat0))), 1.0 / 110.574
    ring = [
        (
            lon0 + a_km * dlon * math.cos(2 * math.pi * i / steps),
            lat0 + b_km * dlat * math.sin(2 * math.pi * i / steps),
        )
        for i in range(steps)
    ]
    return Polygon(ring)


def _geodesic_ellipse(
    centre: Point, a_km: float, b_km: float, azimuth_deg: float, vertices: int
) -> Polygon:
    """Each vertex a WGS84 forward point from the centre (no projection)."""
    theta = math.radians(azimuth_deg)
    along = (math.sin(theta), math.cos(theta))  # (east, north)
    across = (math.cos(theta), -math.sin(theta))
    points = []
    for i in range(vertices):
        t = 2 * math.pi * i / vertices
        east = a_km * math.cos(t) * along[0] + b_km * math.sin(t) * across[0]
        north = a_km * math.cos(t) * along[1] + b_km * math.sin(t) * across[1]
        azimuth = math.degrees(math.atan2(east, north))
        lon, lat, _ = _WGS84.fwd(centre.x, centre.y, azimuth, math.hypot(east, north) * 1000)
        points.append((lon, lat))
    return Polygon(points)


def _count(recipe: Mapping[str, Any], default: int, where: str) -> int:
    value = recipe.get("vertices", default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 8:
        raise CurationError(f"{where}: vertices: a whole number of at least 8, not {value!r}")
    return value


def _ellipse(
    recipe: Mapping[str, Any], shapes: Mapping[str, BaseGeometry], refs: _References, where: str
) -> BaseGeometry:
    centre = _position(recipe, shapes, refs, where)
    method = recipe.get("method", "aeqd")
    if method == "aeqd":
        from shapely import affinity

        a, b = _positive(recipe, "a_m", where), _positive(recipe, "b_m", where)
        rotation = _number({"r": recipe.get("rotation_deg", 0.0)}, "r", f"{where}: rotation_deg")
        to, back = _local(centre)
        circle = _project(centre, to).buffer(1.0, quad_segs=32)
        ellipse = affinity.rotate(affinity.scale(circle, a, b), rotation, origin=(0, 0))
        return _project(ellipse, back)
    if method == "degrees_per_km":
        steps = _count(recipe, 24, where)
        if "area_km2" in recipe:
            area = _positive(recipe, "area_km2", where)
            proportions = recipe.get("proportions")
            if not (isinstance(proportions, list) and len(proportions) == 2):
                raise CurationError(f"{where}: proportions: [a, b] is needed with area_km2")
            a = _positive({"a": proportions[0]}, "a", f"{where}: proportions")
            b = _positive({"b": proportions[1]}, "b", f"{where}: proportions")
            scale = math.sqrt(area / (math.pi * a * b))
            first = _degrees_per_km_ellipse(centre, a * scale, b * scale, steps)
            # one geodesic correction: degrees per km is an approximation
            factor = math.sqrt(area / geodesic_area_km2(first))
            return _degrees_per_km_ellipse(centre, a * scale * factor, b * scale * factor, steps)
        a_km, b_km = _positive(recipe, "a_km", where), _positive(recipe, "b_km", where)
        return _degrees_per_km_ellipse(centre, a_km, b_km, steps)
    if method == "geodesic":
        return _geodesic_ellipse(
            centre,
            _positive(recipe, "a_km", where),
            _positive(recipe, "b_km", where),
            _number({"z": recipe.get("azimuth_deg", 0.0)}, "z", f"{where}: azimuth_deg"),
            _count(recipe, 96, where),
        )
    raise CurationError(f"{where}: method: {method!r} is not one of aeqd, degrees_per_km, geodesic")


def _clean(geometry: BaseGeometry) -> BaseGeometry:
    """On a 1e-6° grid, polygons only, slivers dropped, RFC 7946 winding."""
    geometry = shapely.set_precision(geometry, 1e-6)
    if geometry.geom_type == "GeometryCollection":
        geometry = shapely.union_all(
            [g for g in geometry.geoms if g.geom_type in {"Polygon", "MultiPolygon"}]
        )
    if geometry.geom_type in {"Polygon", "MultiPolygon"}:
        parts = [
            p for p in getattr(geometry, "geoms", [geometry]) if geodesic_area_km2(p) > _SLIVER_KM2
        ]
        geometry = parts[0] if len(parts) == 1 else MultiPolygon(parts)
        geometry = shapely.orient_polygons(geometry, exterior_cw=False)
    return geometry


def _union(
    recipe: Mapping[str, Any], shapes: Mapping[str, BaseGeometry], where: str
) -> BaseGeometry:
    names = recipe.get("of")
    if not isinstance(names, list) or len(names) < 2:
        raise CurationError(f"{where}: of: a list of at least two shapes is needed")
    parts = [_shape(shapes, {"of": name}, "of", where) for name in names]
    if recipe.get("dissolve", False):
        return _clean(shapely.union_all(parts))
    for i, a in enumerate(parts):
        for j in range(i + 1, len(parts)):
            if a.intersection(parts[j]).area > 0:
                raise CurationError(
                    f"{where}: of: {names[i]} and {names[j]} overlap; the union would count "
                    "their overlap twice (dissolve: true merges them)"
                )
    if any(p.geom_type != "Polygon" for p in parts):
        raise CurationError(f"{where}: of: parts kept apart must be polygons")
    return MultiPolygon(parts)


def _checks(recipe: Mapping[str, Any], made: BaseGeometry, refs: _References, where: str) -> None:
    for field, wanted in (("keeps", True), ("excludes", False)):
        for number, item in enumerate(recipe.get(field) or []):
            spot = f"{where}: {field} #{number + 1}"
            if isinstance(item, Mapping):
                point = refs.point(item, spot)
                label = f"{item.get('layer')} {item.get('id')}"
            elif isinstance(item, list) and len(item) == 2:
                lon = _number({"lon": item[0]}, "lon", spot)
                point = Point(lon, _number({"lat": item[1]}, "lat", spot))
                label = f"({point.x}, {point.y})"
            else:
                raise CurationError(f"{spot}: a [lon, lat] or {{layer, id}} is needed")
            if made.covers(point) != wanted:
                verb = "leaves out" if wanted else "takes in"
                raise CurationError(f"{spot}: the shape {verb} {label}")
    if "area_km2" in recipe and made.geom_type in {"Polygon", "MultiPolygon"}:
        stated = _positive(recipe, "area_km2", where)
        measured = geodesic_area_km2(made)
        if abs(measured / stated - 1) > AREA_TOLERANCE:
            raise CurationError(
                f"{where}: area_km2: measures {measured:.1f} km², declared {stated:g} km² "
                f"(±{AREA_TOLERANCE:.0%})"
            )


def recipe_shape(
    recipe: Mapping[str, Any],
    shapes: Mapping[str, BaseGeometry],
    where: str,
    layers_dir: Path | None = None,
    *,
    refs: _References | None = None,
) -> BaseGeometry:
    """Evaluate one recipe on the shapes before it (unrounded); run its checks.

    Parameters
    ----------
    recipe
        The declaration (see the module docstring).
    shapes
        Shapes by id: the tree's geometries and the recipes evaluated so far.
    where
        ``file: id`` prefix of every error.
    layers_dir
        Folder of the reference layers (``ref_districts`` and those ``at`` names).

    Raises
    ------
    CurationError
        ``file: id: field: reason`` for a declaration that cannot be made or fails a check.
    """
    if refs is None:
        from corridor_map.core.paths import layers_dir as default_layers

        refs = _References(layers_dir or default_layers())
    kind = recipe.get("kind")
    made: BaseGeometry
    if kind == "buffer":
        base = _shape(shapes, recipe, "of", where)
        metres = _positive(recipe, "metres", where)
        to, back = _local(base)
        made = _project(_project(base, to).buffer(metres, quad_segs=16), back)
    elif kind == "ellipse":
        made = _ellipse(recipe, shapes, refs, where)
    elif kind == "clip":
        land = refs.land(recipe.get("districts"), where)
        if "polygon" in recipe:
            try:
                cut = Polygon(recipe["polygon"])
            except (TypeError, ValueError) as exc:
                raise CurationError(f"{where}: polygon: not a ring of [lon, lat]: {exc}") from None
            made = _clean(land.intersection(cut))
        else:
            made = _clean(_shape(shapes, recipe, "of", where).intersection(land))
    elif kind == "difference":
        land = refs.land(recipe.get("districts"), where)
        outer = _shape(shapes, recipe, "of", where)
        made = _clean(outer.difference(_shape(shapes, recipe, "minus", where)).intersection(land))
    elif kind == "union":
        made = _union(recipe, shapes, where)
    elif kind == "centroid":
        centre = _shape(shapes, recipe, "of", where).centroid
        decimals = recipe.get("decimals", 6)
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
            raise CurationError(f"{where}: decimals: a whole number 0-6, not {decimals!r}")
        made = Point(round(centre.x, decimals), round(centre.y, decimals))
    elif kind == "point":
        made = _position({"at": recipe.get("at")}, shapes, refs, where)
    else:
        raise CurationError(f"{where}: kind: {kind!r} is not one of {', '.join(RECIPE_KINDS)}")
    if made.is_empty or not made.is_valid:
        raise CurationError(f"{where}: kind: the {kind} is empty or invalid")
    _checks(recipe, made, refs, where)
    return made


def evaluate_recipes(
    recipes: Any,
    shapes: dict[str, BaseGeometry],
    file: Path,
    layers_dir: Path | None = None,
) -> dict[str, BaseGeometry]:
    """Evaluate a layer's recipes in order; return the shapes they make, by id.

    ``shapes`` (the tree's own geometries) is not changed; a recipe may use them and the
    recipes before it. A recipe's id must not also have a geometry in the tree.
    """
    from corridor_map.core.paths import layers_dir as default_layers

    refs = _References(layers_dir or default_layers())
    if recipes is None:
        return {}
    if not isinstance(recipes, list):
        raise CurationError(f"{file}: a list of recipes is needed")
    known = dict(shapes)
    made: dict[str, BaseGeometry] = {}
    for number, recipe in enumerate(recipes):
        if not isinstance(recipe, dict) or not isinstance(recipe.get("id"), str):
            raise CurationError(f"{file}: recipe #{number + 1}: id: missing")
        rid = recipe["id"]
        where = f"{file}: {rid}"
        if rid in known:
            raise CurationError(f"{where}: id: also given by geometries.geojson or a recipe")
        known[rid] = made[rid] = recipe_shape(recipe, known, where, refs=refs)
    return made


def _inside_share(geometry: BaseGeometry, area: BaseGeometry) -> float:
    """Share of ``geometry`` inside ``area``: geodesic area for polygons, length for lines."""
    if geometry.geom_type in {"Point", "MultiPoint"}:
        return 1.0 if area.covers(geometry) else 0.0
    inside = geometry.intersection(area)
    if geometry.geom_type in {"Polygon", "MultiPolygon"}:
        return float(geodesic_area_km2(inside) / geodesic_area_km2(geometry))
    return float(inside.length / geometry.length)


def check_layer(
    checks: Any,
    features: Sequence[tuple[str, Mapping[str, Any], BaseGeometry | None]],
    file: Path,
    layers_dir: Path | None = None,
) -> None:
    """Run a layer's declared checks (``checks.yaml``) over its built features.

    Parameters
    ----------
    checks
        The parsed ``checks.yaml``.
    features
        ``(id, properties, geometry)`` in file order.

    Raises
    ------
    CurationError
        ``checks.yaml: <feature>: <field>: reason`` for the first feature that fails.
    """
    from corridor_map.core.paths import layers_dir as default_layers

    if not isinstance(checks, Mapping):
        raise CurationError(f"{file}: a mapping of checks is needed")
    unknown = set(checks) - {"containment", "status_as_of", "note"}
    if unknown:
        raise CurationError(f"{file}: {sorted(unknown)[0]}: not a known check")
    refs = _References(layers_dir or default_layers())
    containment = checks.get("containment")
    if containment is not None:
        where = f"{file}: containment"
        slack = _number({"b": containment.get("buffer_deg", 0.0)}, "b", f"{where}.buffer_deg")
        least = _number(containment, "min_inside_share", where)
        for fid, props, geometry in features:
            if geometry is None or props.get("role") == "enclave":
                continue
            codes = [str(d.get("code")) for d in props.get("district") or []]
            spot = f"{file}: {fid}"
            land = refs.land(codes, f"{spot}: district")
            share = _inside_share(geometry, land.buffer(slack) if slack else land)
            if share < least:
                raise CurationError(
                    f"{spot}: geometry: only {share:.1%} inside districts {codes} "
                    f"(containment: at least {least:.1%}, {slack:g}° slack)"
                )
            for code in codes:
                if not geometry.intersects(refs.land([code], spot).buffer(slack)):
                    raise CurationError(f"{spot}: district: listed {code} does not touch it")
    rule = checks.get("status_as_of")
    if rule is not None:
        if rule != "document_date":
            raise CurationError(f"{file}: status_as_of: {rule!r} is not document_date")
        from corridor_map.documents.corpus import load_corpus

        corpus = load_corpus()
        for fid, props, _ in features:
            status = props.get("status")
            if not isinstance(status, Mapping):
                continue
            doc = (status.get("source") or {}).get("doc")
            try:
                date = corpus.document(str(doc)).date
            except Exception:  # an unknown document is the validator's finding
                continue
            wanted = None if date is None else str(date)
            if status.get("as_of") != wanted:
                raise CurationError(
                    f"{file}: {fid}: status.as_of: {status.get('as_of')!r} is not the date of "
                    f"{doc} ({wanted})"
                )
