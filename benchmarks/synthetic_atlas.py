"""Write a synthetic data folder (``seeds/`` + ``layers/``) for the scale benchmark.

The folder has the layout ``CORRIDOR_MAP_DATA`` expects (see :mod:`corridor_map.core.paths`):
every real layer and seed is copied unchanged, then

* **documents**: ``documents - 5`` copies of the real seeds (byte-for-byte, so the catalog's
  sha256 still holds) under new ids ``syn-NNN-<id>``, each with a catalog entry copied from
  its original (title marked as a synthetic copy) and the original's corrections;
* **features**: ``features - 84`` copies of the real curated features in
  ``synthetic_rNNNN_<layer>.geojson`` files (one per replica and source layer), ids
  ``syn-NNNN-<id>``, names marked ``（合成N）`` / ``(synthetic N)``. A located copy is translated
  by a seeded random offset (whole 0.001° steps of the curation grid, so shape, area,
  winding, decimals and grid alignment are kept) that leaves it inside its districts and
  the region, clear of ``keep_clear`` points (where the benchmark clicks), and no more
  GCJ-02-looking than as placed (no more vertices near a district boundary or reference
  station, and no better district fit, after a GCJ-02 → WGS84 conversion: validate's
  check of a shifted file); when no offset fits it keeps the original position, and when
  even that fails the copy is skipped for the next source.
  Parents and ``within`` links point at the same replica's copy when there is one. Every
  excerpt is the original's, cited from one of the original document's synthetic copies
  (from the original itself only when it has none, e.g. ``--documents 5``), so it still
  resolves verbatim.

Nothing is written into the real ``layers/`` or ``seeds/``: the output folder must lie
outside them.

The result is deterministic for given arguments. Run:
``.venv/bin/python benchmarks/synthetic_atlas.py OUT --features 1000 --documents 100``
(checks the folder with ``corridor-map validate`` unless ``--no-validate``).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from corridor_map.atlas.checks_gcj02 import ANCHOR_NEAR_M
from corridor_map.core.vocab import DISTRICTS_FILE, REGION
from corridor_map.geo.gcj02 import gcj02_to_wgs84, gcj02_to_wgs84_geometry, wgs84_to_gcj02

ROOT = Path(__file__).resolve().parent.parent
SOURCE_LAYERS = ("taizhou_bay.geojson", "wenling_lakes.geojson", "wenzhou_daluo.geojson")
#: largest offset tried (degrees, ≈ 5.5 km), halved after every few misses.
MAX_OFFSET_DEG = 0.05
TRIES = 16
#: no synthetic copy comes this close (degrees, ≈ 600 m) to a keep-clear point.
KEEP_CLEAR_DEG = 0.006
#: offsets are whole steps of the curation grid, so copies stay on it as the originals do.
GRID_UDEG = 1000
#: a vertex this close to a district boundary or reference station is "anchored" (validate).
NEAR_DEG = ANCHOR_NEAR_M / 111_320.0
#: reference layers whose shapes are anchors (validate's GCJ-02 check), besides districts.
ANCHOR_LAYERS = ("ref_rail_stations.geojson", "ref_aeroways.geojson", "ref_s1_stations.geojson")


@dataclass(frozen=True)
class Summary:
    """What :func:`write_synthetic` wrote."""

    folder: Path
    features: int
    documents: int
    moved: int
    in_place: int
    skipped: int
    seconds: float


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _curated(layers: Path) -> list[tuple[str, dict[str, Any]]]:
    """Source features (file, raw feature), parents before children."""
    raw = [(name, f) for name in SOURCE_LAYERS for f in _read(layers / name)["features"]]
    ids = {f["properties"]["id"] for _, f in raw}
    placed: list[tuple[str, dict[str, Any]]] = []
    done: set[str] = set()
    pending = raw
    while pending:
        rest = []
        for name, feature in pending:
            parent = feature["properties"].get("parent")
            if parent is None or parent in done or parent not in ids:
                placed.append((name, feature))
                done.add(feature["properties"]["id"])
            else:
                rest.append((name, feature))
        if len(rest) == len(pending):  # a cycle cannot pass validation; keep file order
            placed.extend(rest)
            break
        pending = rest
    return placed


def _districts(layers: Path) -> dict[str, BaseGeometry]:
    out = {}
    for feature in _read(layers / DISTRICTS_FILE)["features"]:
        props = feature["properties"]
        out[str(props.get("code"))] = shape(feature["geometry"])
    return out


class _Placer:
    """Finds an offset keeping a copy in its districts and off the keep-clear points."""

    def __init__(
        self,
        districts: dict[str, BaseGeometry],
        keep_clear: Sequence[Any],
        anchors: Sequence[BaseGeometry] = (),
        reference_points: Sequence[tuple[float, float]] = (),
    ) -> None:
        self.districts = districts
        shapes = [g.boundary for g in districts.values()] + list(anchors)
        self.anchors = shapely.STRtree(shapes) if shapes else None
        # Where a reference point would sit in GCJ-02: a point copy must not land there.
        images = []
        if reference_points:
            lon, lat = wgs84_to_gcj02(*np.asarray(reference_points, dtype=float).T)
            images = list(shapely.points(np.column_stack([lon, lat])))
        self.gcj_images = shapely.STRtree(images) if images else None
        self.unions: dict[tuple[str, ...], BaseGeometry] = {}
        clear = [shapely.Point(lon, lat).buffer(KEEP_CLEAR_DEG) for lon, lat in keep_clear]
        self.clear = shapely.union_all(clear) if clear else None
        lon0, lat0, lon1, lat1 = REGION
        self.region = shapely.box(lon0, lat0, lon1, lat1)

    def union(self, codes: tuple[str, ...]) -> BaseGeometry:
        if codes not in self.unions:
            area = shapely.union_all([self.districts[c] for c in codes if c in self.districts])
            shapely.prepare(area)
            self.unions[codes] = area
        return self.unions[codes]

    def outside(self, geometry: BaseGeometry, codes: tuple[str, ...]) -> float:
        area = self.union(codes)
        if geometry.geom_type in {"Point", "MultiPoint"}:
            return 0.0 if area.contains(geometry) else 1.0
        if geometry.geom_type in {"LineString", "MultiLineString"}:
            return geometry.difference(area).length / max(geometry.length, 1e-12)
        return geometry.difference(area).area / max(geometry.area, 1e-12)

    def blocked(self, geometry: BaseGeometry) -> bool:
        return self.clear is not None and geometry.intersects(self.clear)

    def _near(self, xy: np.ndarray) -> int:
        if self.anchors is None or not len(xy):
            return 0
        hits = self.anchors.query(shapely.points(xy), predicate="dwithin", distance=NEAR_DEG)
        return int(np.unique(hits[0]).size)

    def looks_gcj(self, geometry: BaseGeometry, codes: tuple[str, ...]) -> bool:
        """True when converting GCJ-02 → WGS84 would fit the anchors better than as placed."""
        xy = shapely.get_coordinates(geometry)
        if self.gcj_images is not None and geometry.geom_type in {"Point", "MultiPoint"}:
            hits = self.gcj_images.query(shapely.points(xy), predicate="dwithin", distance=NEAR_DEG)
            if hits.size:
                return True
        lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
        if self._near(np.column_stack([lon, lat])) > self._near(xy):
            return True
        if not codes:
            return False
        given = self.outside(geometry, codes)
        back = gcj02_to_wgs84_geometry(geometry)
        return given > 0 and back.is_valid and given >= 4 * self.outside(back, codes)

    def fits(self, geometry: BaseGeometry, codes: tuple[str, ...]) -> bool:
        return not self.blocked(geometry) and not self.looks_gcj(geometry, codes)

    def place(
        self, geometry: BaseGeometry, codes: tuple[str, ...], rng: random.Random
    ) -> tuple[int, int] | None:
        """Offset in micro-degrees, ``(0, 0)`` for in place, None when even that is blocked."""
        if not codes or not self.region.contains(geometry):
            return (0, 0) if self.fits(geometry, codes) else None
        allowed = self.outside(geometry, codes) + 0.002
        size = MAX_OFFSET_DEG
        for attempt in range(TRIES):
            if attempt and attempt % 4 == 0:
                size /= 2
            dx = round(rng.uniform(-size, size) * 1e6 / GRID_UDEG) * GRID_UDEG
            dy = round(rng.uniform(-size, size) * 1e6 / GRID_UDEG) * GRID_UDEG
            if dx == dy == 0:
                continue
            moved = shapely.transform(
                geometry, lambda xy, d=(dx / 1e6, dy / 1e6): xy + np.asarray(d)
            )
            if (
                self.region.contains(moved)
                and self.outside(moved, codes) <= allowed
                and self.fits(moved, codes)
            ):
                return dx, dy
        return (0, 0) if self.fits(geometry, codes) else None


def _shift(coords: Any, dx: int, dy: int) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        x = round((round(coords[0] * 1e6) + dx) / 1e6, 6)
        y = round((round(coords[1] * 1e6) + dy) / 1e6, 6)
        return [x, y, *coords[2:]]
    return [_shift(c, dx, dy) for c in coords]


def _recite(value: Any, doc_map: dict[str, list[str]], replica: int) -> Any:
    """Point every ``{"doc", "quote"}`` at one of the document's copies (same text).

    ``doc_map`` lists the citable ids of each real document, its synthetic copies first.
    """
    if isinstance(value, dict):
        out = {k: _recite(v, doc_map, replica) for k, v in value.items()}
        doc = out.get("doc")
        if isinstance(doc, str) and isinstance(out.get("quote"), str) and doc in doc_map:
            copies = doc_map[doc]
            out["doc"] = copies[replica % len(copies)]
        return out
    if isinstance(value, list):
        return [_recite(v, doc_map, replica) for v in value]
    return value


def _write_documents(src: Path, dst: Path, documents: int) -> dict[str, list[str]]:
    """Copy the seeds and add ``documents - len(real)`` copies; return id → ids citable.

    The citable ids of a document are its synthetic copies, or the original when it has none.
    """
    shutil.copytree(src, dst)
    catalog = _read(src / "catalog.json")
    corrections = _read(src / "corrections.json")
    real = list(catalog["documents"])
    doc_map: dict[str, list[str]] = {entry["id"]: [] for entry in real}
    extra = max(documents - len(real), 0)
    for j in range(extra):
        entry = copy.deepcopy(real[j % len(real)])
        original = entry["id"]
        number = j // len(real) + 1
        entry["id"] = f"syn-{number:03d}-{original}"
        entry["seed_file"] = f"9{j:03d}_{entry['seed_file']}"
        entry["title"] = f"{entry['title']}（合成副本{number}）"
        if entry.get("title_en"):
            entry["title_en"] = f"{entry['title_en']} (synthetic copy {number})"
        entry["notes"] = f"Synthetic benchmark copy of {original} (benchmarks/synthetic_atlas.py)."
        data = (src / real[j % len(real)]["seed_file"]).read_bytes()
        (dst / entry["seed_file"]).write_bytes(data)
        entry["sha256"] = hashlib.sha256(data).hexdigest()
        catalog["documents"].append(entry)
        corrections["corrections"].extend(
            dict(c, doc=entry["id"])
            for c in list(corrections["corrections"])
            if c["doc"] == original
        )
        doc_map[original].append(entry["id"])
    for entry in real:
        doc_map[entry["id"]] = doc_map[entry["id"]] or [entry["id"]]
    _write(dst / "catalog.json", catalog)
    _write(dst / "corrections.json", corrections)
    return doc_map


def _mark(props: dict[str, Any], replica: int) -> None:
    props["name_zh"] = f"{props['name_zh']}（合成{replica}）"
    props["name_en"] = f"{props['name_en']} (synthetic {replica})"


def write_synthetic(
    out: Path | str,
    features: int = 1000,
    documents: int = 100,
    *,
    seed: int = 8,
    keep_clear: Iterable[tuple[float, float]] = (),
    source: Path | str = ROOT,
) -> Summary:
    """Write a complete data folder with ``features`` curated features and ``documents``.

    Parameters
    ----------
    out
        Folder to create (replaced when it exists); gets ``seeds/`` and ``layers/``.
    features
        Curated features in all (the real ones included; fewer than the real is an error).
    documents
        Documents in all (the real ones included).
    seed
        Seed of the random offsets: the same arguments write the same files.
    keep_clear
        ``(lon, lat)`` points no synthetic copy may cover (where the benchmark clicks).
    source
        Folder holding the real ``seeds/`` and ``layers/``.

    Returns
    -------
    Summary
        Counts of what was written and how long it took.
    """
    started = time.perf_counter()
    out, source = Path(out).resolve(), Path(source).resolve()
    if out == source or source.is_relative_to(out) or out.is_relative_to(source / "layers"):
        raise ValueError(f"{out}: the output folder must not hold or replace the real data")
    if out.is_relative_to(source / "seeds"):
        raise ValueError(f"{out}: the output folder must not lie in the real seeds")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    doc_map = _write_documents(source / "seeds", out / "seeds", documents)
    layers = out / "layers"
    shutil.copytree(source / "layers", layers)
    sources = _curated(layers)
    if features < len(sources):
        raise ValueError(f"features must be at least the {len(sources)} real ones")
    rng = random.Random(seed)
    anchors = [
        shape(f["geometry"]).boundary
        if f["geometry"]["type"].endswith("Polygon")
        else shape(f["geometry"])
        for name in ANCHOR_LAYERS
        if (layers / name).is_file()
        for f in _read(layers / name)["features"]
        if f.get("geometry")
    ]
    reference_points = [
        tuple(f["geometry"]["coordinates"][:2])
        for path in sorted(layers.glob("ref_*.geojson"))
        for f in _read(path)["features"]
        if (f.get("geometry") or {}).get("type") == "Point"
    ]
    placer = _Placer(_districts(layers), list(keep_clear), anchors, reference_points)
    wanted = features - len(sources)
    written = moved = in_place = skipped = 0
    replica = 0
    while written < wanted:
        replica += 1
        files: dict[str, list[dict[str, Any]]] = {}
        copies: dict[str, str] = {}
        for name, feature in sources:
            if written >= wanted:
                break
            props = feature["properties"]
            new = copy.deepcopy(feature)
            new_props = _recite(new["properties"], doc_map, replica)
            new["properties"] = new_props
            new_id = f"syn-{replica:04d}-{props['id']}"
            new_props["id"] = new_id
            _mark(new_props, replica)
            parent = props.get("parent")
            if isinstance(parent, str):
                new_props["parent"] = copies.get(parent, parent)
            within = new_props.get("within")
            if isinstance(within, dict) and within.get("kind") == "feature":
                within["id"] = copies.get(within.get("id"), within.get("id"))
            if feature.get("geometry") is not None:
                geometry = shape(feature["geometry"])
                codes = tuple(
                    sorted(str(d["code"]) for d in props.get("district", []) if "code" in d)
                )
                if props.get("role") == "enclave":
                    codes = ()
                offset = placer.place(geometry, codes, rng)
                if offset is None:
                    skipped += 1
                    continue
                if offset == (0, 0):
                    in_place += 1
                else:
                    moved += 1
                    new["geometry"]["coordinates"] = _shift(
                        feature["geometry"]["coordinates"], *offset
                    )
                    assert shape(new["geometry"]).is_valid, new_id
            copies[props["id"]] = new_id
            files.setdefault(name, []).append(new)
            written += 1
        for name, items in files.items():
            attribution = _read(layers / name).get("attribution")
            _write(
                layers / f"synthetic_r{replica:04d}_{name}",
                {
                    "type": "FeatureCollection",
                    **({"attribution": attribution} if attribution else {}),
                    "name": f"synthetic_r{replica:04d}_{Path(name).stem}",
                    "description": f"Synthetic benchmark copies of {name} (replica {replica}).",
                    "features": items,
                },
            )
    return Summary(
        out,
        len(sources) + written,
        len(_read(out / "seeds" / "catalog.json")["documents"]),
        moved,
        in_place,
        skipped,
        time.perf_counter() - started,
    )


def validate_folder(folder: Path | str, timeout_s: float = 900) -> tuple[bool, str, float]:
    """Run ``corridor-map validate`` on a data folder; return (passed, output, seconds)."""
    env = dict(os.environ, CORRIDOR_MAP_DATA=str(folder))
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "corridor_map.cli.main",
            "validate",
            "--layers",
            str(Path(folder) / "layers"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    return done.returncode == 0, (done.stdout + done.stderr).strip(), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--features", type=int, default=1000)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--no-validate", action="store_true")
    args = parser.parse_args()
    summary = write_synthetic(args.out, args.features, args.documents, seed=args.seed)
    print(
        f"{summary.folder}: {summary.features} features ({summary.moved} moved, "
        f"{summary.in_place} in place, {summary.skipped} copies skipped), "
        f"{summary.documents} documents, {summary.seconds:.1f} s"
    )
    if not args.no_validate:
        ok, output, seconds = validate_folder(args.out)
        print(f"validate: {'passed' if ok else 'FAILED'} in {seconds:.1f} s")
        if not ok:
            print(output)
            sys.exit(1)


if __name__ == "__main__":
    main()
