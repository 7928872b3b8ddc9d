"""KML 2.2 for Google Earth, 奥维 and phone apps, styled as the map on screen.

Each placemark gets the on-screen style (:func:`corridor_map.webmap.build.feature_style`):
outline colour and width, fill colour with its transparency (nested zones stay visible
under each other), point colour. KML has no dashed lines, so schematic geometry, dashed on
screen, is drawn with a thin half-transparent outline and said so in its balloon. Names
and every attribute, ``id`` first, are kept as ``ExtendedData`` (GDAL's KML and LIBKML
drivers read them as fields). Placemarks are in one folder per geometry type and one for
the places named but not located (no geometry; their ``within`` says where they lie).

The balloon (``<description>``) is HTML to Google Earth: every text in it is escaped with
:func:`corridor_map.core.markup.inert` before it is joined with ``<br>``, and the XML
writer escapes the whole again, so a layer's ``<script>`` shows as text.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

from corridor_map.core.markup import inert

__all__ = ["kml_colour", "write_kml"]

_NS = "http://www.opengis.net/kml/2.2"
_FOLDERS = {"points": "点 / points", "lines": "线 / lines", "polygons": "面 / polygons"}
_BALLOON = (
    "name_zh",
    "name_en",
    "geometry_basis",
    "stated",
    "measured",
    "within",
    "citations",
    "note",
    "attribution",
)
_SCHEMA = "corridor_map"
_NCNAME = re.compile(r"^[A-Za-z_][\w.-]*$")


def kml_colour(hex_colour: str, opacity: float = 1.0) -> str:
    """``#rrggbb`` and an opacity as KML's ``aabbggrr``."""
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    r, g, b = value[0:2], value[2:4], value[4:6]
    alpha = max(0, min(255, round(opacity * 255)))
    return f"{alpha:02x}{b}{g}{r}".lower()


def _style(row: dict[str, Any]) -> dict[str, Any]:
    from corridor_map.webmap.style import feature_style

    props = {k: v for k, v in row.items() if k != "geometry"}
    if "geometry_basis" in props and "id" in props:
        return dict(feature_style(props))
    kind = str(row.get("kind") or "")
    colour = {"route": "#d35400", "isochrone": "#8e44ad", "sketch": "#2c3e50"}.get(kind, "#2c3e50")
    return {"color": colour, "fillColor": colour, "fillOpacity": 0.2, "weight": 3}


def _style_element(document: ET.Element, style: dict[str, Any]) -> str:
    colour = str(style.get("color") or "#333333")
    fill = str(style.get("fillColor") or colour)
    opacity = float(style.get("fillOpacity", 0.2))
    width = float(style.get("weight", 2))
    schematic = bool(style.get("dashArray"))
    key = f"{colour}|{fill}|{opacity}|{width}|{schematic}"
    ident = "s" + hashlib.sha1(key.encode()).hexdigest()[:10]
    if document.find(f"{{{_NS}}}Style[@id='{ident}']") is not None:
        return ident
    element = ET.Element(f"{{{_NS}}}Style", id=ident)
    # In the schema's order: IconStyle, LineStyle, PolyStyle.
    icon = ET.SubElement(element, f"{{{_NS}}}IconStyle")
    ET.SubElement(icon, f"{{{_NS}}}color").text = kml_colour(fill, 1.0)
    ET.SubElement(icon, f"{{{_NS}}}scale").text = "0.8"
    line = ET.SubElement(element, f"{{{_NS}}}LineStyle")
    ET.SubElement(line, f"{{{_NS}}}color").text = kml_colour(colour, 0.55 if schematic else 1.0)
    ET.SubElement(
        line, f"{{{_NS}}}width"
    ).text = f"{max(1.0, width * (0.6 if schematic else 1.0)):g}"
    poly = ET.SubElement(element, f"{{{_NS}}}PolyStyle")
    ET.SubElement(poly, f"{{{_NS}}}color").text = kml_colour(fill, opacity)
    ET.SubElement(poly, f"{{{_NS}}}fill").text = "1"
    ET.SubElement(poly, f"{{{_NS}}}outline").text = "1"
    # Insert styles before the folders: KML wants shared styles first.
    position = sum(1 for child in document if child.tag != f"{{{_NS}}}Folder")
    document.insert(position, element)
    return ident


def _coords(coords: Any) -> str:
    return " ".join(f"{x:.7f},{y:.7f}" for x, y, *_ in coords)


