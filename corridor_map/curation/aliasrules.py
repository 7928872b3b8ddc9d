"""``layers/aliases.json`` from the features' names, general rules and public sources.

Derived data, never edited: ``corridor-map data aliases`` writes it (``--check``: exit 1
when the file on disk differs from what the rules give).

Rules (each alias keeps the rule that made it and a source; nothing is typed per feature):

1. every curated feature's ``name_zh`` (source: the layer field); a name ending in a
   bracketed second name, ``A(B)``, also gives ``A`` and ``B``;
2. prefixes dropped (``corridor_map.atlas.aliases.dropped_prefixes``): region, prefecture
   and province names from the gazetteer, ``中国``, a landmark of the same corridor with or
   without ``环``, a count (``两大``). Kept only where a document uses the shorter form on
   its own (not inside a longer name), with that paragraph as the source, and never when
   it is another feature's name;
3. ``X片区`` named after a region district: the district's name, where a document of the
   feature's corridor uses it;
4. university and institute short forms from the public pages in ``SHORT_FORMS``;
5. ``以下简称`` definitions in the documents: the defined short form, scoped to that
   document.
"""

from __future__ import annotations

import re
from typing import Any

from corridor_map.atlas.aliases import (
    build_gazetteer,
    dropped_prefixes,
    fold,
)
from corridor_map.atlas.model import load_atlas
from corridor_map.documents.corpus import Corpus, load_corpus

__all__ = ["build_aliases"]

RULES = (__doc__ or "").split("Rules")[1]

#: (full form, short form, public page using the short form, the page's words).
SHORT_FORMS = (
    (
        "中国科学院大学",
        "国科大",
        "http://wap.qwitaly.com/wap/video/7480.html",
        "共同商讨加快推进国科大温州研究院建设事宜",
    ),
    (
        "浙江大学",
        "浙大",
        "https://www.lgbbs.cn/forum.php?goto=lastpost&mod=redirect&tid=5984",
        "依托浙大科技创新体系",
    ),
    (
        "华中科技大学温州先进制造技术研究院",
        "华中院",
        "http://wz.hust.edu.cn/info/1053/2272.htm",
        "实地参观华中院展厅、中试车间及在建实验室",
    ),
)

_CLAUSE = re.compile(r"[^，,。；;：:！!？?\n]+")
_DEFINED = re.compile(r"[(（]以下简称[“\"]?([^)）”\"《》]{2,12})[”\"]?[)）]")


def _clause(text: str, start: int, end: int) -> str:
    for match in _CLAUSE.finditer(text):
        if match.start() <= start and end <= match.end():
            return match.group().strip() or text[start:end]
    return text[start:end]


def _standalone(
    corpus: Corpus, form: str, longer: list[str], docs: list[str]
) -> dict[str, str] | None:
    """First paragraph using ``form`` outside every longer name, in the given doc order."""
    for doc_id in docs:
        doc = corpus.document(doc_id)
        for paragraph in doc.paragraphs:
            text = fold(paragraph.text)
            covered: set[int] = set()
            for name in longer:
                start = text.find(fold(name))
                while start != -1:
                    covered.update(range(start, start + len(name)))
                    start = text.find(fold(name), start + 1)
            start = text.find(fold(form))
            while start != -1:
                if not covered & set(range(start, start + len(form))):
                    quote = _clause(paragraph.text, start, start + len(form))
                    return {"doc": doc_id, "paragraph": paragraph.id, "quote": quote}
                start = text.find(fold(form), start + 1)
    return None


