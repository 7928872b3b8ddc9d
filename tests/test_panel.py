"""Side-panel content over the real layers and documents; escaping; search; UI strings."""

from __future__ import annotations

import dataclasses
import html
import itertools
import re

import pytest
import shapely

from corridor_map.atlas.model import load_atlas
from corridor_map.core import i18n
from corridor_map.documents.corpus import resolve
from corridor_map.geo.geodesy import geodesic_area_km2
from corridor_map.views import panel, previews, search, tables
from corridor_map.views import reader as reader_view


@pytest.fixture(scope="module")
def curated(atlas):
    found = [f for f in atlas if f.corridor != "reference" and f.sources]
    if not found:
        pytest.skip("no curated layer in layers/ yet")
    return found


def test_panel_cites_every_source_verbatim_with_document_metadata(atlas, corpus, curated):
    for feature in curated:
        view = panel.feature_panel(atlas, feature.id, corpus)
        # Every source is shown, in exactly one block (merged ones share a paragraph).
        shown = [q for excerpt in view.excerpts for q in excerpt.all_quotes]
        assert sorted(shown) == sorted(s["quote"] for s in feature.sources)
        for source in feature.sources:
            excerpt = next(e for e in view.excerpts if source["quote"] in e.all_quotes)
            assert excerpt.error is None, excerpt.error
            document = corpus.document(source["doc"])
            assert excerpt.title == document.title
            assert excerpt.doc_number == document.doc_number
            paragraph = document.paragraph(excerpt.paragraph_id)
            assert source["quote"] in paragraph.text
            expected = resolve(source["doc"], source["quote"], source.get("paragraph"))
            assert excerpt.heading_path == expected.heading_path


def _visible_text(fragment: str) -> str:
    """Return what a browser shows of an HTML fragment (tags dropped, entities decoded)."""
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_excerpts_show_their_paragraph_window_verbatim(atlas, corpus, curated):
    clipped = whole = 0
    for feature in curated:
        view = panel.feature_panel(atlas, feature.id, corpus)
        for excerpt in view.excerpts:
            paragraph = corpus.document(excerpt.doc_id).paragraph(excerpt.paragraph_id)
            text = paragraph.text
            assert excerpt.context in text
            assert len(excerpt.before) <= panel.CONTEXT_CHARS >= len(excerpt.after)
            # The window reaches the paragraph's start unless it is clipped there, and then
            # it is exactly CONTEXT_CHARS wide; likewise at the end.
            at = text.index(excerpt.context)
            assert excerpt.clipped_before == (at > 0)
            assert excerpt.clipped_after == (at + len(excerpt.context) < len(text))
            if excerpt.clipped_before:
                assert len(excerpt.before) == panel.CONTEXT_CHARS
            if excerpt.clipped_after:
                assert len(excerpt.after) == panel.CONTEXT_CHARS
            clipped += excerpt.clipped_before or excerpt.clipped_after
            whole += not (excerpt.clipped_before or excerpt.clipped_after)
            shown = panel.excerpt_html(excerpt, [view.name_zh], "zh")
            quote_part = shown.split('<blockquote class="cm-quote">')[1].split("</blockquote>")[0]
            ellipses = "…" * (excerpt.clipped_before + excerpt.clipped_after)
            assert _visible_text(quote_part).replace("…", "") == excerpt.context.replace("…", "")
            assert _visible_text(quote_part).count("…") == excerpt.context.count("…") + len(
                ellipses
            )
            spans = [
                _visible_text(s.split("</span>")[0])
                for s in quote_part.split('<span class="cm-span">')[1:]
            ]
            assert spans == [text for kind, text in excerpt.pieces if kind == "quote"]
            for quote in excerpt.all_quotes:
                assert any(quote in s for s in spans)
    assert clipped and whole, "the layers cite both short and long paragraphs"


def test_panel_hierarchy_matches_the_atlas(atlas, corpus, curated):
    for feature in curated:
        view = panel.feature_panel(atlas, feature.id, corpus)
        assert [c.id for c in view.children] == [c.id for c in atlas.children(feature.id)]
        if feature.parent and feature.parent in atlas:
            assert view.parents[0].id == feature.parent
        else:
            assert view.parents == ()


