"""What a map page has besides the map: a geodesic scale bar, a north arrow, the legend and
the footer (attribution, schematic note, date, projection)."""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from pyproj import Geod

from corridor_map.atlas.model import Atlas, Feature
from corridor_map.core.i18n import display_name, t
from corridor_map.outputs.cartography import DISTRICT_EDGE, DISTRICT_FILL, MapFrame
from corridor_map.outputs.common import attribution
from corridor_map.outputs.fonts import cjk_font

__all__ = ["LEGEND_ZORDER", "footer_lines", "legend", "north_arrow", "scale_bar"]

_GEOD = Geod(ellps="WGS84")
#: The legend stands above everything the map draws (labels are at 20-31).
LEGEND_ZORDER = 40


def scale_bar(ax: Axes, frame: MapFrame, lang: str, size: float = 7.0) -> float:
    """Draw a metric scale bar whose length is geodesic; return its length in km."""
    x0, y0, x1, y1 = frame.bounds
    width = x1 - x0
    start = (x0 + width * 0.05, y0 + (y1 - y0) * 0.05)
    lon, lat = frame.lonlat(*start)
    target_km = width * 0.22 / 1000
    nice = [1, 2, 5, 10, 20, 25, 50, 100, 200]
    km = max([n for n in nice if n <= target_km] or [nice[0]])
    end_lon, end_lat, _ = _GEOD.fwd(lon, lat, 90.0, km * 1000.0)
    end = frame.point(end_lon, end_lat)
    height = (y1 - y0) * 0.008
    half = (start[0] + end[0]) / 2
    pad = (y1 - y0) * 0.012
    ax.add_patch(
        Rectangle(
            (start[0] - pad, start[1] - pad * 2.6),
            end[0] - start[0] + 3 * pad,
            height + pad * 5.5,
            facecolor="white",
            alpha=0.85,
            edgecolor="none",
            zorder=29,
        )
    )
    ax.add_patch(Rectangle(start, half - start[0], height, facecolor="black", zorder=30))
    ax.add_patch(
        Rectangle(
            (half, start[1]),
            end[0] - half,
            height,
            facecolor="white",
            edgecolor="black",
            linewidth=0.6,
            zorder=30,
        )
    )
    ax.add_patch(
        Rectangle(
            start,
            end[0] - start[0],
            height,
            facecolor="none",
            edgecolor="black",
            linewidth=0.6,
            zorder=30,
        )
    )
    for x, text in ((start[0], "0"), (half, f"{km / 2:g}"), (end[0], f"{km:g} km")):
        ax.text(
            x,
            start[1] + height * 1.8,
            text,
            fontproperties=cjk_font(size),
            ha="center",
            va="bottom",
            zorder=30,
        )
    ax.text(
        start[0],
        start[1] - height * 1.2,
        t("print_scale_note", lang),
        fontproperties=cjk_font(size * 0.8),
        ha="left",
        va="top",
        zorder=30,
        color="#555555",
    )
    return float(km)


def north_arrow(ax: Axes, frame: MapFrame, lang: str) -> None:
    """Draw an arrow pointing to true north at the upper right of the map."""
    x0, y0, x1, y1 = frame.bounds
    base = (x1 - (x1 - x0) * 0.06, y1 - (y1 - y0) * 0.16)
    lon, lat = frame.lonlat(*base)
    tip = frame.point(lon, lat + 0.02)
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    scale = (y1 - y0) * 0.08 / math.hypot(dx, dy)
    ax.annotate(
        "",
        xy=(base[0] + dx * scale, base[1] + dy * scale),
        xytext=base,
        arrowprops={
            "arrowstyle": "-|>,head_width=0.5,head_length=1",
            "color": "black",
            "linewidth": 1.5,
        },
        zorder=30,
    )
    ax.text(
        base[0] + dx * scale * 1.12,
        base[1] + dy * scale * 1.12,
        "北 N" if lang == "zh" else "N",
        fontproperties=cjk_font(9, bold=True),
        ha="center",
        va="bottom",
        zorder=30,
    )