def build_aliases() -> dict[str, Any]:
    """The aliases the rules give for the current atlas and corpus (checked by the caller)."""
    atlas = load_atlas(strict=True)
    corpus = load_corpus()
    gazetteer = build_gazetteer(atlas)
    prefixes = gazetteer.admin_prefixes()
    curated = atlas.select(include_reference=False)
    names: dict[str, list[tuple[str, dict, str | None]]] = {}
    for feature in curated:
        layer = {"layer": feature.file, "field": "name_zh"}
        entries: list[tuple[str, dict[str, Any], str | None]] = [(feature.name_zh, layer, None)]
        bracket = re.fullmatch(r"(.{4,}?)[(（](.{4,})[)）]", feature.name_zh)
        if bracket:
            entries += [(bracket.group(1), layer, "bracketed second name split")]
            entries += [(bracket.group(2), layer, "bracketed second name split")]
        names[feature.id] = entries
    all_names = {text for entries in names.values() for text, _, _ in entries}
    longer_than = sorted(all_names, key=len, reverse=True)
    aliases: dict[str, list[dict]] = {}
    for feature in curated:
        items = [
            {"text": t, "kind": "name", "source": s, **({"rule": r} if r else {})}
            for t, s, r in names[feature.id]
        ]
        landmarks = [
            f.name_zh for f in curated if f.role == "landmark" and f.corridor == feature.corridor
        ]

        def rank(doc_id: str, corridor: str = feature.corridor) -> tuple[int, str]:
            return feature_corridor_rank(corpus, doc_id, corridor)

        docs = sorted(corpus.documents, key=rank)
        texts: set[str] = {str(i["text"]) for i in items}
        for text, _, _ in names[feature.id]:
            for form, rule in dropped_prefixes(text, prefixes, landmarks):
                if form in texts or form in all_names:
                    continue
                longer = [n for n in longer_than if len(n) > len(form) and form in n]
                source = _standalone(corpus, form, longer, docs)
                if source:
                    texts.add(form)
                    items.append(
                        {"text": form, "kind": "prefix_dropped", "rule": rule, "source": source}
                    )
        items += _district_part(feature, gazetteer, corpus, docs, texts, longer_than)
        items += _short_forms(feature, texts)
        aliases[feature.id] = items
    _defined_short_forms(corpus, aliases)
    return {
        "name": "aliases",
        "description": (
            "各要素的名称、简称与曾用名，每项注明来源（图层字段、文件中自身使用该简称的段落或公开网页）。"
            " Names, short forms and former names of each curated feature, each with its "
            "source: the layer's name field, a document paragraph where the document "
            "itself uses the form, or a public page. Written by `corridor-map data aliases` "
            "from the names and general rules, not from the curated links."
        ),
        "rules": [line.strip() for line in RULES.splitlines()[2:] if line],
        "aliases": aliases,
    }


def feature_corridor_rank(corpus: Corpus, doc_id: str, corridor: str) -> tuple[int, str]:
    doc = corpus.document(doc_id)
    return (0 if corridor in doc.corridors else 1, doc_id)


def _district_part(
    feature: Any,
    gazetteer: Any,
    corpus: Corpus,
    docs: list[str],
    texts: set[str],
    longer_than: list[str],
) -> list[dict[str, Any]]:
    if not feature.name_zh.endswith("片区"):
        return []
    district = feature.name_zh[: -len("片区")]
    place = gazetteer.places.get(district)
    if place is None or not place.inside or place.level != "county" or district in texts:
        return []
    own = [d for d in docs if feature.corridor in corpus.document(d).corridors]
    longer = [n for n in longer_than if len(n) > len(district) and district in n]
    source = _standalone(corpus, district, longer, own)
    if source is None:
        return []
    texts.add(district)
    rule = "片区 dropped: the corridor's part of the district, in the corridor's documents"
    return [{"text": district, "kind": "short", "rule": rule, "source": source}]


def _short_forms(feature: Any, texts: set[str]) -> list[dict[str, Any]]:
    found = []
    for full, short, url, quote in SHORT_FORMS:
        for text in list(texts):
            if full in text:
                variant, kind = text.replace(full, short), "short"
            elif text.startswith(short) and not text.startswith(full):
                variant, kind = full + text[len(short) :], "name"
            else:
                continue
            if variant not in texts:
                texts.add(variant)
                rule = f"{short} for {full}"
                source = {"url": url, "quote": quote}
                found.append({"text": variant, "kind": kind, "rule": rule, "source": source})
    return found


def _defined_short_forms(corpus: Corpus, aliases: dict[str, list[dict]]) -> None:
    """``X(以下简称Y)``: Y is X's short form in that document."""
    forms = sorted(
        ((i["text"], fid) for fid, items in aliases.items() for i in items),
        key=lambda item: len(item[0]),
        reverse=True,
    )
    for doc in corpus.documents.values():
        for paragraph in doc.paragraphs:
            for match in _DEFINED.finditer(paragraph.text):
                before = fold(paragraph.text[: match.start()])
                short = match.group(1)
                for text, fid in forms:
                    known = {i["text"] for i in aliases[fid]}
                    if before.endswith(fold(text)) and short not in known:
                        start = match.start() - len(text)
                        aliases[fid].append(
                            {
                                "text": short,
                                "kind": "short",
                                "rule": "以下简称 in the document",
                                "scope": "document",
                                "source": {
                                    "doc": doc.id,
                                    "paragraph": paragraph.id,
                                    "quote": paragraph.text[start : match.end()],
                                },
                            }
                        )
                        break