def test_stated_area_sits_beside_the_geodesic_area(atlas, corpus, curated):
    rows = 0
    for feature in curated:
        view = panel.feature_panel(atlas, feature.id, corpus)
        for row in view.figures:
            assert row.stated_text in row.source_quote
            if row.quantity == "area" and feature.geometry is not None and row.measured:
                rows += 1
                expected = geodesic_area_km2(shapely.union_all(feature.geometry))
                assert row.measured == pytest.approx(expected, rel=1e-9)
                assert row.ratio == pytest.approx(
                    expected / (row.stated_value * panel._AREA_UNITS_KM2[row.unit])
                )
    if rows == 0:
        pytest.skip("no located feature with a stated area yet")


def test_no_paragraph_is_shown_twice_in_a_panel(atlas, corpus, curated):
    merged = 0
    for feature in curated:
        view = panel.feature_panel(atlas, feature.id, corpus)
        cited = [(e.doc_id, e.paragraph_id) for e in view.excerpts if e.paragraph_id]
        assert len(cited) == len(set(cited)), feature.id
        merged += any(len(e.all_quotes) > 1 for e in view.excerpts)
    assert merged, "no feature cites one paragraph twice: nothing merged"


def _long_paragraph(corpus, width):
    # A paragraph whose first and last 12 characters occur once in the document, far apart.
    for document in corpus.documents.values():
        for paragraph in document.paragraphs:
            text = paragraph.text
            head, tail = text[:12], text[-12:]
            if (
                len(text) > 4 * width + 24
                and document.text.count(head) == 1
                and document.text.count(tail) == 1
                and document.text.count(text[10:40]) == 1
                and document.text.count(text[20:50]) == 1
            ):
                return document, paragraph
    pytest.skip("no long paragraph in the seeds")
    raise AssertionError  # unreachable


def test_quotes_of_one_paragraph_merge_into_one_block(corpus):
    width = panel.CONTEXT_CHARS
    document, paragraph = _long_paragraph(corpus, width)
    text = paragraph.text
    far = [
        {"doc": document.id, "quote": text[-12:]},
        {"doc": document.id, "quote": text[:12]},
    ]
    views = panel.excerpt_views(far, corpus)
    (block,) = panel.merge_excerpts(views, corpus)
    # Source order kept for the quotes; the spans in the paragraph's order.
    assert block.all_quotes == (text[-12:], text[:12])
    kinds = [kind for kind, _ in block.pieces]
    assert kinds == ["quote", "text", "more", "text", "quote"]
    assert block.before == "" and block.after == ""
    assert not block.clipped_before and not block.clipped_after
    assert [t for k, t in block.pieces if k == "text"] == [
        text[12 : 12 + width],
        text[-12 - width : -12],
    ]
    shown = panel.excerpt_html(block, [], "zh")
    assert shown.count('<span class="cm-span">') == 2
    assert shown.count("cm-quote") == 1
    assert i18n.t("excerpts_merged", "zh").format(n=2) in html.unescape(shown)
    # Overlapping quotes become one highlighted span covering both.
    overlap = [
        {"doc": document.id, "quote": text[10:40]},
        {"doc": document.id, "quote": text[20:50]},
    ]
    (block,) = panel.merge_excerpts(panel.excerpt_views(overlap, corpus), corpus)
    assert block.pieces == (("quote", text[10:50]),)
    assert block.before == text[:10]
    assert block.context in text
    # Another paragraph, or a quote that does not resolve, stays a block of its own.
    other = next(p for p in document.paragraphs if p.id != paragraph.id and len(p.text) > 20)
    mixed = [
        *far,
        {"doc": document.id, "quote": "这句话不在文件里"},
        {"doc": document.id, "quote": other.text[:20], "paragraph": other.id},
    ]
    blocks = panel.merge_excerpts(panel.excerpt_views(mixed, corpus), corpus)
    assert [len(b.all_quotes) for b in blocks] == [2, 1, 1]
    assert blocks[1].error and blocks[2].paragraph_id == other.id


