"""The project's one vocabulary: corridors, roles, geometry bases, units, region, layer
file names and tolerances.

Every module that needs one of these lists imports it from here (the atlas, measuring,
the panel, export and the CLI re-export some under their old names). Nothing here reads a
file or imports from the package.
"""

from __future__ import annotations

__all__ = [
    "AREA_TOLERANCE",
    "AREA_UNITS_KM2",
    "CONTAINMENT_BUFFER_M",
    "CONTAINMENT_SHARE",
    "CORRIDORS",
    "DISTRICTS_FILE",
    "GEOMETRY_BASES",
    "LAYER_CORRIDORS",
    "LENGTH_UNITS_KM",
    "PLACE_ROLES",
    "PLANNED_LINKS_FILE",
    "RAILWAYS_FILE",
    "REFERENCE",
    "REFERENCE_ROLES",
    "REGION",
    "REGISTER_FILE",
    "ROADS_FILE",
    "ROLES",
    "STATUS_VALUES",
    "TARGETS_FILE",
    "WITHIN_KINDS",
    "area_in_km2",
]

#: the three corridors the documents plan, in display order.
CORRIDORS = ("taizhou-bay", "wenzhou-daluo", "wenling-lakes")
#: the ``corridor`` of the derived reference layers (districts, roads, stations, seats).
REFERENCE = "reference"
#: every value a layer feature's ``corridor`` may take.
LAYER_CORRIDORS = (*CORRIDORS, REFERENCE)

ROLES = (
    "extent",
    "core",
    "zone",
    "belt",
    "area",
    "key_block",
    "platform",
    "landmark",
    "road",
    "railway",
    "gateway",
    "enclave",
    "district",
    "station",
    "runway",
    "taxiway",
    # reference seats (ref_places, GeoNames): 街道, 镇, 乡, county-level seat
    "street",
    "town",
    "township",
    "county_seat",
)
#: roles of the GeoNames seats in ref_places (a ``within`` of kind "place" names one).
PLACE_ROLES = ("street", "town", "township", "county_seat")
#: roles only reference layers use (``features`` lists them only when asked).
REFERENCE_ROLES = ("district", "station", "runway", "taxiway")
#: what a ``within`` may name: a curated feature, a ref_places seat or a district.
WITHIN_KINDS = ("feature", "place", "district")
GEOMETRY_BASES = (
    "admin_boundary",
    "official",
    "osm",
    "public_coordinates",
    "schematic",
    "unlocated",
)
STATUS_VALUES = ("planned", "under_construction", "in_use")

#: lon_min, lat_min, lon_max, lat_max of the mapped region (WGS84 degrees).
REGION = (120.2, 27.5, 121.9, 29.0)
#: allowed relative difference between a stated area and the geodesic area.
AREA_TOLERANCE = 0.10
#: how far outside its districts a curated feature may reach (schematic slack).
CONTAINMENT_BUFFER_M = 200.0
#: share of a line's length / polygon's area that must lie inside its districts.
CONTAINMENT_SHARE = 0.95

#: the one table of area units a document may state, with their size in km²
#: (1 公顷 = 1 ha = 0.01 km²; 1 亩 = 1/15 公顷; 1 万亩 = 10,000 亩).
AREA_UNITS_KM2 = {
    "km²": 1.0,
    "平方公里": 1.0,
    "m²": 1e-6,
    "万m²": 1e-2,
    "ha": 1e-2,
    "公顷": 1e-2,
    "亩": 1.0 / 1500.0,
    "万亩": 10_000.0 / 1500.0,
    "km2": 1.0,
}
#: length units, with their size in km.
LENGTH_UNITS_KM = {"km": 1.0, "公里": 1.0, "m": 1e-3}


def area_in_km2(value: float, unit: str) -> float | None:
    """Convert a stated area to km², or None for a unit that is not an area."""
    factor = AREA_UNITS_KM2.get(unit)
    return None if factor is None else value * factor


# Files of layers/ that code refers to by name.
DISTRICTS_FILE = "ref_districts.geojson"
ROADS_FILE = "ref_roads.geojson"
RAILWAYS_FILE = "ref_railways.geojson"
PLANNED_LINKS_FILE = "planned_links.geojson"
TARGETS_FILE = "travel_targets.json"
REGISTER_FILE = "indicators.json"
