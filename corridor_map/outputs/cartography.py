"""Drawing the corridors on a map page: the local equal-area frame, the features in their
on-screen styles (:func:`corridor_map.webmap.style.feature_style`: schematic geometry
dashed) over the district outlines, and their labels.

Drawing uses a Lambert azimuthal equal-area projection centred on the mapped extent, in
metres (pyproj), so shapes keep their relative areas; nothing is measured on the drawing.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import SubFigure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from corridor_map.atlas.model import Atlas, Feature
from corridor_map.core.i18n import display_name, t
from corridor_map.core.vocab import REGION
from corridor_map.outputs.common import PrintError
from corridor_map.outputs.fonts import cjk_font
from corridor_map.webmap.style import CORRIDOR_COLORS, feature_style

__all__ = ["DISTRICT_EDGE", "DISTRICT_FILL", "MapFrame", "draw_geometry", "draw_map", "in_region"]

_LABEL_ROLES = {"extent", "core", "zone", "belt", "area", "key_block", "landmark", "road"}
_LABEL_PRIORITY = {
    "core": 0,
    "zone": 1,
    "belt": 1,
    "area": 2,
    "road": 3,
    "extent": 4,
    "key_block": 5,
    "landmark": 6,
}
_DRAW_ORDER = {
    "extent": 0,
    "zone": 1,
    "belt": 1,
    "area": 1,
    "core": 2,
    "key_block": 3,
    "road": 4,
    "landmark": 5,
    "platform": 5,
    "gateway": 6,
}
DISTRICT_EDGE = "#95a5a6"
DISTRICT_FILL = "#f4f6f6"


# --------------------------------------------------------------------------- projection


@dataclass(frozen=True)
class MapFrame:
    """The projection of one map and its extent in metres: a local equal-area one, or a
    CGCS2000 Gauss-Krüger zone when ``epsg`` names one (``print --crs``)."""

    lon0: float
    lat0: float
    bounds: tuple[float, float, float, float]
    epsg: int | None = None

    @functools.cached_property
    def _forward(self) -> Transformer:
        if self.epsg is not None:
            return Transformer.from_crs("EPSG:4326", f"EPSG:{self.epsg}", always_xy=True)
        proj = f"+proj=laea +lat_0={self.lat0} +lon_0={self.lon0} +ellps=WGS84 +units=m"
        return Transformer.from_crs("EPSG:4326", proj, always_xy=True)

    def project(self, geometry: BaseGeometry) -> BaseGeometry:
        """Return a WGS84 geometry in the frame's metres."""
        forward = self._forward

        def apply(xy: np.ndarray) -> np.ndarray:
            return np.column_stack(forward.transform(xy[:, 0], xy[:, 1]))

        return shapely.transform(geometry, apply)

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        """Return the projected position of a WGS84 point."""
        x, y = self._forward.transform(lon, lat)
        return float(x), float(y)

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        """Return the WGS84 position of a projected point."""
        lon, lat = self._forward.transform(x, y, direction="INVERSE")
        return float(lon), float(lat)

    @classmethod
    def around(
        cls,
        geometries: Iterable[BaseGeometry],
        margin: float = 0.06,
        aspect: float = 1.0,
        epsg: int | None = None,
    ) -> MapFrame:
        """A frame centred on the geometries' WGS84 bounds, grown by ``margin`` of its size.

        ``aspect`` is the drawing area's width / height: the frame is widened or heightened
        to fill it.
        """
        geoms = [g for g in geometries if g is not None and not g.is_empty]
        if not geoms:
            raise PrintError("没有可绘制的要素 / nothing to draw: no located feature")
        west, south, east, north = shapely.total_bounds(np.array(geoms, dtype=object))
        lon0, lat0 = (west + east) / 2, (south + north) / 2
        frame = cls(round(lon0, 4), round(lat0, 4), (0.0, 0.0, 0.0, 0.0), epsg)
        projected = [frame.project(g) for g in geoms]
        x0, y0, x1, y1 = shapely.total_bounds(np.array(projected, dtype=object))
        # A point alone still gets a few kilometres of context.
        width = max(x1 - x0, 4000.0) * (1 + 2 * margin)
        height = max(y1 - y0, 4000.0) * (1 + 2 * margin)
        width, height = max(width, height * aspect), max(height, width / aspect)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        box = (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
        return cls(frame.lon0, frame.lat0, box, epsg)


# --------------------------------------------------------------------------- drawing


def _dash(style: dict[str, Any]) -> Any:
    if not style.get("dashArray"):
        return "solid"
    on, off = (float(v) for v in str(style["dashArray"]).split()[:2])
    return (0, (on / 2, off / 2))


def _polygon_path(geometry: BaseGeometry) -> MplPath:
    vertices: list[Any] = []
    codes: list[np.uint8] = []
    polygons = geometry.geoms if geometry.geom_type == "MultiPolygon" else [geometry]
    for polygon in polygons:
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = np.asarray(ring.coords)[:, :2]
            vertices.extend(coords)
            codes.extend(
                [MplPath.MOVETO] + [MplPath.LINETO] * (len(coords) - 2) + [MplPath.CLOSEPOLY]
            )
    return MplPath(np.asarray(vertices), codes)


def draw_geometry(ax: Axes, geometry: BaseGeometry, style: dict[str, Any], zorder: float) -> None:
    """Draw one projected geometry with a Leaflet-like style (colour, weight, fill, dashes)."""
    color = style.get("color", "#333333")
    fill = style.get("fillColor", color)
    alpha = float(style.get("fillOpacity", 0.2))
    width = float(style.get("weight", 1.5)) * 0.55
    dash = _dash(style)
    kind = geometry.geom_type
    if kind == "GeometryCollection":
        for part in geometry.geoms:
            draw_geometry(ax, part, style, zorder)
    elif kind in {"Polygon", "MultiPolygon"}:
        path = _polygon_path(geometry)
        # add_artist, not add_patch: the limits are the frame's, and add_patch walks every
        # curve of every outline to grow them (a second per map).
        ax.add_artist(PathPatch(path, facecolor=fill, alpha=alpha, linewidth=0, zorder=zorder))
        ax.add_artist(
            PathPatch(
                path,
                facecolor="none",
                edgecolor=color,
                linewidth=width,
                linestyle=dash,
                zorder=zorder + 0.1,
            )
        )
    elif kind in {"LineString", "MultiLineString", "LinearRing"}:
        lines = geometry.geoms if kind == "MultiLineString" else [geometry]
        for line in lines:
            xy = np.asarray(line.coords)
            ax.plot(
                xy[:, 0],
                xy[:, 1],
                color=color,
                linewidth=width * 1.2,
                linestyle=dash,
                solid_capstyle="round",
                zorder=zorder,
            )
    elif kind in {"Point", "MultiPoint"}:
        points = geometry.geoms if kind == "MultiPoint" else [geometry]
        for p in points:
            ax.plot(
                p.x,
                p.y,
                marker="o",
                markersize=float(style.get("radius", 5)) * 0.8,
                markerfacecolor=fill,
                markeredgecolor=color,
                markeredgewidth=width,
                linestyle="none",
                zorder=zorder,
            )


def _page_inches(ax: Axes) -> tuple[float, float]:
    """Width and height in inches of the page (root figure) ``ax`` is drawn on."""
    figure = ax.figure
    root = figure.figure if isinstance(figure, SubFigure) else figure
    return float(root.get_figwidth()), float(root.get_figheight())


def _label(
    ax: Axes,
    feature: Feature,
    projected: BaseGeometry,
    lang: str,
    size: float,
    placed: list[BaseGeometry],
    callouts: list[str],
    force: bool = False,
) -> str:
    """Name a feature: at its representative point; else moved nearby with a leader line;
    else a numbered callout whose name goes in the map's key. Never dropped.

    Returns
    -------
    str
        ``"placed"``, ``"moved"`` or ``"callout"``.
    """
    import matplotlib.patheffects as effects

    name = display_name(feature, lang)
    at = projected.representative_point() if projected.geom_type != "Point" else projected
    color = CORRIDOR_COLORS.get(feature.corridor, "#333333")
    # The white halo is its own text, drawn as outlines under the name; the name itself
    # carries no path effect, so a PDF keeps it as text (searchable, copyable): a text
    # with a path effect is drawn wholly as paths.
    halo = [effects.Stroke(linewidth=2.2, foreground="white")]
    box = _text_box(ax, at, name, size)
    if force or _free(ax, box, placed):
        placed.append(box)
        for effect in (halo, None):
            ax.text(at.x, at.y, name, fontproperties=cjk_font(size), color=color, ha="center",
                    va="center", zorder=20, clip_on=True, path_effects=effect)  # fmt: skip
        return "placed"
    x0, y0, x1, y1 = box.bounds
    half_w, half_h = (x1 - x0) / 2, (y1 - y0) / 2
    for reach in (1.0, 2.2, 3.6):
        gap = half_h * 2 * reach
        for dx, dy in ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1)):
            cx = at.x + dx * (half_w + gap)
            cy = at.y + dy * (half_h + gap)
            moved = shapely.box(cx - half_w, cy - half_h, cx + half_w, cy + half_h)
            if _free(ax, moved, placed):
                placed.append(moved)
                ax.annotate(
                    name,
                    xy=(at.x, at.y),
                    xytext=(cx, cy),
                    fontproperties=cjk_font(size),
                    color=color,
                    ha="center",
                    va="center",
                    zorder=20,
                    path_effects=halo,
                    arrowprops={"arrowstyle": "-", "color": color, "linewidth": 0.6,
                                "shrinkA": 0, "shrinkB": 1},
                )  # fmt: skip
                ax.text(cx, cy, name, fontproperties=cjk_font(size), color=color,
                        ha="center", va="center", zorder=20)  # fmt: skip
                return "moved"
    number = str(len(callouts) + 1)
    callouts.append(f"{number}  {name}")
    ax.text(
        at.x,
        at.y,
        number,
        fontproperties=cjk_font(size * 0.85, bold=True),
        color="white",
        ha="center",
        va="center",
        zorder=21,
        clip_on=True,
        bbox={"boxstyle": "circle,pad=0.2", "facecolor": color, "edgecolor": "white",
              "linewidth": 0.6},
    )  # fmt: skip
    return "callout"


