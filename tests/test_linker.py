"""The linker's hard cases (issue 26), each failing on a naive exact-match linker.

The naive linker below proposes every occurrence of every curated ``name_zh`` in the text
as given: what linking by exact names would do. Each hard case asserts that it gets the
case wrong and that :class:`corridor_map.analysis.linker.Linker` gets it right, on the
shipped atlas and aliases.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from corridor_map.analysis.link_results import text_input
from corridor_map.analysis.linker import Linker
from corridor_map.atlas.aliases import (
    AliasError,
    check,
    dropped_prefixes,
    load_aliases,
    parse,
    search_with_aliases,
)
from corridor_map.cli.main import main


def naive_link(atlas, text):
    """(paragraph number, feature id) for every exact occurrence of a curated name."""
    found = set()
    for number, line in enumerate(t for t in text.splitlines() if t.strip()):
        for feature in atlas.select(include_reference=False):
            if feature.name_zh and feature.name_zh in line:
                found.add((number + 1, feature.id))
    return found


@pytest.fixture(scope="module")
def linker(atlas):
    return Linker(atlas, load_aliases())


def link(linker, text):
    result = linker.link(text_input(text, "test-text"))
    return result, {(int(p.paragraph_id[1:]), p.feature_id) for p in result.proposals}


def test_short_form_from_a_public_source(atlas, linker):
    text = "龙湾区支持国科大温州研究院建设。"
    result, found = link(linker, text)
    assert (1, "ucas-wenzhou-institute") not in naive_link(atlas, text)
    assert (1, "ucas-wenzhou-institute") in found
    proposal = next(p for p in result.proposals if p.feature_id == "ucas-wenzhou-institute")
    assert (proposal.span, proposal.reason) == ("国科大温州研究院", "alias")
    assert proposal.rule == "国科大 for 中国科学院大学"


def test_city_prefix_dropped(atlas, linker):
    text = "龙湾区加快浙南科技城核心区建设。"
    result, found = link(linker, text)
    assert (1, "zhenan-science-city-core") not in naive_link(atlas, text)
    assert (1, "zhenan-science-city-core") in found
    proposal = next(p for p in result.proposals if p.feature_id == "zhenan-science-city-core")
    assert proposal.span == "浙南科技城核心区"
    assert (proposal.reason, proposal.rule) == ("prefix_dropped", "prefix 温州 dropped")


def test_nested_name_goes_to_the_longest(atlas, linker):
    text = "黄岩区加快永宁江科创带建设。"
    result, found = link(linker, text)
    naive = naive_link(atlas, text)
    assert (1, "yongning-river") in naive  # the river, for a mention of the belt
    assert (1, "huangyan-yongning-river-belt") not in naive
    assert found == {(1, "huangyan-yongning-river-belt")}
    assert result.proposals[0].span == "永宁江科创带"


def test_namesakes_of_two_corridors_resolved_by_context(atlas, linker):
    text = "椒江区重点建设数字经济产业园。\n温岭市的数字经济产业园正在施工。"
    result, found = link(linker, text)
    naive = naive_link(atlas, text)
    both = {"jiaojiang-digital-economy-park", "wenling-digital-economy-park"}
    assert {fid for n, fid in naive if n == 1} == both  # naive cannot choose
    assert found == {(1, "jiaojiang-digital-economy-park"), (2, "wenling-digital-economy-park")}
    first = next(p for p in result.proposals if p.paragraph_id == "p001")
    assert first.namesakes == ("wenling-digital-economy-park",)
    assert "椒江" in (first.context or "")


def test_namesakes_outside_the_region_ignored(atlas, linker):
    text = (
        "温岭市加快九龙湖科创中心建设。\n"
        "宁波镇海九龙湖旅游度假区游客增多。\n"
        "路桥区推进环飞龙湖科创生态圈建设。\n"
        "贵州省飞龙湖景区开放。"
    )
    result, found = link(linker, text)
    naive = naive_link(atlas, text)
    assert (2, "jiulong-lake") in naive and (4, "feilong-lake") in naive
    assert (2, "jiulong-lake") not in found and (4, "feilong-lake") not in found
    assert (1, "jiulong-lake-innovation-center") in found
    assert (3, "luqiao-feilong-lake-ecosphere") in found
    why = {(i.paragraph_id, i.span): i.why for i in result.ignored}
    assert why[("p002", "九龙湖")] == "区域外 outside the region (宁波)"
    assert why[("p004", "飞龙湖")] == "区域外 outside the region (贵州省)"


def test_traditional_characters_folded(atlas, linker):
    text = "椒江區重點建設東部創新港、浙里光谷。"
    result, found = link(linker, text)
    assert (1, "east-innovation-harbour") not in naive_link(atlas, text)
    assert {(1, "east-innovation-harbour"), (1, "zheli-optics-valley")} <= found
    proposal = next(p for p in result.proposals if p.feature_id == "east-innovation-harbour")
    assert proposal.span == "东部创新港"  # offsets are in the simplified (normalized) text


def test_a_generic_name_needs_its_corridor(linker):
    # 科创带 is the Daluo corridor's belt: in a Taizhou text it is no mention of it.
    result, found = link(linker, "椒江区的科创带建设加快。")
    assert not any(fid == "daluo-innovation-ring" for _, fid in found)
    assert result.ignored and "no context" in result.ignored[0].why


def test_curated_links_are_recalled(linker, corpus, atlas):
    """Most hand-made links come back (the benchmark measures and lists them all)."""
    proposed = {
        (p.doc_id, p.paragraph_id, p.feature_id)
        for doc in corpus.documents.values()
        for p in linker.link(doc).proposals
    }
    pairs = {
        (s["doc"], corpus.resolve(s["doc"], s["quote"], s.get("paragraph")).paragraph_id, f.id)
        for f in atlas.select(include_reference=False)
        for s in f.sources
    }
    assert len(pairs & proposed) / len(pairs) >= 0.95


def test_every_proposal_is_verbatim_and_its_quote_resolves(linker, corpus):
    for doc in corpus.documents.values():
        for p in linker.link(doc).proposals:
            paragraph = doc.paragraph(p.paragraph_id)
            assert paragraph.text[p.start : p.end] == p.span
            # once in the document, or (a repeated heading) with its paragraph
            where = None if p.quote_unique else p.paragraph_id
            excerpt = corpus.resolve(doc.id, p.quote, where)
            assert excerpt.paragraph_id == p.paragraph_id
            assert p.command.startswith(f"corridor-map edit link {p.feature_id} --doc {doc.id}")
            assert p.quote_unique == (" --paragraph " not in p.command)


def test_prefix_rules_keep_words_whole():
    prefixes = ["浙江", "温州", "中国"]
    assert dropped_prefixes("浙江大学温州研究院", prefixes) == []
    assert dropped_prefixes("温州浙南科技城核心区", prefixes) == [
        ("浙南科技城核心区", "prefix 温州 dropped")
    ]
    assert dropped_prefixes("环龙门湖创新转化服务中心", prefixes, ["龙门湖"]) == [
        ("创新转化服务中心", "landmark prefix 环龙门湖 dropped")
    ]


@pytest.mark.slow
def test_the_shipped_aliases_are_what_the_rules_give(atlas):
    """aliases.json is the generator's output, not edited by hand (nor tuned to links)."""
    from corridor_map.curation.aliasrules import build_aliases

    shipped = json.loads((atlas.layers_dir / "aliases.json").read_text("utf-8"))
    assert build_aliases() == shipped


