"""The GeoNames seat layer (layers/ref_places.geojson), rebuilt and checked.

The rebuild needs the GeoNames clip in ``../shared/data-sources`` (build-time only); the
other checks read the committed layer and the district boundaries.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from shapely.geometry import shape

REPO = Path(__file__).resolve().parents[1]
LAYER = REPO / "layers" / "ref_places.geojson"
SHARED_SOURCES = Path(
    os.environ.get("CORRIDOR_MAP_SHARED_SOURCES", REPO.parent / "shared" / "data-sources")
)
GEONAMES = SHARED_SOURCES / "geonames_cities500_taizhou_wenzhou.geojson"
ROLE_BY_SUFFIX = {"街道": "street", "镇": "town", "乡": "township"}


@pytest.fixture(scope="module")
def collection():
    return json.loads(LAYER.read_text("utf-8"))


@pytest.fixture(scope="module")
def districts():
    raw = json.loads((REPO / "layers" / "ref_districts.geojson").read_text("utf-8"))
    return {f["properties"]["code"]: shape(f["geometry"]) for f in raw["features"]}


@pytest.mark.skipif(not GEONAMES.is_file(), reason=f"GeoNames clip absent ({GEONAMES})")
def test_build_script_reproduces_the_committed_places_layer_byte_for_byte(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "build_layers.py"),
            "--sources",
            str(SHARED_SOURCES),
            "--out",
            str(tmp_path),
            "--only",
            "ref_places",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "ref_places.geojson").read_bytes() == LAYER.read_bytes()


@pytest.mark.skipif(not GEONAMES.is_file(), reason=f"GeoNames clip absent ({GEONAMES})")
def test_every_place_is_a_geonames_seat_with_its_own_chinese_name(collection):
    source = {
        f["properties"]["geonameid"]: f for f in json.loads(GEONAMES.read_text("utf-8"))["features"]
    }
    for feature in collection["features"]:
        props = feature["properties"]
        raw = source[props["geonameid"]]
        assert props["id"] == f"place-{props['geonameid']}"
        assert props["name_en"] == raw["properties"]["name"]
        assert props["name_zh"] in raw["properties"]["alternatenames"].split(",")
        assert props["feature_code"] == raw["properties"]["feature_code"]
        assert feature["geometry"]["coordinates"] == raw["geometry"]["coordinates"]
    # Seats the SOURCE.txt lists as covered are in; the missing ones are not invented.
    names = {f["properties"]["name_zh"] for f in collection["features"]}
    assert {"城东街道", "海门街道", "东城街道", "路北街道", "太平街道", "泽国镇"} <= names
    assert not names & {"茶山街道", "三垟街道", "永中街道", "塘下镇", "箬横镇", "松门镇"}


def test_roles_follow_the_seat_names_and_county_seats_are_marked(collection):
    county_seats = {}
    for feature in collection["features"]:
        props = feature["properties"]
        suffix = next(s for s in ROLE_BY_SUFFIX if props["name_zh"].endswith(s))
        if props["feature_code"] in ("PPLA2", "PPLA3"):
            assert props["role"] == "county_seat"
            county_seats[props["seat_of"]["name"]] = props["name_zh"]
        else:
            assert props["feature_code"] == "PPLA4"
            assert props["role"] == ROLE_BY_SUFFIX[suffix]
        assert props["corridor"] == "reference" and props["sources"] == []
        assert props["geometry_basis"] == "public_coordinates"
    assert county_seats["椒江区"] == "海门街道"
    assert county_seats["黄岩区"] == "东城街道"
    assert county_seats["温岭市"] == "太平街道"
    assert collection["attribution"] == "GeoNames (geonames.org), CC BY 4.0"


def test_each_place_lies_in_the_district_it_lists(collection, districts):
    for feature in collection["features"]:
        (entry,) = feature["properties"]["district"]
        point = shape(feature["geometry"])
        # coastal seats may sit up to 0.01° off the simplified land boundary
        assert districts[entry["code"]].distance(point) <= 0.01, feature["properties"]["id"]
        others = [c for c, g in districts.items() if c != entry["code"] and g.covers(point)]
        assert not others, feature["properties"]["id"]


def test_place_name_rule_prefers_the_seats_own_unit_name():
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        from build_layers import place_name
    finally:
        sys.path.remove(str(REPO / "scripts"))
    assert place_name("Liushi,柳市,柳市镇") == ("柳市镇", "town")
    assert place_name("Huzhen,壶镇,壶镇镇") == ("壶镇镇", "town")
    assert place_name("东城,东城街道,黄岩区") == ("东城街道", "street")
    assert place_name("Haishan,海山,海山乡") == ("海山乡", "township")
    assert place_name("Wenzhou,温州,温州市,溫州市") is None
    assert place_name("Shiqiao,仕桥") is None