def _free(ax: Axes, box: BaseGeometry, placed: Sequence[BaseGeometry]) -> bool:
    """Inside the map and clear of every label placed."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    if not shapely.box(x0, y0, x1, y1).contains(box):
        return False
    return not any(box.intersects(other) for other in placed)


def _key(ax: Axes, callouts: Sequence[str], lang: str, size: float) -> None:
    """The names of the numbered callouts, in a box at the map's lower right."""
    if not callouts:
        return
    title = t("print_key", lang)
    ax.text(
        0.99,
        0.01,
        "\n".join([title, *callouts]),
        transform=ax.transAxes,
        fontproperties=cjk_font(size),
        ha="right",
        va="bottom",
        zorder=31,
        bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "alpha": 0.92,
              "edgecolor": "#bbbbbb"},
    )  # fmt: skip


def _metres_per_point(ax: Axes) -> float:
    x0, x1 = ax.get_xlim()
    return float((x1 - x0) / (ax.get_position().width * _page_inches(ax)[0] * 72))


def _text_box(ax: Axes, at: BaseGeometry, name: str, size: float) -> BaseGeometry:
    """Estimate a centred label's box in map metres from the axes' size in points."""
    per_pt = _metres_per_point(ax)
    # Plus a little room: the white halo, and rendered extents a shade wider than ems.
    wide = (sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in name) + 0.3) * size * per_pt
    high = size * per_pt * 0.75
    return shapely.box(at.x - wide / 2, at.y - high, at.x + wide / 2, at.y + high)