def test_the_reader_marks_every_quote_of_a_merged_block(corpus):
    document, paragraph = _long_paragraph(corpus, panel.CONTEXT_CHARS)
    quotes = [paragraph.text[:12], paragraph.text[-12:]]
    page = reader_view.reader_html(document, paragraph.id, quotes)
    assert page.count("cm-p cm-cited") == 1
    for quote in quotes:
        assert f"<mark>{html.escape(quote, quote=False)}</mark>" in page


def test_mark_terms_escapes_and_marks_across_scripts():
    out = panel.mark_terms("中央創新核<b>${x}`", ["中央创新核"])
    assert out.startswith("<mark>中央創新核</mark>")
    assert "<b>" not in out and "${" not in out and "`" not in out
    assert html.unescape(out.replace("<mark>", "").replace("</mark>", "")) == "中央創新核<b>${x}`"


def test_reader_anchors_every_paragraph_and_highlights_the_cited_one(corpus):
    document = corpus.document("taizhou-bay-briefing")
    hit = next(p for p in document.paragraphs if "41平方公里" in p.text)
    page = reader_view.reader_html(document, hit.id, "41平方公里", ["中央创新核"])
    for paragraph in document.paragraphs:
        assert f'id="cm-p-{paragraph.id}"' in page
    assert page.count("cm-cited") == 2  # the CSS rule and the one cited paragraph
    assert f'<p id="cm-p-{hit.id}" class="cm-p cm-cited">' in page
    assert "<mark>41平方公里</mark>" in page
    assert "<script" not in page  # st.html would drop it; the dialog scrolls instead


def test_excerpt_html_is_inert():
    excerpt = panel.ExcerptView(
        "d",
        "<img src=x onerror=alert(1)>${alert(1)}`",
        "p001",
        ("一、<b>",),
        "T<",
        None,
        None,
        None,
    )
    out = panel.excerpt_html(excerpt, ["alert"], "zh")
    assert "<img" not in out and "${" not in out and "`" not in out and "<b>" not in out
    # The paragraph around the quote is escaped the same way.
    around = panel.ExcerptView(
        "d",
        "引文",
        "p001",
        (),
        "T",
        None,
        None,
        None,
        before="<script>alert(1)</script>${x}",
        after="<img src=x onerror=alert(2)>`\\",
        clipped_before=True,
        clipped_after=True,
    )
    out = panel.excerpt_html(around, ["alert"], "zh")
    for raw in ("<script", "<img", "${", "`", "\\"):
        assert raw not in out
    assert _visible_text(out).startswith(f"…{around.before}{around.quote}{around.after}…")


def test_search_features_accepts_traditional_input(atlas, curated):
    feature = curated[0]
    simplified = search.search_features(atlas, feature.name_zh)
    assert feature.id in [h.link.id for h in simplified]
    assert simplified[0].link.id == feature.id or simplified[0].score == 0
    traditional = search.search_features(atlas, panel.to_simplified(feature.name_zh))
    assert [h.link.id for h in traditional] == [h.link.id for h in simplified]
    assert search.search_features(atlas, "   ") == []


def test_search_text_finds_paragraphs_with_the_query(corpus):
    hits = search.search_text("平方公里", limit=5, corpus=corpus)
    assert hits
    for hit in hits:
        assert "平方公里" in corpus.document(hit.doc_id).paragraph(hit.paragraph_id).text
        assert "<mark>平方公里</mark>" in hit.snippet_html


def test_search_text_marks_every_term_the_corpus_matched(corpus):
    # A query of several terms: the snippet marks each, where the corpus found them (the
    # sidebar used to look for the whole query verbatim and mark nothing).
    hits = search.search_text("九龙湖 科创", limit=5, corpus=corpus)
    assert hits
    for hit in hits:
        marked = re.findall(r"<mark>(.*?)</mark>", hit.snippet_html)
        assert marked, hit.snippet_html
        assert all("九龙湖" in m or "科创" in m for m in marked), marked
    assert any(
        "九龙湖" in m for h in hits for m in re.findall(r"<mark>(.*?)</mark>", h.snippet_html)
    )


