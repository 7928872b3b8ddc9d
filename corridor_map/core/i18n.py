"""User-interface strings in Chinese (the default) and English.

Every label the app shows goes through :func:`t`, so the language toggle reaches all of
them; a key missing from either language is a bug and raises ``KeyError`` in the tests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol

from corridor_map.core.ui_strings import UI_STRINGS
from corridor_map.core.verdicts import INDICATOR_CODES, TRAVEL_CODES, VERDICTS

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

_STRINGS: dict[str, dict[str, str]] = dict(UI_STRINGS)

# Verdict words come from the one table of corridor_map.core.verdicts.
_STRINGS.update(
    {f"verdict_{code}": {"zh": VERDICTS[code].zh, "en": VERDICTS[code].en} for code in TRAVEL_CODES}
)
_STRINGS.update(
    {
        f"ind_status_{code}": {"zh": VERDICTS[code].zh, "en": VERDICTS[code].en}
        for code in INDICATOR_CODES
    }
)

ROLE_NAMES: dict[str, dict[str, str]] = {
    "extent": {"zh": "范围", "en": "extent"},
    "core": {"zh": "核心", "en": "core"},
    "zone": {"zh": "片区", "en": "zone"},
    "belt": {"zh": "带", "en": "belt"},
    "area": {"zh": "区域", "en": "area"},
    "key_block": {"zh": "重点地块", "en": "key block"},
    "platform": {"zh": "平台", "en": "platform"},
    "landmark": {"zh": "地标", "en": "landmark"},
    "road": {"zh": "道路", "en": "road"},
    "gateway": {"zh": "门户枢纽", "en": "gateway"},
    "enclave": {"zh": "飞地", "en": "enclave"},
    "district": {"zh": "区县", "en": "district"},
    "street": {"zh": "街道驻地", "en": "street-office seat"},
    "town": {"zh": "镇驻地", "en": "town seat"},
    "township": {"zh": "乡驻地", "en": "township seat"},
    "county_seat": {"zh": "县级驻地", "en": "county-level seat"},
    "station": {"zh": "车站", "en": "station"},
}

CORRIDOR_NAMES: dict[str, dict[str, str]] = {
    # As the documents write them (and as the layers' root features are named).
    "taizhou-bay": {"zh": "台州湾科创走廊", "en": "Taizhou Bay S&T Innovation Corridor"},
    "wenzhou-daluo": {
        "zh": "温州环大罗山科创走廊",
        "en": "Wenzhou Daluo Mountain S&T Innovation Corridor",
    },
    # wenling-reply-2025: "统筹推进两大科创湖区建设" / "九龙湖科创中心和环龙门湖科创带".
    "wenling-lakes": {
        "zh": "两大科创湖区（温岭）",
        "en": "Two S&T innovation lake areas (Wenling)",
    },
    "reference": {"zh": "参考图层", "en": "Reference"},
}

GEOMETRY_BASIS_NAMES: dict[str, dict[str, str]] = {
    "admin_boundary": {"zh": "行政区界", "en": "administrative boundary"},
    "official": {"zh": "官方边界（主管部门提供）", "en": "official (supplied by the authority)"},
    "osm": {"zh": "OpenStreetMap 数据", "en": "OpenStreetMap data"},
    "public_coordinates": {"zh": "公开坐标", "en": "public coordinates"},
    "schematic": {"zh": "示意（非官方边界）", "en": "schematic (not an official boundary)"},
    "unlocated": {"zh": "未定位", "en": "not located"},
}

STATUS_NAMES: dict[str, dict[str, str]] = {
    "planned": {"zh": "规划", "en": "planned"},
    "under_construction": {"zh": "在建", "en": "under construction"},
    "in_use": {"zh": "已建成使用", "en": "in use"},
}

QUANTITY_NAMES: dict[str, dict[str, str]] = {
    "area": {"zh": "面积", "en": "area"},
    "floor_area": {"zh": "建筑面积", "en": "floor area"},
    "length": {"zh": "长度", "en": "length"},
    "travel_time": {"zh": "通行时间", "en": "travel time"},
}


#: The documents' units as an English reader reads them; the figures themselves stay as
#: the documents write them (a quote), the unit is named beside them.
UNIT_NAMES: dict[str, dict[str, str]] = {
    "%": {"zh": "%", "en": "%"},
    "万家": {"zh": "万家", "en": "10,000 households/firms"},
    "万平方米": {"zh": "万平方米", "en": "10,000 m²"},
    "万方": {"zh": "万方", "en": "10,000 m³"},
    "个": {"zh": "个", "en": "count"},
    "人年": {"zh": "人年", "en": "person-years"},
    "亿元": {"zh": "亿元", "en": "CNY 100 million"},
    "件": {"zh": "件", "en": "items"},
    "名": {"zh": "名", "en": "persons"},
    "家": {"zh": "家", "en": "organisations"},
    "项": {"zh": "项", "en": "items"},
}


def normalize_language(lang: str | None) -> str:
    """Return ``lang`` when supported, else the default (Chinese)."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str) -> str:
    """Return the UI string ``key`` in ``lang`` (``"zh"`` or ``"en"``).

    Raises
    ------
    KeyError
        When ``key`` is not a known UI string: a typo must fail loudly in the tests.
    """
    return _STRINGS[key][normalize_language(lang)]