def _district_labels(
    ax: Axes,
    candidates: Sequence[tuple[BaseGeometry, str]],
    drawn: Sequence[BaseGeometry],
    size: float,
    placed: list[BaseGeometry],
) -> None:
    """Name the districts where the name crosses no feature's outline, line or symbol
    and no label already placed (a district name half under a zone reads as a typo).

    ``candidates`` are (projected district, name): the name goes at the district's
    representative point, else at the clear spot of a grid over the district nearest to it
    (boxes tested all at once against the prepared edges: growing the edges into an area
    to avoid, as before, cost a second per map).
    """
    per_pt = _metres_per_point(ax)
    edges = shapely.union_all(
        [g.boundary if g.geom_type.endswith("Polygon") else g.buffer(per_pt * 4) for g in drawn]
    )
    shapely.prepare(edges)
    for district, name in candidates:
        clear = None
        rep = district.representative_point()
        box = _text_box(ax, rep, name, size)
        if not box.intersects(edges) and not any(box.intersects(o) for o in placed):
            clear = rep, box
        else:
            x0, y0, x1, y1 = district.bounds
            step = max((x1 - x0) / 24, (y1 - y0) / 24, size * per_pt)
            gx, gy = np.meshgrid(np.arange(x0, x1, step), np.arange(y0, y1, step))
            xs, ys = gx.ravel(), gy.ravel()
            inside = shapely.contains_xy(district, xs, ys)
            xs, ys = xs[inside], ys[inside]
            half_w = (box.bounds[2] - box.bounds[0]) / 2
            half_h = (box.bounds[3] - box.bounds[1]) / 2
            boxes = shapely.box(xs - half_w, ys - half_h, xs + half_w, ys + half_h)
            ok = ~shapely.intersects(boxes, edges)
            for other in placed:
                ok &= ~shapely.intersects(boxes, other)
            if ok.any():
                distance = np.hypot(xs - rep.x, ys - rep.y)
                best = int(np.argmin(np.where(ok, distance, np.inf)))
                clear = shapely.Point(xs[best], ys[best]), boxes[best]
        if clear is None:
            continue
        at, box = clear
        placed.append(box)
        ax.text(
            at.x,
            at.y,
            name,
            fontproperties=cjk_font(size),
            color="#7f8c8d",
            ha="center",
            va="center",
            zorder=19,
            alpha=0.9,
            clip_on=True,
        )