def test_marked_html_escapes_text_and_marks_spans():
    html_text = search.marked_html("a<b>c&d", [(1, 4)])
    assert html_text == "a<mark>&lt;b&gt;</mark>c&amp;d"


def test_plain_label_neutralizes_markdown():
    label = panel.plain_label("[x](javascript:alert(1)) **b** $x$")
    assert "[x](" not in label and "**" not in label and "$x$" not in label


def test_unlocated_lists_only_curated_null_geometries(atlas):
    ids = {link.id for link in panel.unlocated(atlas)}
    assert ids == {f.id for f in atlas if f.geometry is None and f.corridor != "reference"}


def test_ui_strings_exist_in_both_languages():
    for key in i18n.all_keys():
        zh, en = i18n.t(key, "zh"), i18n.t(key, "en")
        assert zh and en
    assert i18n.t("title", "zh") != i18n.t("title", "en")
    with pytest.raises(KeyError):
        i18n.t("no-such-label", "zh")
    assert i18n.normalize_language("fr") == "zh"


def test_geometry_source_note_is_escaped_and_kept_out_of_the_facts(atlas, corpus, curated):
    view = panel.feature_panel(atlas, curated[0].id, corpus)
    assert view.geometry_source
    assert _visible_text(panel.geometry_source_html(view)) == view.geometry_source
    labels = [label for label, _ in panel.facts_rows(view, "en")]
    assert i18n.t("geometry_source", "en") not in labels
    nasty = dataclasses.replace(view, geometry_source="<script>x</script>${y}`")
    out = panel.geometry_source_html(nasty)
    assert "<script" not in out and "${" not in out and "`" not in out


def test_districts_show_english_names_and_codes_from_the_reference_layer(atlas, corpus, curated):
    known = atlas.districts()
    checked = 0
    for feature in curated:
        listed = feature.properties.get("district") or []
        if not listed:
            continue
        view = panel.feature_panel(atlas, feature.id, corpus)
        english = dict(panel.facts_rows(view, "en"))[i18n.t("district", "en")]
        chinese = dict(panel.facts_rows(view, "zh"))[i18n.t("district", "zh")]
        for item in listed:
            assert item["code"] in english and item["code"] in chinese
            assert item["name"] in chinese
            reference = known.get(item["code"])
            if reference is not None:
                checked += 1
                assert reference.name_en in english
                assert reference.name_en not in chinese
            else:
                assert item["name"] in english
    assert checked


def test_sensitivity_summary_names_the_speeds_where_the_verdict_changes():
    from corridor_map.travel import targets as travel_targets

    rows = travel_targets.sensitivity(
        load_atlas(), "wenzhou-1030-enter-ring-10min", (20, 40, 60, 80, 120, 200, 400)
    )
    statuses = [r["status"] for r in rows]
    summary = tables.sensitivity_summary(rows, "en")
    flips = [(a, b) for a, b in itertools.pairwise(rows) if a["status"] != b["status"]]
    if not flips:
        assert summary.startswith("Same verdict")
        assert i18n.t(f"verdict_{statuses[0]}", "en") in summary
    for a, b in flips:
        assert f"between {a['kmh']:g} and {b['kmh']:g} km/h" in summary
    # A single row of each verdict reads as a change between those two speeds.
    two = [dict(rows[0], kmh=30.0, status="not_met"), dict(rows[0], kmh=50.0, status="met")]
    assert "30 与 50 km/h" in tables.sensitivity_summary(two, "zh")
    assert tables.sensitivity_summary(two[:1], "zh").startswith("在所试车速范围内结论不变")


