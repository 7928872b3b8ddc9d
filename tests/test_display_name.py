"""The one display name by language: Chinese, or English falling back to Chinese."""

from __future__ import annotations

from corridor_map.atlas.model import Atlas
from corridor_map.core.i18n import display_name
from corridor_map.travel.reach import places


def test_a_feature_and_its_properties_give_the_same_name(atlas: Atlas) -> None:
    feature = atlas.get("taizhou-central-core")
    assert feature.name_zh and feature.name_en
    for lang, expected in (("zh", feature.name_zh), ("en", feature.name_en)):
        assert display_name(feature, lang) == expected
        assert display_name(feature.properties, lang) == expected


def test_english_falls_back_to_chinese_and_an_unknown_language_reads_chinese() -> None:
    assert display_name({"name_zh": "九龙湖", "name_en": ""}, "en") == "九龙湖"
    assert display_name({"name_zh": "九龙湖"}, "en") == "九龙湖"
    assert display_name({"name_zh": "九龙湖", "name_en": "Jiulong Lake"}, "fr") == "九龙湖"
    assert display_name({}, "zh") == ""


def test_every_place_of_the_travel_view_has_a_label_in_both_languages(atlas: Atlas) -> None:
    found = places(atlas)
    assert found
    for place in found:
        assert display_name(place, "zh") == place.name_zh != ""
        assert display_name(place, "en") == (place.name_en or place.name_zh) != ""
