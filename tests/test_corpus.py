"""The corpus over the real seed files: catalog, normalization, paragraphs, excerpts, search."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from itertools import pairwise
from pathlib import Path

import opencc
import pytest

from corridor_map.core.errors import CorridorMapError
from corridor_map.core.paths import seeds_dir
from corridor_map.documents import corpus, headings
from corridor_map.documents import normalize as _normalize
from corridor_map.documents.corpus import CorpusError, ExcerptError, citation_label, load_corpus

SEEDS = seeds_dir()
CATALOG = json.loads((SEEDS / "catalog.json").read_text(encoding="utf-8"))
ENTRIES = {entry["id"]: entry for entry in CATALOG["documents"]}
# The ids fixed by docs/architecture.md.
ARCHITECTURE_IDS = {
    "wenling-reply-2025": "000_d4a8a726b818d19c.txt",
    "taizhou-bay-briefing": "001_b3670d965f56c889.txt",
    "wenzhou-daluo-action-2020": "002_4b5efa00021cb94b.txt",
    "wenzhou-reply-2024": "003_c3f10cc589d1c01a.txt",
    "wenling-14th-fyp": "004_dc9f15ac38444f99.txt",
}
PINYIN = re.compile(r"\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)")


def _raw(doc_id: str) -> str:
    return (SEEDS / ARCHITECTURE_IDS[doc_id]).read_text(encoding="utf-8")


def _paragraph_with(doc_id: str, needle: str) -> corpus.Paragraph:
    found = [p for p in load_corpus().document(doc_id).paragraphs if needle in p.text]
    assert len(found) == 1, f"{needle!r} in {[p.id for p in found]}"
    return found[0]


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


# --- catalog ----------------------------------------------------------------------------


def test_catalog_ids_and_files_are_the_architecture_ones() -> None:
    # The five shipped documents keep their ids and files; more may be added
    # (corridor-map docs add), so the catalog is not limited to them.
    catalog = {e["id"]: e["seed_file"] for e in CATALOG["documents"]}
    assert {doc_id: catalog.get(doc_id) for doc_id in ARCHITECTURE_IDS} == ARCHITECTURE_IDS
    assert set(ARCHITECTURE_IDS) <= set(load_corpus().documents)
    assert set(load_corpus().documents) == set(catalog)


@pytest.mark.parametrize("doc_id", sorted(ARCHITECTURE_IDS))
def test_raw_seed_matches_catalog_sha256(doc_id: str) -> None:
    data = (SEEDS / ARCHITECTURE_IDS[doc_id]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == ENTRIES[doc_id]["sha256"]


@pytest.mark.parametrize("doc_id", sorted(ARCHITECTURE_IDS))
def test_catalog_metadata_is_taken_from_the_document(doc_id: str) -> None:
    entry = ENTRIES[doc_id]
    raw = _raw(doc_id)
    doc = load_corpus().document(doc_id)
    # Title, number, date text and issuer(s) all appear in the source (titles may be
    # spaced or split over lines there).
    squeeze = re.sub(r"\s+", "", doc.text)
    assert re.sub(r"\s+", "", entry["title"]) in squeeze
    if entry["doc_number"] is not None:
        assert entry["doc_number"] in doc.text
    assert entry["date"]["text"] in raw
    if entry["date"]["iso"] is not None:
        numbers = [int(n) for n in re.findall(r"\d+", entry["date"]["text"])]
        assert [int(n) for n in entry["date"]["iso"].split("-")] == numbers
    if entry["issuer"] is not None:
        for issuer in entry["issuer"].split("、"):
            assert issuer in raw
    assert entry["kind"] in {"plan", "action plan", "reply letter", "press conference"}
    assert set(entry["corridors"]) <= {"taizhou-bay", "wenzhou-daluo", "wenling-lakes"}


def test_scripts_and_gaps_are_as_the_documents_give_them() -> None:
    scripts = {doc_id: ENTRIES[doc_id]["script"] for doc_id in ARCHITECTURE_IDS}
    assert scripts.pop("taizhou-bay-briefing") == "zh-Hant"
    assert set(scripts.values()) == {"zh-Hans"}
    briefing = load_corpus().document("taizhou-bay-briefing")
    # The press conference gives a day but no year, no number and no issuing body.
    assert briefing.date is None and briefing.date_text == "11月22日"
    assert briefing.doc_number is None and briefing.issuer is None
    reply = load_corpus().document("wenling-reply-2025")
    assert reply.doc_number is None  # its header's 文号 field is empty


# --- normalization ----------------------------------------------------------------------


def test_briefing_has_no_pinyin_and_no_traditional_characters() -> None:
    raw = _raw("taizhou-bay-briefing")
    text = load_corpus().document("taizhou-bay-briefing").text
    assert len(PINYIN.findall(raw)) > 400  # the raw file really is annotated
    assert PINYIN.findall(text) == []
    assert opencc.OpenCC("t2s").convert(text) == text
    for traditional in ("臺", "灣", "創", "發", "規", "劃", "著"):
        assert traditional not in text
    assert "台州湾科创走廊" in text and "科创走廊" in text
    # Real parentheses survive the pinyin stripping.
    assert "(以下简称《规划》)" in text
    assert "(一)规划建设台州湾科创走廊" in text
    assert "其他县(市)在中央创新核" in text


def test_briefing_corrupted_spans_are_repaired_and_listed() -> None:
    doc = load_corpus().document("taizhou-bay-briefing")
    table = json.loads((SEEDS / "corrections.json").read_text(encoding="utf-8"))
    rows = [row for row in table["corrections"] if row["doc"] == doc.id]
    assert [(c.raw, c.replacement) for c in doc.corrections] == [
        (row["raw"], row["replacement"]) for row in rows
    ]
    raw = _raw(doc.id)
    for correction in doc.corrections:
        assert raw[correction.raw_offset :].startswith(correction.raw)
        assert correction.reason
    assert "请他们为大家介绍有关情况" in doc.text
    assert "给予了悉心指导和帮助。《规划》的发布" in doc.text
    assert "沿着“由江入海”发展走向" in doc.text
    for garbage in ("?", "榇蠹", "医榻", "兑", "卑l", "yōu"):
        assert garbage not in doc.text


# (intended text, what its GBK bytes read one byte late look like in the raw file)
GBK_SHIFTS = [("為大家介紹", "榇蠹医榻B"), ("。《規", "!兑"), ("海”發", "!卑l")]


@pytest.mark.parametrize(("intended", "garbled"), GBK_SHIFTS)
def test_repairs_follow_from_re_aligned_gbk_bytes(intended: str, garbled: str) -> None:
    # The mechanism the table's reasons cite: re-aligning the GBK bytes of the
    # replacement reproduces the corrupted characters of the raw text.
    shifted = intended.encode("gbk")[1:].decode("gbk", errors="replace")
    assert shifted.replace("！", "!").rstrip("\ufffd").startswith(garbled)
    table = json.loads((SEEDS / "corrections.json").read_text(encoding="utf-8"))
    rows = [r for r in table["corrections"] if garbled in r["raw"]]
    assert len(rows) == 1
    assert intended in PINYIN.sub("", rows[0]["replacement"])
    assert garbled in _raw(rows[0]["doc"])


def test_other_documents_are_untouched_by_corrections() -> None:
    for doc in load_corpus().documents.values():
        if doc.id != "taizhou-bay-briefing":
            assert doc.corrections == ()


def test_reposting_site_boilerplate_is_dropped_and_the_document_kept() -> None:
    doc = load_corpus().document("wenzhou-daluo-action-2020")
    raw = _raw(doc.id)
    junk_lines = (
        "浏览量",
        "郑州外资企业服务中心微信公众号",
        "扫描二维码",
        "本文链接",
        "本文关键词",
    )
    for junk in junk_lines:
        assert junk in raw
        assert junk not in doc.text
    first = doc.paragraphs[0].text
    assert first.startswith("温政办〔2020〕5号《温州市人民政府办公室关于印发")
    assert "“1030”走廊综合交通体系" in doc.text
    assert doc.paragraphs[-1].text.startswith("附件:")


def test_bookmarks_are_removed() -> None:
    doc = load_corpus().document("wenzhou-reply-2024")
    assert _raw(doc.id).count("[bookmark:") == 2
    assert "bookmark" not in doc.text and "_Hlk" not in doc.text
    assert _paragraph_with(doc.id, "强化企业创新能力").text.startswith("（二）强化企业创新能力")
    # Leading and trailing spaces of the signature lines are gone.
    assert "温州市科学技术局" in [p.text for p in doc.paragraphs]


def test_split_title_is_one_paragraph() -> None:
    doc = load_corpus().document("wenzhou-reply-2024")
    # The source breaks the title after 的 and letter-spaces its last word.
    assert "关于市政协十二届三次会议157号提案的\n答 复 函" in _raw(doc.id)
    texts = [p.text for p in doc.paragraphs]
    assert texts[:3] == ["温科提复〔2024〕108号", doc.title, "致公党市委会："]
    assert doc.title == "关于市政协十二届三次会议157号提案的答复函"
    assert corpus.resolve(doc.id, doc.title).paragraph_id == "p002"


def test_split_title_step_joins_only_a_title_and_its_short_tail() -> None:
    step = _normalize.STEPS["split_title"]
    assert step("关于某提案的\n答 复 函\n正文。") == ("关于某提案的答复函\n正文。", 1)
    # Only the first pair: the title comes first, a later one is left alone.
    assert step("关于甲的\n通知\n关于乙的\n通知") == ("关于甲的通知\n关于乙的\n通知", 1)
    # A sentence that continues with punctuation, or a long next line, is not a title.
    for text in ("关于这个问题的\n研究表明，效果很好。", "关于某事的\n一二三四五六七八"):
        assert step(text) == (text, 0)


def test_metadata_header_becomes_metadata() -> None:
    doc = load_corpus().document("wenling-reply-2025")
    assert "索引号" in _raw(doc.id)
    assert "索引号" not in doc.text and "113310810026796788" not in doc.text
    assert doc.header["索引号"] == "113310810026796788/2025-110619"
    assert doc.header["文号"] is None
    assert doc.header["成文日期"] == doc.date
    assert doc.paragraphs[0].text == "关于对温岭市政协十五届四次会议202502301号提案答复的函"


def test_emphasis_marks_are_removed() -> None:
    doc = load_corpus().document("wenling-14th-fyp")
    assert "**" in _raw(doc.id)
    assert "**" not in doc.text
    assert "主要表现为：一是全社会科技投入亟待提高。全市" in doc.text


# Page breaks found by reading the raw file: (end of the broken line, start of the next).
BROKEN_LINES = [
    ("三大计", "划，全力推动"),
    ("果蔬及水", "产、鞋帽产业"),
    ("我国而言，", "发展不平衡不充分"),
    ("示范县（市、区）建设", "为契机，聚力"),
    ("以数字化", "改革为引领"),
    ("重点领域项目、基", "地、人才、资金"),
    ("科技服务业", "集群建设取得标志性成果"),
    ("泵与电机交易中", "心，加快泵业"),
    ("自动装配、在线", "检测等关键工序"),
    ("鼓励", "企业加大科技创新投入"),
    ("产业基地等", "产业平台建设"),
    ("科技强农、机械", "强农“双强行动”"),
    ("全力构建以“研", "究开发—中试孵化"),
    ("台州市级重点实验室", "10家。"),
    ("研发机构实现", "“全覆盖”"),
    ("创新型企业家—高", "技能人才”"),
    ("领军人才（团", "队)。"),
    ("一站式综", "合体"),
    ("知识产权强企培", "育力度"),
    ("面向产业创新需求，", "聚焦人工智能"),
    ("党政领导科", "技进步"),
]


@pytest.mark.parametrize(("before", "after"), BROKEN_LINES)
def test_page_breaks_are_rejoined(before: str, after: str) -> None:
    raw = _raw("wenling-14th-fyp")
    assert re.search(re.escape(before) + r"\n\s*\n" + re.escape(after), raw)
    paragraphs = load_corpus().document("wenling-14th-fyp").paragraphs
    assert any(before + after in p.text for p in paragraphs)
    for first, second in pairwise(paragraphs):
        assert not (first.text.endswith(before) and second.text.startswith(after))


def test_three_plans_join_and_nothing_ends_mid_word_there() -> None:
    doc = load_corpus().document("wenling-14th-fyp")
    assert "三大计划，全力推动" in doc.text
    assert not any(p.text.endswith("三大计") for p in doc.paragraphs)
    assert "三大计\n" not in doc.text


def test_headings_signatures_and_table_rows_stay_separate() -> None:
    texts = [p.text for p in load_corpus().document("wenling-14th-fyp").paragraphs]
    for line in (
        "一、现实基础与形势需求",
        "（一）现实基础",
        "1. 泵与电机",
        "2.着力建设温岭省级高新园区",
        "专栏 4：科创平台链提升行动",
        "众创空间：新锐青年众创空间争创省级众创空间",
        "温岭市发展和改革委员会",
        "温岭市科学技术局",
        "2021年12月27日",
        "表1：温岭市科技创新发展“十四五”规划目标",
        "省级众创空间\t家\t4\t8\t倍增",
        "(五) 组织实施服务链提升工程,打造标志性一站式综合体",
    ):
        assert line in texts


@pytest.mark.parametrize("doc_id", sorted(ARCHITECTURE_IDS))
def test_whitespace_is_normalized_without_touching_sentences(doc_id: str) -> None:
    doc = load_corpus().document(doc_id)
    for paragraph in doc.paragraphs:
        assert paragraph.text == paragraph.text.strip(" \t\u3000")
        assert paragraph.text
        assert doc.text[paragraph.start : paragraph.end] == paragraph.text
    assert "\n\n" not in doc.text
    # Spaces inside sentences are the document's own and stay.
    if doc_id == "wenling-14th-fyp":
        assert "到 2025 年，努力打造" in doc.text


# --- paragraphs and headings ------------------------------------------------------------


def test_paragraph_ids_are_stable_across_independent_loads(seeds_copy: Path) -> None:
    def snapshot(c: corpus.Corpus) -> dict[str, list[tuple[str, str, tuple[str, ...]]]]:
        return {
            d.id: [(p.id, p.text, p.heading_path) for p in d.paragraphs]
            for d in c.documents.values()
        }

    first = snapshot(load_corpus())
    corpus.clear_cache()
    second = snapshot(load_corpus())
    third = snapshot(load_corpus(seeds_copy))
    assert first == second == third
    # Documents can serve as cache keys (e.g. for the app's caching).
    assert len({hash(doc) for doc in load_corpus().documents.values()}) == len(first)
    for paragraphs in first.values():
        ids = [pid for pid, _, _ in paragraphs]
        assert ids == [f"p{n:03d}" for n in range(1, len(ids) + 1)]


def test_heading_paths_of_known_paragraphs() -> None:
    service = _paragraph_with("wenling-14th-fyp", "推动温岭科技创新服务中心（含成果转化中心）建设")
    assert service.heading_path == (
        "四、重点任务",
        "（一）组织实施平台链提升工程，打造标志性创新创业平台",
        "1. 着力打造温岭金三角科创带",
    )
    assert citation_label("wenling-14th-fyp", service.heading_path) == (
        "《温岭市科技创新发展“十四五”规划》四、(一) 1."
    )
    traffic = _paragraph_with("wenzhou-daluo-action-2020", "“1030”走廊")
    assert traffic.heading_path == ("二、主要目标",)
    block = _paragraph_with("wenzhou-daluo-action-2020", "1.建设重点区块")
    assert block.heading_path == (
        "三、具体任务",
        "(一)全力打造创新创业新高地",
        "1.建设重点区块",
    )
    fund = _paragraph_with("wenzhou-reply-2024", "大罗山“基金村”")
    assert fund.heading_path == ("二、下一步工作计划", "（五）以科技金融融合发展为核心")
    core = _paragraph_with("taizhou-bay-briefing", "41平方公里")
    assert core.heading_path == ("规划建设台州湾科创走廊的战略蓝图", "台州湾科创走廊的战略布局")
    # An inline 一是 enumeration heads its own paragraph only.
    first = _paragraph_with("wenling-14th-fyp", "一是企业科技投入实现新突破")
    after = _paragraph_with("wenling-14th-fyp", "同时，必须清醒地认识到")
    assert first.heading_path[-1] == "一是企业科技投入实现新突破"
    assert after.heading_path == ("一、现实基础与形势需求", "（一）现实基础")
    assert citation_label("wenling-14th-fyp", first.heading_path).endswith("一、(一) 一是")


# The closing lines after each document's body, as the seed files have them (start of each).
SIGN_OFFS = {
    "wenling-reply-2025": [
        "感谢你们对科技工作的关心和支持",
        "联系科室:产学研合作服务中心",
        "联系电话:0576-86121314",
        "温岭市科学技术局",
        "二○二五年六月十六日",
    ],
    "wenzhou-reply-2024": [
        "最后，感谢致公党市委会",
        "联系人：郑淳之",
        "温州市科学技术局",
        "2024年6月27日",
        "抄送：市府办",
    ],
    "wenling-14th-fyp": ["抄送：市委办", "温岭市发展和改革局办公室", "2021年12月27日"],
    "wenzhou-daluo-action-2020": ["附件:《温州环大罗山科创走廊建设"],
    # A press conference: its last words (总之，…) are still the speech.
    "taizhou-bay-briefing": [],
}


@pytest.mark.parametrize(("doc_id", "closing"), sorted(SIGN_OFFS.items()))
def test_sign_off_lines_belong_to_no_section(doc_id: str, closing: list[str]) -> None:
    doc = load_corpus().document(doc_id)
    split = len(doc.paragraphs) - len(closing)
    body, tail = doc.paragraphs[:split], doc.paragraphs[split:]
    for paragraph, start in zip(tail, closing, strict=True):
        assert paragraph.text.startswith(start), (paragraph.id, paragraph.text)
    for paragraph in tail:
        assert paragraph.heading_path == (), (paragraph.id, paragraph.text)
        assert citation_label(doc, paragraph.heading_path) == f"《{doc.title}》"
    # The body's last paragraph keeps its section.
    assert body[-1].heading_path, body[-1].text


def test_only_the_closing_run_at_the_end_leaves_its_section() -> None:
    lines = ["一、总体要求", "感谢各方支持。", "2024年6月27日", "二、主要目标", "正文。"]
    # A thanks or a date inside the body stays in its section; the same after it does not.
    assert headings.heading_paths(lines) == [("一、总体要求",)] * 3 + [("二、主要目标",)] * 2
    closing = [*lines, "感谢各方支持。", "温州市科学技术局", "2024年6月27日", "抄送：市府办"]
    assert headings.heading_paths(closing)[4:] == [("二、主要目标",)] + [()] * 4


# --- excerpts ---------------------------------------------------------------------------

QUOTES = {
    "wenling-reply-2025": "太龙快速路预计明年6月交付通车",
    "taizhou-bay-briefing": "“一核聚能”是指规划面积41平方公里的中央创新核",
    "wenzhou-daluo-action-2020": "“10分钟入环、30分钟通环、半小时通达动车站或龙湾机场两大门户”",
    "wenzhou-reply-2024": "中国眼谷集聚兴齐眼药等科技企业250家",
    "wenling-14th-fyp": "推动温岭科技创新服务中心（含成果转化中心）建设",
}


@pytest.mark.parametrize(("doc_id", "quote"), sorted(QUOTES.items()))
def test_resolve_finds_a_quote_in_each_document(doc_id: str, quote: str) -> None:
    excerpt = corpus.resolve(doc_id, quote)
    doc = load_corpus().document(doc_id)
    assert doc.text[excerpt.start : excerpt.end] == quote
    paragraph = doc.paragraph(excerpt.paragraph_id)
    assert paragraph.start <= excerpt.start < excerpt.end <= paragraph.end
    assert excerpt.heading_path == paragraph.heading_path
    assert corpus.resolve(doc_id, quote, paragraph=paragraph.id) == excerpt


def test_resolve_fails_clearly_for_an_absent_quote() -> None:
    quote = "台州湾科创走廊总规划面积200平方公里"
    with pytest.raises(ExcerptError) as info:
        corpus.resolve("taizhou-bay-briefing", quote)
    assert "taizhou-bay-briefing" in str(info.value) and quote in str(info.value)
    assert isinstance(info.value, CorridorMapError)


def test_resolve_hints_at_the_simplified_form_of_a_traditional_quote() -> None:
    with pytest.raises(ExcerptError, match="台州湾科创走廊"):
        corpus.resolve("taizhou-bay-briefing", "臺州灣科創走廊")


def test_resolve_fails_clearly_for_an_ambiguous_quote() -> None:
    doc = load_corpus().document("wenzhou-daluo-action-2020")
    holders = [p.id for p in doc.paragraphs if "科创走廊建设" in p.text]
    assert len(holders) > 1
    with pytest.raises(ExcerptError) as info:
        corpus.resolve(doc.id, "科创走廊建设")
    message = str(info.value)
    assert doc.id in message and "科创走廊建设" in message
    for pid in holders:
        assert pid in message
    # Naming the paragraph settles it.
    excerpt = corpus.resolve(doc.id, "科创走廊建设", paragraph=holders[1])
    assert excerpt.paragraph_id == holders[1]


def test_resolve_rejects_quotes_across_paragraphs_and_unknown_ids() -> None:
    doc = load_corpus().document("wenling-14th-fyp")
    across = doc.paragraphs[10].text[-6:] + "\n" + doc.paragraphs[11].text[:6]
    assert across in doc.text
    with pytest.raises(ExcerptError, match="more than one paragraph"):
        corpus.resolve(doc.id, across)
    with pytest.raises(CorpusError, match="no-such-doc"):
        corpus.resolve("no-such-doc", "科创")
    with pytest.raises(CorpusError, match="p999"):
        corpus.resolve(doc.id, "科创", paragraph="p999")
    with pytest.raises(ExcerptError, match="p001"):
        corpus.resolve(doc.id, "科创走廊", paragraph="p001")
    with pytest.raises(ExcerptError):
        corpus.resolve(doc.id, "")


# --- search -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "doc_id"),
    [
        ("飞龙湖", "taizhou-bay-briefing"),
        ("太龙快速路", "wenling-reply-2025"),
        ("1030", "wenzhou-daluo-action-2020"),
        ("臺州灣", "taizhou-bay-briefing"),
        ("臺州灣", "wenling-14th-fyp"),
        ("大罗山", "wenzhou-reply-2024"),
    ],
)
def test_search_finds_places_and_figures(query: str, doc_id: str) -> None:
    hits = corpus.search(query)
    assert any(hit.doc_id == doc_id and hit.exact for hit in hits)
    simplified = opencc.OpenCC("t2s").convert(query)
    for hit in hits:
        text = load_corpus().document(hit.doc_id).paragraph(hit.paragraph_id).text
        assert hit.spans
        if hit.exact:
            assert all(text[s:e] == simplified for s, e in hit.spans)
            assert all(hit.snippet[s:e] == simplified for s, e in hit.snippet_spans)


def test_search_ranks_the_defining_paragraph_first() -> None:
    hits = corpus.search("中央创新核")
    assert hits[0].doc_id == "taizhou-bay-briefing"
    first = load_corpus().document(hits[0].doc_id).paragraph(hits[0].paragraph_id)
    assert "41平方公里" in first.text
    assert len(hits) > 1 and all(h.exact for h in hits[:2])


def test_search_ranks_exact_matches_before_partial_ones() -> None:
    hits = corpus.search("中央创新核", limit=50)
    flags = [hit.exact for hit in hits]
    assert True in flags and False in flags
    assert flags == sorted(flags, reverse=True)
    assert corpus.search("中央创新核", limit=50) == hits  # deterministic
    assert corpus.search("中央创新核", limit=1) == hits[:1]


def test_search_returns_nothing_for_absent_or_empty_queries() -> None:
    assert corpus.search("   ") == []
    assert corpus.search("量子引力波望远镜") == []


# --- bad input --------------------------------------------------------------------------


def test_changed_seed_file_is_rejected_naming_it(seeds_copy: Path) -> None:
    target = seeds_copy / ARCHITECTURE_IDS["wenzhou-reply-2024"]
    target.chmod(0o644)
    target.write_bytes(target.read_bytes() + b"\n")
    with pytest.raises(CorpusError, match=r"003_c3f10cc589d1c01a\.txt.*sha256"):
        load_corpus(seeds_copy)


def test_correction_not_found_is_an_error(seeds_copy: Path) -> None:
    path = seeds_copy / "corrections.json"
    path.chmod(0o644)
    table = json.loads(path.read_text(encoding="utf-8"))
    table["corrections"].append(
        {"doc": "wenling-14th-fyp", "raw": "不存在的乱码", "replacement": "x", "reason": "test"}
    )
    path.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"不存在的乱码.*not found"):
        load_corpus(seeds_copy)


def test_broken_catalog_entries_name_document_and_field(seeds_copy: Path) -> None:
    path = seeds_copy / "catalog.json"
    path.chmod(0o644)
    catalog = json.loads(path.read_text(encoding="utf-8"))
    catalog["documents"][2]["normalize"] = ["bookmarks"]
    path.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"wenzhou-daluo-action-2020.*bookmarks"):
        load_corpus(seeds_copy)
    del catalog["documents"][2]["kind"]
    catalog["documents"][2]["normalize"] = ["site_boilerplate"]
    path.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"wenzhou-daluo-action-2020.*'kind'"):
        load_corpus(seeds_copy)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"catalog\.json"):
        load_corpus(seeds_copy)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", None, "date must be"),
        ("date", "2020-01-16", "date must be"),
        ("date", {"iso": "2020-13-45", "text": None}, "not a YYYY-MM-DD date"),
        ("date", {"iso": 20200116, "text": None}, "date must be"),
        ("title", None, "title must be"),
        ("issuer", ["温州市人民政府办公室"], "issuer must be"),
    ],
)
def test_catalog_metadata_of_the_wrong_type_names_document_and_field(
    seeds_copy: Path, field: str, value: object, message: str
) -> None:
    # a null date raised AttributeError; a list issuer or null title reached the views
    path = seeds_copy / "catalog.json"
    path.chmod(0o644)
    catalog = json.loads(path.read_text(encoding="utf-8"))
    catalog["documents"][2][field] = value
    path.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CorpusError, match=rf"wenzhou-daluo-action-2020.*{message}"):
        load_corpus(seeds_copy)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"doc": ["taizhou-bay-briefing"]}, "unknown document id"),
        ({"replacement": 5}, "'replacement' must be a string"),
    ],
)
def test_a_broken_correction_names_its_field(seeds_copy: Path, changes: dict, message: str) -> None:
    # a list doc raised TypeError (unhashable); a number replacement blamed 'raw'
    path = seeds_copy / "corrections.json"
    path.chmod(0o644)
    table = json.loads(path.read_text(encoding="utf-8"))
    table["corrections"][0].update(changes)
    path.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CorpusError, match=rf"correction #1: {message}"):
        load_corpus(seeds_copy)