def test_ring_points_are_the_sampled_ends_on_the_ring(atlas):
    from corridor_map.travel import targets as travel_targets

    rings = [
        r
        for r in travel_targets.evaluate_targets(load_atlas())
        if r.method == "ring_span" and r.worst_case
    ]
    if not rings:
        pytest.skip("no ring target evaluated")
    for result in rings:
        points = panel.ring_points(result.worst_case)
        assert len(points) == 2
        ring = atlas.get(result.worst_case["origin"].partition("@")[0]).geometry
        for point in points:
            assert point.feature_id == result.worst_case["origin"].partition("@")[0]
            assert ring.exterior.distance(shapely.Point(*point.position)) < 1e-5
    named = next(
        r
        for r in travel_targets.evaluate_targets(load_atlas())
        if r.method != "ring_span" and r.worst_case
    )
    assert panel.ring_points(named.worst_case) == []
    assert panel.ring_points(None) == []


def test_an_unlocated_place_is_shown_by_what_it_lies_within():

    atlas = load_atlas()
    for feature in atlas:
        if feature.corridor == "reference" or feature.geometry is not None:
            continue
        outline = previews.map_outline(atlas, feature.id)
        assert outline.selected is None
        note = previews.within_note(atlas, feature.id, "zh")
        assert note and "确切位置未公开" in note, feature.id
        for fid in outline.context:
            # Only shapes the map draws can be outlined: located features or districts.
            target = atlas.get(fid)
            assert target.geometry is not None and target.geometry.geom_type.endswith("Polygon")
        within = feature.properties.get("within") or {}
        if within.get("kind") == "feature":
            assert outline.context == (within["id"],)
    # A located feature is outlined itself; an enclave with no known city nowhere.
    assert previews.map_outline(atlas, "taizhou-central-core").selected == "taizhou-central-core"
    germany = previews.map_outline(atlas, "wenling-germany-incubation-center")
    if atlas.get("wenling-germany-incubation-center").geometry is None:
        assert germany.context == () and "未说明" in previews.within_note(
            atlas, "wenling-germany-incubation-center", "zh"
        )


class _SpyCorpus:
    """A corpus that records what is resolved and searched in it."""

    def __init__(self, real: object) -> None:
        self.real, self.calls = real, []

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)

    def resolve(self, *args: object) -> object:
        self.calls.append(("resolve", args))
        return self.real.resolve(*args)  # type: ignore[attr-defined]

    def search(self, *args: object, **kwargs: object) -> object:
        self.calls.append(("search", args))
        return self.real.search(*args, **kwargs)  # type: ignore[attr-defined]


def test_panel_and_search_use_the_corpus_they_are_given(atlas, corpus, monkeypatch):
    # Not the default one: loading it stats every seed, once per excerpt of every feature
    # when the map bundle is built (13 s at 10,000 features).
    from corridor_map.documents import corpus as corpus_module

    def refuse(*args: object, **kwargs: object) -> None:
        pytest.fail("the default corpus was loaded")

    monkeypatch.setattr(corpus_module, "load_corpus", refuse)
    spy = _SpyCorpus(corpus)
    view = panel.feature_panel(atlas, "taizhou-central-core", spy)
    assert view.excerpts and not any(e.error for e in view.excerpts)
    cited = len(atlas.get("taizhou-central-core").sources)
    assert [kind for kind, _ in spy.calls] == ["resolve"] * cited
    spy.calls.clear()
    assert search.search_text("中央创新核", corpus=spy)
    assert [kind for kind, _ in spy.calls] == ["search"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_schematic_shapes_area_reads_as_a_drawings_not_a_verified_figure(atlas, corpus, lang):
    view = panel.feature_panel(atlas, "taizhou-central-core", corpus)
    assert view.schematic
    (row,) = [r for r in view.figures if r.quantity == "area" and r.ratio is not None]
    share = f"{row.ratio:.0%}"
    assert share == "99%"  # the figure the review read as a verification
    body = html.unescape(panel.figures_html(view, lang))
    assert i18n.t("measured_drawing", lang) in body and i18n.t("measured", lang) not in body
    assert i18n.t("drawing_share", lang).format(p=share) in body
    assert f"({share})" not in body
    card = previews.preview_records(atlas, lang, corpus)["taizhou-central-core"]["figure"]
    assert i18n.t("measured_drawing_short", lang) in card
    assert i18n.t("measured", lang) not in card