def test_the_shipped_aliases_are_valid_and_sourced(atlas, corpus):
    data = json.loads((atlas.layers_dir / "aliases.json").read_text("utf-8"))
    ids = {f.id for f in atlas.select(include_reference=False)}
    assert check(data, ids, corpus) == []
    sources = [a["source"] for items in data["aliases"].values() for a in items]
    assert all({"layer"} <= s.keys() or {"doc"} <= s.keys() or {"url"} <= s.keys() for s in sources)


def test_an_alias_without_a_source_is_refused():
    data = {"aliases": {"x-feature": [{"text": "某某", "kind": "short"}]}}
    assert check(data) == [("x-feature", "[0].source", "is required: every alias names its source")]
    with pytest.raises(AliasError, match="x-feature"):
        parse(data)


def test_a_quote_not_in_its_paragraph_is_named(corpus):
    data = {
        "aliases": {
            "china-gene-pharma-valley": [
                {
                    "text": "基因药谷",
                    "kind": "short",
                    "source": {
                        "doc": "wenzhou-daluo-action-2020",
                        "paragraph": "p001",
                        "quote": "加快基因药谷",
                    },
                }
            ]
        }
    }
    found = check(data, None, corpus)
    assert [(fid, field) for fid, field, _ in found] == [("china-gene-pharma-valley", "[0].source")]