def _geometry(parent: ET.Element, geometry: BaseGeometry) -> None:
    kind = geometry.geom_type
    if kind.startswith("Multi") or kind == "GeometryCollection":
        multi = ET.SubElement(parent, f"{{{_NS}}}MultiGeometry")
        for part in geometry.geoms:
            _geometry(multi, part)
    elif kind == "Point":
        point = ET.SubElement(parent, f"{{{_NS}}}Point")
        ET.SubElement(point, f"{{{_NS}}}coordinates").text = _coords(geometry.coords)
    elif kind == "LineString":
        line = ET.SubElement(parent, f"{{{_NS}}}LineString")
        ET.SubElement(line, f"{{{_NS}}}tessellate").text = "1"
        ET.SubElement(line, f"{{{_NS}}}coordinates").text = _coords(geometry.coords)
    elif kind == "Polygon":
        polygon = ET.SubElement(parent, f"{{{_NS}}}Polygon")
        ET.SubElement(polygon, f"{{{_NS}}}tessellate").text = "1"
        rings = [("outerBoundaryIs", geometry.exterior)]
        rings += [("innerBoundaryIs", r) for r in geometry.interiors]
        for tag, ring in rings:
            boundary = ET.SubElement(polygon, f"{{{_NS}}}{tag}")
            linear = ET.SubElement(boundary, f"{{{_NS}}}LinearRing")
            ET.SubElement(linear, f"{{{_NS}}}coordinates").text = _coords(ring.coords)


def _balloon(row: dict[str, Any], schematic: bool) -> str:
    parts = []
    for key in _BALLOON:
        value = row.get(key)
        if value not in (None, ""):
            parts.append(inert(value))
    if schematic:
        parts.append(inert("示意几何（屏幕上为虚线）/ schematic geometry (dashed on screen)"))
    return "<br>".join(parts)


def write_kml(path: Path, rows: list[dict[str, Any]], title: str, description: str) -> None:
    """Write rows (WGS84 shapely geometries or None) as a styled KML document."""
    from corridor_map.outputs.writers import UNLOCATED, geometry_layer

    ET.register_namespace("", _NS)
    root = ET.Element(f"{{{_NS}}}kml")
    document = ET.SubElement(root, f"{{{_NS}}}Document")
    ET.SubElement(document, f"{{{_NS}}}name").text = title
    ET.SubElement(document, f"{{{_NS}}}description").text = inert(description)
    folders: dict[str, ET.Element] = {}
    order = ["points", "lines", "polygons", UNLOCATED]
    layered = sorted(
        ((geometry_layer(row.get("geometry")) or UNLOCATED, row) for row in rows),
        key=lambda pair: order.index(pair[0]),
    )
    for layer, row in layered:
        if layer not in folders:
            folder = ET.SubElement(document, f"{{{_NS}}}Folder")
            ET.SubElement(folder, f"{{{_NS}}}name").text = _FOLDERS.get(layer, "未定位 / unlocated")
            folders[layer] = folder
        style = _style(row)
        ident = str(row.get("id") or "")
        placemark = ET.SubElement(folders[layer], f"{{{_NS}}}Placemark")
        if _NCNAME.match(ident):
            placemark.set("id", ident)
        name = row.get("name_zh") or row.get("name") or row.get("kind") or ident
        ET.SubElement(placemark, f"{{{_NS}}}name").text = str(name or "")
        ET.SubElement(placemark, f"{{{_NS}}}description").text = _balloon(
            row, bool(style.get("dashArray"))
        )
        ET.SubElement(placemark, f"{{{_NS}}}styleUrl").text = "#" + _style_element(document, style)
        extended = ET.SubElement(placemark, f"{{{_NS}}}ExtendedData")
        data = ET.SubElement(extended, f"{{{_NS}}}SchemaData", schemaUrl="#" + _SCHEMA)
        for key, value in row.items():
            if key == "geometry" or value is None:
                continue
            ET.SubElement(data, f"{{{_NS}}}SimpleData", name=str(key)).text = str(value)
        if row.get("geometry") is not None and not row["geometry"].is_empty:
            _geometry(placemark, row["geometry"])
    # Typed fields (KML's Schema, before the folders): GDAL reads them as columns with
    # their own names, Chinese ones included.
    schema = ET.Element(f"{{{_NS}}}Schema", name=_SCHEMA, id=_SCHEMA)
    columns = list(dict.fromkeys(k for row in rows for k in row if k != "geometry"))
    for column in columns:
        values = [row.get(column) for row in rows if row.get(column) is not None]
        number = bool(values) and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in values
        )
        ET.SubElement(
            schema, f"{{{_NS}}}SimpleField", name=column, type="double" if number else "string"
        )
    first_folder = next(
        (i for i, child in enumerate(document) if child.tag == f"{{{_NS}}}Folder"), len(document)
    )
    document.insert(first_folder, schema)
    tree = ET.ElementTree(root)
    ET.indent(tree, space=" ")
    with path.open("wb") as handle:
        tree.write(handle, encoding="utf-8", xml_declaration=True)