def legend_keys(features: Sequence[Feature]) -> list[str]:
    """The keys of :func:`corridor_map.webmap.style.legend_entries` that ``features`` use:
    their corridors, role groups (platforms, gateways, roads…), landmark surfaces
    (water, wetland, terrain) and schematic geometry."""
    from corridor_map.webmap.style import is_schematic, role_group, surface_kind

    keys: list[str] = []
    for f in features:
        if f.corridor != "reference":
            keys.append(f"corridor:{f.corridor}")
        group = role_group(f.role)
        if group and group not in {"zones", "landmarks"}:
            keys.append(f"role:{group}")
        surface = surface_kind(f.properties)
        if surface:
            keys.append(f"surface:{surface}")
        if is_schematic(f.properties):
            keys.append("schematic")
    return list(dict.fromkeys(keys))


def _handle(entry: dict[str, Any], label: str) -> Any:
    from matplotlib.colors import to_rgba

    style = entry["style"]
    colour = str(style.get("color", "#333333"))
    fill = to_rgba(str(style.get("fillColor", colour)), float(style.get("fillOpacity", 0.2)))
    dashed: Any = (0, (3, 2)) if style.get("dashArray") else "solid"
    width = float(style.get("weight", 2))
    if entry["kind"] == "line":
        return Line2D([], [], color=colour, linewidth=width * 0.55, linestyle=dashed,
                      label=label)  # fmt: skip
    if entry["kind"] == "point":
        return Line2D([], [], marker="o", linestyle="none",
                      markersize=float(style.get("radius", 6)) * 0.8, markerfacecolor=fill,
                      markeredgecolor=colour, markeredgewidth=min(width, 2) * 0.55,
                      label=label)  # fmt: skip
    return Patch(facecolor=fill, edgecolor=colour, linestyle=dashed, linewidth=min(width, 3) * 0.45,
                 label=label)  # fmt: skip


def legend(
    ax: Axes,
    features: Sequence[Feature],
    lang: str,
    size: float = 7.5,
    overlays: Sequence[str] = (),
    loc: Any = "upper left",
) -> list[str]:
    """Legend of what the map shows, each swatch in the style the screen draws with
    (:func:`corridor_map.webmap.style.legend_entries`): the corridors, role groups and
    landmark surfaces present, schematic dashes, district outlines, and ``overlays``
    (keys such as ``"overlay:legend_selected"``, ``"overlay:legend_route"``).

    Returns
    -------
    list of str
        The labels shown, in order.
    """
    from corridor_map.webmap.style import legend_entries

    entries = {e["key"]: e for e in legend_entries(lang)}
    order = list(entries)
    wanted = sorted((k for k in legend_keys(features) if k in entries), key=order.index)
    handles: list[Any] = []
    for key in [*wanted, *overlays]:
        if key not in entries:
            continue
        label = t("print_legend_schematic", lang) if key == "schematic" else entries[key]["label"]
        handles.append(_handle(entries[key], label))
    handles.append(
        Patch(
            facecolor=DISTRICT_FILL,
            edgecolor=DISTRICT_EDGE,
            label=t("print_legend_districts", lang),
        )
    )
    drawn_key = ax.legend(
        handles=handles,
        loc=loc,
        prop=cjk_font(size),
        framealpha=0.92,
        title=t("legend", lang),
        title_fontproperties=cjk_font(size + 1, bold=True),
    )
    # Above the map's labels (and their halos): a label under the legend is hidden by its
    # box instead of printed across its rows.
    drawn_key.set_zorder(LEGEND_ZORDER)
    return [h.get_label() for h in handles]


def footer_lines(
    atlas: Atlas,
    lang: str,
    roads: bool = False,
    outside: Sequence[Feature] = (),
    projection: str | None = None,
) -> list[str]:
    """Attribution, schematic note, date and projection, for the bottom of a page.

    ``projection`` names the drawing's system when it is not the local equal-area one.
    """
    lines = [
        f"{t('attribution', lang)}: {attribution(atlas, roads=roads, lang=lang)}",
        f"{t('schematic_note', lang)} · {t('print_not_official', lang)}",
    ]
    if outside:
        names = ", ".join(display_name(f, lang) for f in outside)
        lines.append(f"{t('print_outside', lang)}: {names}")
    lines.append(
        f"{t('print_date', lang)} {datetime.date.today().isoformat()} · "
        f"{projection or t('print_projection', lang)} · corridor-map"
    )
    return lines
