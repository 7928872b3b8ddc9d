"""A synthetic road network with known answers, shared by the travel tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyproj import Geod

GEOD = Geod(ellps="WGS84")
LON0, LAT0, STEP = 121.0, 28.0, 0.01


def ref(fid: str, role: str, located: bool = True, **extra: object) -> dict:
    """Schema-valid reference properties: the atlas refuses a layer file that fails validate."""
    return {
        "id": fid,
        "name_zh": fid,
        "name_en": fid,
        "corridor": "reference",
        "role": role,
        "parent": None,
        "district": [],
        "sources": [],
        "geometry_basis": "schematic" if located else "unlocated",
        "geometry_source": "synthetic test network",
        "precision_m": 10 if located else None,
        **extra,
    }


def curated(fid: str, role: str, geometry: dict | None, **extra: object) -> dict:
    """A schema-valid curated feature (a real excerpt, a district), as the atlas requires."""
    shipped = Path(__file__).resolve().parent.parent / "layers" / "taizhou_bay.geojson"
    core = next(
        f
        for f in json.loads(shipped.read_text(encoding="utf-8"))["features"]
        if f["properties"]["id"] == "taizhou-central-core"
    )
    props = {
        "id": fid,
        "name_zh": fid,
        "name_en": fid,
        "corridor": "taizhou-bay",
        "role": role,
        "parent": None,
        "district": [{"name": "椒江区", "code": "331002"}],
        "status": None,
        "stated": [],
        "geometry_basis": "schematic" if geometry else "unlocated",
        "geometry_source": "synthetic test network",
        "precision_m": 10 if geometry else None,
        "sources": [core["properties"]["sources"][0]],
        **extra,
    }
    return {"type": "Feature", "properties": props, "geometry": geometry}


def node(i: int, j: int) -> tuple[float, float]:
    return (round(LON0 + i * STEP, 6), round(LAT0 + j * STEP, 6))


def edge(a: tuple[int, int], b: tuple[int, int], length_km: float) -> dict:
    return {
        "type": "Feature",
        "properties": ref(
            f"road-{a[0]}{a[1]}-{b[0]}{b[1]}",
            "road",
            u=f"{a[0]},{a[1]}",
            v=f"{b[0]},{b[1]}",
            length_km=length_km,
        ),
        "geometry": {"type": "LineString", "coordinates": [node(*a), node(*b)]},
    }


def point(fid: str, lonlat: tuple[float, float] | None, role: str = "landmark") -> dict:
    geometry = (
        None if lonlat is None else {"type": "Point", "coordinates": [round(c, 6) for c in lonlat]}
    )
    return {
        "type": "Feature",
        "properties": ref(fid, role, geometry is not None),
        "geometry": geometry,
    }


def write(folder: Path, name: str, features: list[dict], **extra: object) -> None:
    data = {
        "type": "FeatureCollection",
        "name": name,
        "description": "synthetic test layer",
        "features": features,
        **extra,
    }
    (folder / name).write_text(json.dumps(data), encoding="utf-8")


def make_grid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Write a 5 × 5 grid of 1 km edges, a detached 1-edge island, and points on nodes."""
    layers = tmp_path / "layers"
    layers.mkdir()
    edges = []
    for i in range(5):
        for j in range(5):
            if i < 4:
                edges.append(edge((i, j), (i + 1, j), 1.0))
            if j < 4:
                edges.append(edge((i, j), (i, j + 1), 1.0))
    # An island 0.5° east: no path joins it to the grid.
    island = [
        {
            "type": "Feature",
            "properties": ref("road-island", "road", u="i1", v="i2", length_km=1.0),
            "geometry": {"type": "LineString", "coordinates": [[121.5, 28.0], [121.51, 28.0]]},
        }
    ]
    write(layers, "ref_roads.geojson", edges + island)
    diagonal = {
        "type": "Feature",
        "properties": ref("diagonal-link", "road"),
        "geometry": {"type": "LineString", "coordinates": [node(0, 0), node(4, 4)]},
    }
    write(
        layers,
        "test_places.geojson",
        [
            point("sw", node(0, 0)),
            point("ne", node(4, 4)),
            point("se", node(4, 0)),
            point("island", (121.5, 28.0)),
            point("far-away", (123.0, 25.0)),
            point("unlocated", None),
            diagonal,
        ],
    )
    # What the validated load path needs beside the network: the real seeds (excerpts
    # resolve) and one district around the grid (containment is checked).
    import shutil

    shutil.copytree(Path(__file__).resolve().parent.parent / "seeds", tmp_path / "seeds")
    box = [[120.8, 27.7], [121.7, 27.7], [121.7, 28.3], [120.8, 28.3], [120.8, 27.7]]
    write(
        layers,
        "ref_districts.geojson",
        [
            {
                "type": "Feature",
                "properties": ref("district-331002", "district", code="331002")
                | {"name_zh": "椒江区"},
                "geometry": {"type": "Polygon", "coordinates": [box]},
            }
        ],
    )
    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(tmp_path))
    return layers


#: A real excerpt for synthetic travel targets (they must resolve like every other).
TARGET_SOURCE = {"doc": "wenling-reply-2025", "quote": "构建半小时城市交通圈"}


def add_planned(layers: Path, speed: float) -> None:
    links = [{"feature": "diagonal-link", "design_speed_kmh": speed, "speed_basis": "assumption"}]
    write(layers, "planned_links.geojson", [], links=links)