def test_search_finds_a_feature_by_its_short_form(atlas, corpus):
    hits = search_with_aliases(corpus, atlas, load_aliases(), "国科大温州研究院")
    assert ("wenzhou-daluo-action-2020", "p021") in {(h.doc_id, h.paragraph_id) for h in hits}
    assert corpus.search("国科大温州研究院") == [] or all(
        not h.exact for h in corpus.search("国科大温州研究院")
    )


def test_cli_links_a_text_file(tmp_path, capsys):
    path = tmp_path / "news.txt"
    path.write_text("椒江區推進東部創新港建設。\n溫嶺市新建溫嶺測試科創園。\n", "utf-8")
    assert main(["docs", "link", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["doc"] == "news" and result["in_corpus"] is False
    assert [(p["paragraph"], p["feature"]) for p in result["proposals"]] == [
        ("p001", "east-innovation-harbour")
    ]
    assert [n["text"] for n in result["new_places"]] == ["温岭测试科创园"]
    assert main(["docs", "link", "no-such-doc"]) == 2


@pytest.mark.slow
def test_a_new_document_is_linked_accepted_and_cited(data_copy, capsys):
    """A document added to the corpus gets proposals; accepting one (the source the
    living-data ``edit link`` writes) passes validation and shows in the panel."""
    from corridor_map.atlas.model import load_atlas
    from corridor_map.documents.corpus import load_corpus
    from corridor_map.views.panel import feature_panel
    from corridor_map.views.previews import citation_label_of

    seeds = data_copy / "seeds"
    body = "关于温岭科创平台建设的通报\n一、总体进展\n九龙湖科创中心加快建设，新城智谷已经结顶。\n"
    (seeds / "900_test.txt").write_text(body, "utf-8")
    catalog = json.loads((seeds / "catalog.json").read_text("utf-8"))
    catalog["documents"].append(
        {
            "id": "test-bulletin",
            "seed_file": "900_test.txt",
            "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
            "title": "关于温岭科创平台建设的通报",
            "title_en": "Bulletin on Wenling's innovation platforms (test)",
            "issuer": None,
            "date": {"iso": "2025-07-01", "text": "2025年7月1日"},
            "doc_number": None,
            "kind": "reply letter",
            "corridors": ["wenling-lakes"],
            "script": "zh-Hans",
            "normalize": [],
            "notes": "made by tests/test_linker.py",
        }
    )
    (seeds / "catalog.json").write_text(json.dumps(catalog, ensure_ascii=False), "utf-8")

    assert main(["docs", "link", "test-bulletin", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    proposals = {p["feature"]: p for p in result["proposals"]}
    assert set(proposals) == {"jiulong-lake-innovation-center", "xincheng-smart-valley"}
    accepted = proposals["xincheng-smart-valley"]
    assert "--doc test-bulletin" in accepted["command"]

    layer = data_copy / "layers" / "wenling_lakes.geojson"
    data = json.loads(layer.read_text("utf-8"))
    feature = next(f for f in data["features"] if f["properties"]["id"] == "xincheng-smart-valley")
    feature["properties"]["sources"].append({"doc": "test-bulletin", "quote": accepted["quote"]})
    layer.write_text(json.dumps(data, ensure_ascii=False), "utf-8")

    atlas = load_atlas(strict=True)
    view = feature_panel(atlas, "xincheng-smart-valley", load_corpus())
    cited = [e for e in view.excerpts if e.doc_id == "test-bulletin"]
    assert len(cited) == 1 and cited[0].error is None
    assert cited[0].quote == accepted["quote"]
    assert citation_label_of(cited[0]).startswith("《关于温岭科创平台建设的通报》")


def test_validate_names_the_file_feature_and_field_of_a_broken_alias(data_copy):
    from corridor_map.atlas.aliases import validate_aliases

    path = data_copy / "layers" / "aliases.json"
    data = json.loads(path.read_text("utf-8"))
    data["aliases"]["no-such-feature"] = data["aliases"].pop("china-gene-pharma-valley")
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    problems = validate_aliases(data_copy / "layers")
    assert [(p.file, p.feature_id, p.field) for p in problems] == [
        ("aliases.json", "no-such-feature", "-")
    ]
    assert "no curated feature" in problems[0].reason