def _lookup(table: dict[str, dict[str, str]], key: str | None, lang: str) -> str:
    if key is None:
        return t("unknown", lang)
    entry = table.get(key)
    return entry[normalize_language(lang)] if entry else key


def role_name(role: str | None, lang: str) -> str:
    """Return the display name of a feature role."""
    return _lookup(ROLE_NAMES, role, lang)


def corridor_name(corridor: str | None, lang: str) -> str:
    """Return the display name of a corridor id."""
    return _lookup(CORRIDOR_NAMES, corridor, lang)


def basis_name(basis: str | None, lang: str, short: bool = False) -> str:
    """Return the display name of a ``geometry_basis`` value.

    ``short`` leaves out the bracketed explanation, for a table's narrow column.
    """
    name = _lookup(GEOMETRY_BASIS_NAMES, basis, lang)
    return name.split("（")[0].split(" (")[0] if short else name


def status_name(status: str | None, lang: str) -> str:
    """Return the display name of a status value."""
    return _lookup(STATUS_NAMES, status, lang)


def quantity_name(quantity: str | None, lang: str) -> str:
    """Return the display name of a stated quantity."""
    return _lookup(QUANTITY_NAMES, quantity, lang)


def unit_name(unit: str | None, lang: str) -> str:
    """Return a unit as the documents write it, with its English reading in English."""
    if not unit:
        return ""
    english = UNIT_NAMES.get(unit, {}).get("en")
    if normalize_language(lang) == "zh" or not english or english == unit:
        return unit
    return f"{unit} ({english})"


def stated_figure(text: str, unit: str | None, lang: str) -> str:
    """Return a stated figure as the document writes it, its unit shown once.

    A figure that already carries its unit ("20家以上") keeps it as written; one that
    lacks it gets the unit appended. English adds the unit's English reading once.
    """
    if not unit:
        return text
    # "国家级…" holds 家 without stating it: the unit counts only right after a number
    if re.search(rf"\d\s*{re.escape(unit)}", text) is None:
        return f"{text} {unit_name(unit, lang)}"
    english = UNIT_NAMES.get(unit, {}).get("en")
    if normalize_language(lang) == "zh" or not english or english == unit:
        return text
    return f"{text} ({english})"


#: The widest a title runs when its catalog entry gives no short title (characters; letters).
SHORT_TITLE_CHARS = {"zh": 18, "en": 44}


def short_title(
    title: str, title_en: str | None, short: Mapping[str, str] | None, lang: str
) -> str:
    """Return a document's short title in ``lang``, for a chart label or a button.

    ``short`` is the catalog's ``short_title`` (``{"zh": …, "en": …}``). A document whose
    entry gives none shows its title (the Chinese one when it has no English one) cut to
    :data:`SHORT_TITLE_CHARS`, ending in "…" (English at a word's end), so a cut title is
    never taken for the whole one.
    """
    lang = normalize_language(lang)
    if short:
        return short[lang]
    text = title_en if lang == "en" and title_en else title
    limit = SHORT_TITLE_CHARS["en" if text is title_en else "zh"]
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text is title_en and " " in cut:
        cut = cut.rsplit(" ", 1)[0].rstrip(" ,;:(")
    return cut + "…"


def all_keys() -> list[str]:
    """Return every UI string key (for completeness tests)."""
    return sorted(_STRINGS)


class Named(Protocol):
    """Anything with a Chinese and an English name (a feature, target, place, indicator…)."""

    @property
    def name_zh(self) -> str | None: ...

    @property
    def name_en(self) -> str | None: ...


def display_name(item: Mapping[str, Any] | Named, lang: str) -> str:
    """Return the name of ``item`` in ``lang``, the English one falling back to Chinese.

    Parameters
    ----------
    item
        Properties (a mapping with ``name_zh`` / ``name_en``) or an object with those
        attributes.
    lang
        ``"zh"`` or ``"en"`` (anything else reads as the default, Chinese).

    Returns
    -------
    str
        ``name_zh`` in Chinese; ``name_en`` in English, or ``name_zh`` when it has none;
        ``""`` when neither is given.
    """
    if isinstance(item, Mapping):
        zh, en = item.get("name_zh"), item.get("name_en")
    else:
        zh, en = item.name_zh, item.name_en
    if normalize_language(lang) == "en" and en:
        return str(en)
    return str(zh or "")