def in_region(feature: Feature) -> bool:
    if feature.geometry is None:
        return False
    west, south, east, north = REGION
    x0, y0, x1, y1 = feature.geometry.bounds
    return x0 >= west - 0.5 and x1 <= east + 0.5 and y0 >= south - 0.5 and y1 <= north + 0.5


def draw_map(
    ax: Axes,
    atlas: Atlas,
    features: Sequence[Feature],
    lang: str = "zh",
    frame: MapFrame | None = None,
    focus: Feature | None = None,
    overlays: Sequence[tuple[BaseGeometry, dict[str, Any]]] = (),
    labels: bool = True,
    label_size: float = 7.0,
    epsg: int | None = None,
    clear_of: Sequence[BaseGeometry] = (),
) -> MapFrame:
    """Draw district outlines, features (on-screen styles), overlays and labels on ``ax``.

    Parameters
    ----------
    features
        What to draw; features outside the mapped region (distant enclaves) frame nothing.
    frame
        The projection and extent (default: around the located features and overlays).
    focus
        A feature outlined in yellow (briefs' inset maps).
    overlays
        Extra WGS84 geometries with Leaflet-like styles (a route, an isochrone).
    epsg
        Draw in this projected system (a Gauss-Krüger zone) instead of the local
        equal-area projection, when no ``frame`` is given.
    clear_of
        WGS84 geometries (an uploaded parcel, a brief's feature) the corridor's name
        must not cover: its label goes outside their bounds (with a leader line), or
        becomes a numbered callout.

    Returns
    -------
    MapFrame
        The frame used, for scale bars and north arrows.
    """
    located = [f for f in features if in_region(f)]
    if frame is None:
        box = ax.get_position()
        page_w, page_h = _page_inches(ax)
        aspect = (box.width * page_w) / (box.height * page_h)
        frame = MapFrame.around(
            [f.geometry for f in located] + [g for g, _ in overlays], aspect=aspect, epsg=epsg
        )
    x0, y0, x1, y1 = frame.bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    view = shapely.box(*frame.lonlat(x0, y0), *frame.lonlat(x1, y1)).buffer(0.2)
    district_names: list[tuple[BaseGeometry, str]] = []
    frame_box = shapely.box(x0, y0, x1, y1)
    for district in atlas.districts().values():
        if district.geometry is not None and district.geometry.intersects(view):
            draw_geometry(
                ax,
                frame.project(district.geometry),
                {
                    "color": DISTRICT_EDGE,
                    "fillColor": DISTRICT_FILL,
                    "fillOpacity": 1.0,
                    "weight": 1.2,
                },
                zorder=0,
            )
            if labels:
                shown = frame.project(district.geometry).intersection(frame_box)
                if not shown.is_empty:
                    name = display_name(district, lang)
                    district_names.append((shown, name or district.name_zh))
    ordered = sorted(located, key=lambda f: (_DRAW_ORDER.get(f.role, 3), -f.area_km2))
    for f in ordered:
        projected = frame.project(f.geometry)
        style = feature_style({**f.properties, "id": f.id})
        draw_geometry(ax, projected, style, zorder=2 + _DRAW_ORDER.get(f.role, 3))
    for geometry, style in overlays:
        draw_geometry(ax, frame.project(geometry), style, zorder=12)
    if focus is not None and focus.geometry is not None:
        draw_geometry(
            ax,
            frame.project(focus.geometry),
            {"color": "#f1c40f", "fillOpacity": 0.0, "weight": 5, "radius": 9},
            zorder=11,
        )
    if labels:
        placed: list[BaseGeometry] = []
        callouts: list[str] = []
        if focus is not None and focus.geometry is not None and in_region(focus):
            _label(ax, focus, frame.project(focus.geometry), lang, label_size + 1, placed, [], True)
        # Larger roles first: the zones get the first places, smaller things move or
        # become numbered callouts.
        # The corridor's name is large and sits at its extent's middle, often on the very
        # thing the map is about: it keeps off those bounds (a little halo included).
        pad = label_size * _metres_per_point(ax)
        kept = [shapely.box(*frame.project(g).bounds).buffer(pad) for g in clear_of]
        for f in sorted(ordered, key=lambda f: _LABEL_PRIORITY.get(f.role, 9)):
            if f.role in _LABEL_ROLES and f is not focus:
                projected = frame.project(f.geometry)
                if f.role != "extent" or not kept:
                    _label(ax, f, projected, lang, label_size, placed, callouts)
                    continue
                avoid = [*kept, *placed]
                _label(ax, f, projected, lang, label_size, avoid, callouts)
                placed.extend(avoid[len(kept) + len(placed) :])
        _key(ax, callouts, lang, label_size * 0.9)
        drawn = [frame.project(f.geometry) for f in ordered]
        drawn += [frame.project(g) for g, _ in overlays]
        _district_labels(ax, district_names, drawn, label_size * 0.85, placed)
    return frame
