"""What an import says to the user, in both languages: refusals (:class:`UploadError`)
and warnings (:class:`Note`), among them the whole-file GCJ-02 / BD-09 check.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from corridor_map.analysis.measure import MeasureInputError
from corridor_map.atlas.model import Feature
from corridor_map.geo import gcj02
from corridor_map.geo.geodesy import distance_km

__all__ = ["Note", "ReferencePoint", "UploadError", "offset_notes", "reference_points"]

#: A reference point (an OSM station, stop or runway of the atlas): id, lon, lat (WGS84).
ReferencePoint = tuple[str, float, float]
#: A vertex this close to the GCJ-02 / BD-09 image of a reference point matches it (the
#: image lies 500–1,100 m from the point here, so such a vertex is far from the point).
OFFSET_MATCH_M = 60.0
#: The whole-file test: at least this many reference points matched by their image ...
OFFSET_MIN_POINTS = 3
#: ... and at least this share of the reference points the file touches (by their image
#: or by their true position). One vertex near one image (a chance, e.g. a curated
#: polygon's corner 23 m from a station's Baidu image) never decides.
OFFSET_MIN_SHARE = 0.75
#: Degree window around a reference point (60 m is < 0.0007° here in both axes).
_WINDOW_DEG = 0.0007


class UploadError(MeasureInputError):
    """A file that cannot be imported; the message names the file and what was found.

    Parameters
    ----------
    name
        The file name, first in both messages.
    zh, en
        The reason in Chinese and in English.
    """

    def __init__(self, name: str, zh: str, en: str) -> None:
        self.zh = f"{name}: {zh}"
        self.en = f"{name}: {en}"
        super().__init__(f"{self.zh} / {en}")

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        # Sent back from the upload worker: rebuilt with both texts, not the joint message.
        return (_rebuilt_upload_error, (self.zh, self.en))

    def text(self, lang: str) -> str:
        """Return the message in ``lang`` (``"zh"`` or ``"en"``)."""
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Note:
    """One warning about an imported file, in both languages."""

    zh: str
    en: str

    def text(self, lang: str) -> str:
        """Return the note in ``lang``."""
        return self.zh if lang == "zh" else self.en

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


def collection_notes(
    name: str, features: list[tuple[dict[str, Any], BaseGeometry | None]]
) -> list[Note]:
    notes = []
    for index, (_, g) in enumerate(features):
        if g is not None and g.geom_type == "GeometryCollection":
            kinds = ", ".join(sorted({part.geom_type for part in g.geoms})) or "empty"
            notes.append(
                Note(
                    f"{name} 要素 #{index}：几何集合（{kinds}），各成员量算后相加",
                    f"{name} feature #{index}: a GeometryCollection ({kinds}); its members "
                    "are measured and summed",
                )
            )
    return notes


# --------------------------------------------------------------------------- measuring


def _rebuilt_upload_error(zh: str, en: str) -> UploadError:
    error = UploadError("", "", "")
    error.zh, error.en = zh, en
    error.args = (f"{zh} / {en.split(': ', 1)[-1]}",)
    return error


def reference_points(features: Iterable[Feature]) -> tuple[ReferencePoint, ...]:
    """The reference layers' points (stations, stops, runways) an upload is compared with.

    Parameters
    ----------
    features
        The atlas's features (the caller passes them: the import never loads the atlas).
    """
    return tuple(
        (f.id, f.geometry.x, f.geometry.y)
        for f in features
        if f.corridor == "reference" and f.geometry is not None and f.geometry.geom_type == "Point"
    )


def _matched(
    tree: shapely.STRtree, vertices: np.ndarray, lon: np.ndarray, lat: np.ndarray
) -> set[int]:
    """Indices of the positions (lon, lat) with a vertex within :data:`OFFSET_MATCH_M`."""
    pairs = tree.query(shapely.points(lon, lat), predicate="dwithin", distance=_WINDOW_DEG)
    found: set[int] = set()
    for ref, vertex in zip(pairs[0], pairs[1], strict=True):
        if int(ref) in found:
            continue
        x, y = vertices[vertex]
        if distance_km(x, y, lon[ref], lat[ref]) * 1000 <= OFFSET_MATCH_M:
            found.add(int(ref))
    return found


def offset_notes(
    name: str,
    features: Sequence[tuple[dict[str, Any], BaseGeometry | None]],
    references: Sequence[ReferencePoint],
) -> list[Note]:
    """Warn when the whole file sits where Gaode (GCJ-02) or Baidu (BD-09) draw things.

    The file's vertices are compared with the reference points and with their GCJ-02 and
    BD-09 images. It is reported only when at least :data:`OFFSET_MIN_POINTS` reference
    points are matched by their image and those are at least :data:`OFFSET_MIN_SHARE` of
    the reference points the file touches at all: a file shifted as a whole does that; a
    WGS84 file that happens to pass one image (or runs along the true positions) does not.
    """
    geometries = [g for _, g in features if g is not None and not g.is_empty]
    if not references or not geometries:
        return []
    vertices = np.concatenate([shapely.get_coordinates(g) for g in geometries])
    tree = shapely.STRtree(shapely.points(vertices))
    ref_lon = np.array([r[1] for r in references])
    ref_lat = np.array([r[2] for r in references])
    true = _matched(tree, vertices, ref_lon, ref_lat)
    for system, image in (("GCJ-02", gcj02.wgs84_to_gcj02), ("BD-09", gcj02.wgs84_to_bd09)):
        img_lon, img_lat = (np.asarray(v) for v in image(ref_lon, ref_lat))
        shifted = _matched(tree, vertices, img_lon, img_lat) - true
        touched = len(shifted | true)
        if len(shifted) < OFFSET_MIN_POINTS or len(shifted) < OFFSET_MIN_SHARE * touched:
            continue
        app_zh, app_en = ("高德", "Gaode") if system == "GCJ-02" else ("百度", "Baidu")
        ids = sorted(references[i][0] for i in shifted)
        shown = ", ".join(ids[:3]) + ("…" if len(ids) > 3 else "")
        return [
            Note(
                f"{name}：坐标像 {system}（{app_zh}地图）：{len(shifted)} 个参考站点"
                f"（{shown}）的 {system} 位置旁 {OFFSET_MATCH_M:.0f} m 内有本文件的点，"
                f"其 WGS84 位置旁只有 {len(true)} 个；若取自{app_zh}地图，请将坐标系选为 {system}",
                f"{name}: coordinates look like {system}: the file has vertices within "
                f"{OFFSET_MATCH_M:.0f} m of the {system} position of {len(shifted)} reference "
                f"stations ({shown}) and of the WGS84 position of {len(true)}; if they were "
                f"picked on {app_en}, declare {system}",
            )
        ]
    return []
