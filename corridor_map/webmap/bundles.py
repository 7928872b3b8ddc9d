"""The map bundle: one content-addressed JavaScript file the browser fetches once.

It registers ``window.__cmBundles[digest] = {build(L), meta}``: folium's Leaflet script in
a function (rendered by :func:`corridor_map.webmap.build.map_bundle`) and the records the
component needs (labels, legend, previews, strings) as JSON.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class MapBundle:
    """A built map as one static JavaScript file the browser fetches once and caches.

    ``script`` registers ``window.__cmBundles[digest] = {build(L), meta}``: ``build`` runs
    folium's Leaflet script in a function (its ``var``s stay local) and returns the map,
    its GeoJSON layers by name and its tile layers; ``meta`` holds labels, legend rows,
    previews and UI strings as JSON data.
    """

    digest: str
    script: str
    map_id: str
    meta: dict[str, Any] = field(repr=False)

    @property
    def filename(self) -> str:
        """Content-addressed file name: a changed map is a new URL, so caching is safe."""
        return f"map-{self.digest}.js"


def assemble(body: str, map_id: str, meta: Mapping[str, Any]) -> MapBundle:
    """Wrap a rendered map's build function and its records into a :class:`MapBundle`.

    Parameters
    ----------
    body
        ``function (L) {...}`` returning the map, its GeoJSON layers and its tile layers.
    map_id
        The map's element id.
    meta
        JSON-serialisable records for the component; ``<`` is escaped so no text in them
        can close the script.
    """
    meta_json = json.dumps(dict(meta), ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    digest = hashlib.sha256((body + meta_json).encode("utf-8")).hexdigest()[:20]
    text = (
        "(window.__cmBundles = window.__cmBundles || {})"
        f"[{json.dumps(digest)}] = {{build: {body},\nmeta: {meta_json}}};\n"
    )
    return MapBundle(digest, text, map_id, dict(meta))
