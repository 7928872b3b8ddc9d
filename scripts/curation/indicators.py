"""Write ``layers/indicators.json``: the documents' own quantified targets, as a register.

Usage::

    python scripts/curation/indicators.py            # write the register
    python scripts/curation/indicators.py --check    # rebuild in memory, fail if it differs

Everything in the register is reviewable data in this file. Every figure is given as the
text the document writes it in (``"28.2"`` in a table cell, ``"900家以上"`` in prose) and the
verbatim excerpt that text sits in, quoted from the *normalized* text of its document
(``corridor-map docs show DOC_ID``); :func:`corridor_map.atlas.indicators.check` refuses to write
when an excerpt does not resolve, a text is not inside its quote, a value is not the
figure of its text, or a year is neither in the quote nor in its ``year_source``.

Documents and what they give:

* ``wenling-14th-fyp`` — 表1 (15 rows: 2020 values and 2025 targets; rows whose 2020 cell
  is ``—`` have no base), the same targets restated as 五倍增、六提升 (p035, p036) and
  further 2025 targets in the text.
* ``wenzhou-daluo-action-2020`` — targets for 2022; no base figures.
* ``taizhou-bay-briefing`` — its 2026 and 2035 goals are not quantified: they are kept as
  milestones (``kind: milestone``, value null), not turned into numbers.
* ``wenzhou-reply-2024`` — reports city-wide (温州市) figures for four of the Daluo
  corridor's targets; they are recorded with ``scope: 温州市`` and do not count as a report
  of the corridor's target (:func:`corridor_map.atlas.indicators.status`).
* ``wenling-reply-2025`` — reports no figure of any indicator here (checked by reading it:
  its figures are on projects, platforms and floor area the plan sets no target for).

Nothing is computed: no progress share, no conversion (``1.56万家`` stays 1.56 万家), no
year inferred beyond what a quote states.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from corridor_map.atlas.indicators import IndicatorError, check  # noqa: E402
from corridor_map.core import schemas  # noqa: E402
from corridor_map.core.errors import CorridorMapError  # noqa: E402
from corridor_map.geo.geojson import write_atomically  # noqa: E402

OUTPUT = REPO / "layers" / "indicators.json"

FYP = "wenling-14th-fyp"  # 2021-12-27
ACTION = "wenzhou-daluo-action-2020"  # 2020-01-16
BRIEFING = "taizhou-bay-briefing"  # year unknown
REPLY_WZ = "wenzhou-reply-2024"  # 2024-06-27
REPLY_WZ_DATE = "2024-06-27"


def src(doc: str, quote: str, paragraph: str) -> dict[str, Any]:
    """An excerpt; the paragraph is always given, so a repeated quote stays unambiguous."""
    return {"doc": doc, "quote": quote, "paragraph": paragraph}


def fig(
    year: int,
    text: str,
    source: dict[str, Any],
    value: float | None = None,
    qualifier: str | None = None,
    year_source: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A stated figure; ``value`` defaults to the first number of ``text`` (None if none)."""
    if value is None:
        import re

        found = re.search(r"\d+(?:\.\d+)?", text)
        value = None if found is None else _number(found.group())
    return {
        "year": year,
        "value": value,
        "text": text,
        "qualifier": qualifier,
        "source": source,
        "year_source": year_source,
    }


def _number(text: str) -> float | int:
    return float(text) if "." in text else int(text)


# --------------------------------------------------------------- Wenling 14th FYP, 表1
#
# The table's header row (指标类型 指标名称 单位 2020年 2025年 备注) is repeated after the
# page break, so each half cites its own header paragraph for the two years.
HEAD_1 = src(FYP, "指标类型\t指标名称\t单位\t2020年\t2025年\t备注", "p038")
HEAD_2 = src(FYP, "指标类型\t指标名称\t单位\t2020年\t2025年\t备注", "p046")
# The prose statement of the same targets: 到2025年，科技创新发展实现五倍增、六提升。
PROSE_YEAR = src(FYP, "到2025年，科技创新发展实现五倍增、六提升", "p034")
PLAN_PERIOD = src(FYP, "规划期限2021-2025年", "p010")

# id, paragraph, verbatim row, category, name_zh, name_en, unit, kind, 2020 cell,
# 2025 cell, 备注 cell, (group, paragraph, prose quote, prose text) of 五倍增/六提升 or None.
TABLE_1: list[tuple[Any, ...]] = [
    (
        "wl-rd-expenditure",
        "p039",
        "科技投入\t全社会R&D经费投入\t亿元\t28.2\t58\t倍增",
        "科技投入",
        "全社会R&D经费投入",
        "Gross R&D expenditure",
        "亿元",
        "amount",
        "28.2",
        "58",
        "倍增",
        ("五倍增", "p035", "全社会R&D经费投入达58亿元", "58亿元"),
    ),
    (
        "wl-rd-intensity",
        "p040",
        "全社会R&D经费支出占地区生产总值比重\t%\t2.0\t3.3\t提升",
        "科技投入",
        "全社会R&D经费支出占地区生产总值比重",
        "Gross R&D expenditure as a share of GDP",
        "%",
        "share",
        "2.0",
        "3.3",
        "提升",
        ("六提升", "p036", "全社会R&D经费支出占地区生产总值比重达3.3%", "3.3%"),
    ),
    (
        "wl-rd-personnel",
        "p041",
        "每万名就业人员中R&D人员数\t人年\t110\t130\t提升",
        "科技投入",
        "每万名就业人员中R&D人员数",
        "R&D personnel per 10,000 employed",
        "人年",
        "density",
        "110",
        "130",
        "提升",
        ("六提升", "p036", "每万名就业人员中R&D人员数达130人年", "130人年"),
    ),
    (
        "wl-industrial-rd-intensity",
        "p042",
        "规上工业企业R&D经费支出占营业收入比重\t%\t2.6\t3.5\t提升",
        "科技投入",
        "规上工业企业R&D经费支出占营业收入比重",
        "R&D expenditure of industrial firms above designated size, share of revenue",
        "%",
        "share",
        "2.6",
        "3.5",
        "提升",
        ("六提升", "p036", "规上工业企业R&D经费支出占营业收入比重达3.5%", "3.5%"),
    ),
    (
        "wl-rd-institution-rate",
        "p043",
        "技术创新\t企业研发机构设置率\t%\t18\t50\t—",
        "技术创新",
        "企业研发机构设置率",
        "Share of enterprises with an R&D institution",
        "%",
        "share",
        "18",
        "50",
        "—",
        None,
    ),
    (
        "wl-hitech-enterprises",
        "p044",
        "高新技术企业数\t家\t276\t560\t倍增",
        "技术创新",
        "高新技术企业数",
        "High-tech enterprises",
        "家",
        "count",
        "276",
        "560",
        "倍增",
        ("五倍增", "p035", "高新技术企业数达560家", "560家"),
    ),
    (
        "wl-tech-smes",
        "p045",
        "科技型中小企业数\t家\t1283\t1800\t提升",
        "技术创新",
        "科技型中小企业数",
        "Technology-based SMEs",
        "家",
        "count",
        "1283",
        "1800",
        "提升",
        ("六提升", "p036", "科技型中小企业数达1800家", "1800家"),
    ),
    (
        "wl-high-value-patents",
        "p047",
        "科技产出\t每万人高价值发明专利拥有量\t件\t5\t7\t提升",
        "科技产出",
        "每万人高价值发明专利拥有量",
        "High-value invention patents per 10,000 residents",
        "件",
        "density",
        "5",
        "7",
        "提升",
        ("六提升", "p036", "每万人高价值发明专利拥有量达7件", "7件"),
    ),
    (
        "wl-tech-trade-share",
        "p048",
        "技术交易总额相当于地区生产总值比重\t%\t—\t2\t—",
        "科技产出",
        "技术交易总额相当于地区生产总值比重",
        "Technology trade volume relative to GDP",
        "%",
        "share",
        None,
        "2",
        "—",
        None,
    ),
    (
        "wl-digital-economy-share",
        "p049",
        "转型升级\t数字经济核心产业增加值占GDP比重\t%\t2.6\t10\t倍增",
        "转型升级",
        "数字经济核心产业增加值占GDP比重",
        "Digital-economy core industries' value added, share of GDP",
        "%",
        "share",
        "2.6",
        "10",
        "倍增",
        ("五倍增", "p035", "数字经济核心产业增加值占GDP比重达10%", "10%"),
    ),
    (
        "wl-emerging-industries-share",
        "p050",
        "战略性新兴产业增加值占地区生产总值比重\t%\t—\t4.5\t—",
        "转型升级",
        "战略性新兴产业增加值占地区生产总值比重",
        "Strategic emerging industries' value added, share of GDP",
        "%",
        "share",
        None,
        "4.5",
        "—",
        None,
    ),
    (
        "wl-hitech-industry-share",
        "p051",
        "高新技术产业增加值占规模以上工业增加值比重\t%\t68.8\t72\t提升",
        "转型升级",
        "高新技术产业增加值占规模以上工业增加值比重",
        "High-tech industries' share of value added of industry above designated size",
        "%",
        "share",
        "68.8",
        "72",
        "提升",
        ("六提升", "p036", "高新技术产业增加值占规上工业增加值比重达72%", "72%"),
    ),
    (
        "wl-new-rd-institutions",
        "p052",
        "创新平台\t省级新型研发机构\t家\t—\t2\t倍增",
        "创新平台",
        "省级新型研发机构",
        "Provincial new-type R&D institutions",
        "家",
        "count",
        None,
        "2",
        "倍增",
        ("五倍增", "p035", "省级新型研发机构达2家", "2家"),
    ),
    (
        "wl-maker-spaces",
        "p053",
        "省级众创空间\t家\t4\t8\t倍增",
        "创新平台",
        "省级众创空间",
        "Provincial maker spaces",
        "家",
        "count",
        "4",
        "8",
        "倍增",
        ("五倍增", "p035", "省级众创空间达8家", "8家"),
    ),
    (
        "wl-innovation-enclaves",
        "p054",
        "创新飞地\t家\t4\t8\t倍增",
        "创新平台",
        "创新飞地",
        "Innovation enclaves (飞地)",
        "家",
        "count",
        "4",
        "8",
        "倍增",
        None,
    ),
]

# Where the plan's text states a table row's 2020 figure again.
FYP_BASE_RESTATED = {
    "wl-rd-intensity": ("p013", "2020年全社会R&D经费支出占GDP比重达2.0%", "2.0%"),
    "wl-hitech-enterprises": (
        "p015",
        "2020 年，全市累计拥有国家高新技术企业 276 家",
        "276 家",
    ),
    "wl-tech-smes": (
        "p015",
        "2020 年，全市累计拥有国家高新技术企业 276 家、省级科技型中小企业 1283 家",
        "1283 家",
    ),
}
FYP_NOTES = {
    "wl-industrial-rd-intensity": (
        "表1 and p014 give 2.6% for 2020; p013 states 规上工业企业R&D占营业收入比重达2.5% for "
        "2020. The register keeps the table's figure and does not reconcile the two."
    ),
    "wl-hitech-industry-share": (
        "p013 states 高新技术产业增加值占工业增加值比重达68.8% (工业, not 规模以上工业) for 2020."
    ),
    "wl-innovation-enclaves": (
        "表1 marks it 倍增, but the prose list of 五倍增 (p035) does not name it."
    ),
}


def _table_1() -> list[dict[str, Any]]:
    records = []
    for row in TABLE_1:
        (iid, pid, quote, category, name_zh, name_en, unit, kind) = row[:8]
        base_text, target_text, remark, prose = row[8:]
        head = HEAD_1 if pid < "p046" else HEAD_2
        cell = src(FYP, quote, pid)
        base = None if base_text is None else fig(2020, base_text, cell, year_source=head)
        tags = ["表1", f"备注:{remark}"]
        restated = []
        if prose is not None:
            group, ppid, pquote, ptext = prose
            tags.append(group)
            restated.append(fig(2025, ptext, src(FYP, pquote, ppid), year_source=PROSE_YEAR))
        if iid in FYP_BASE_RESTATED:
            bpid, bquote, btext = FYP_BASE_RESTATED[iid]
            restated.append(fig(2020, btext, src(FYP, bquote, bpid)))
        records.append(
            {
                "id": iid,
                "corridor": "wenling-lakes",
                "scope": "温岭市",
                "doc": FYP,
                "category": category,
                "name_zh": name_zh,
                "name_en": name_en,
                "unit": unit,
                "kind": kind,
                "tags": tags,
                "note": FYP_NOTES.get(iid),
                "base": base,
                "target": fig(2025, target_text, cell, year_source=head),
                "restated": restated,
                "reported": [],
            }
        )
    return records


# p109 restates the 规上 R&D intensity target in its own section.
TABLE_1_EXTRA_RESTATED = {
    "wl-industrial-rd-intensity": fig(
        2025,
        "3.5%",
        src(FYP, "到 2025 年，规上工业企业 R&D 经费支出占营业收入比重达 3.5%", "p109"),
    ),
}

# Further 2025 targets of the plan's text (not in 表1).
P091 = (
    "到2025年，力争建成国家级技术创新中心温岭分中心2家，省级以上新型研发机构2家、"
    "省级重点实验室2家、省级工程技术研究中心2家、台州市级重点实验室10家"
)
P092 = "到2025年，建成省级以上孵化器2家，市级以上“双创”平台15家以上"
FYP_PROSE = [
    # id, name_zh, name_en, unit, kind, paragraph, quote, text, qualifier, scope, category
    (
        "wl-national-tech-centre-branches",
        "国家级技术创新中心温岭分中心",
        "Wenling branches of national technology innovation centres",
        "家",
        "count",
        "p091",
        P091,
        "国家级技术创新中心温岭分中心2家",
        None,
        "温岭市",
        "创新平台",
    ),
    (
        "wl-provincial-key-labs",
        "省级重点实验室",
        "Provincial key laboratories",
        "家",
        "count",
        "p091",
        P091,
        "省级重点实验室2家",
        None,
        "温岭市",
        "创新平台",
    ),
    (
        "wl-provincial-engineering-centres",
        "省级工程技术研究中心",
        "Provincial engineering technology research centres",
        "家",
        "count",
        "p091",
        P091,
        "省级工程技术研究中心2家",
        None,
        "温岭市",
        "创新平台",
    ),
    (
        "wl-taizhou-key-labs",
        "台州市级重点实验室",
        "Taizhou municipal key laboratories",
        "家",
        "count",
        "p091",
        P091,
        "台州市级重点实验室10家",
        None,
        "温岭市",
        "创新平台",
    ),
    (
        "wl-provincial-incubators",
        "省级以上孵化器",
        "Incubators at provincial level or above",
        "家",
        "count",
        "p092",
        P092,
        "省级以上孵化器2家",
        None,
        "温岭市",
        "创新平台",
    ),
    (
        "wl-startup-platforms",
        "市级以上“双创”平台",
        "Entrepreneurship platforms at city level or above",
        "家",
        "count",
        "p092",
        P092,
        "15家以上",
        "at_least",
        "温岭市",
        "创新平台",
    ),
    (
        "wl-hitech-zone-revenue",
        "高新区营业收入",
        "Operating revenue of the high-tech industrial park",
        "亿元",
        "amount",
        "p094",
        "力争到2025年，高新区营业收入500亿元",
        "500亿元",
        None,
        "温岭高端装备制造省级高新技术产业园区",
        "转型升级",
    ),
]


def _fyp_prose() -> list[dict[str, Any]]:
    records = []
    for row in FYP_PROSE:
        iid, name_zh, name_en, unit, kind, pid, quote, text, qualifier, scope, category = row
        records.append(
            {
                "id": iid,
                "corridor": "wenling-lakes",
                "scope": scope,
                "doc": FYP,
                "category": category,
                "name_zh": name_zh,
                "name_en": name_en,
                "unit": unit,
                "kind": kind,
                "tags": ["正文"],
                "note": None,
                "base": None,
                "target": fig(2025, text, src(FYP, quote, pid), qualifier=qualifier),
                "restated": [],
                "reported": [],
            }
        )
    # 十四五期间 carries no year of its own: the plan period (规划期限2021-2025年) gives 2025.
    records.append(
        {
            "id": "wl-tech-loans-balance",
            "corridor": "wenling-lakes",
            "scope": "温岭市",
            "doc": FYP,
            "category": "服务链",
            "name_zh": "科技企业贷款期末余额",
            "name_en": "Outstanding loans to technology enterprises (end of period)",
            "unit": "亿元",
            "kind": "amount",
            "tags": ["正文"],
            "note": "Stated for “十四五”期间; the year is the end of the plan period (p010).",
            "base": None,
            "target": fig(
                2025,
                "17.5 亿元",
                src(FYP, "“十四五”期间，实现科技企业贷款期末余额 17.5 亿元", "p120"),
                year_source=PLAN_PERIOD,
            ),
            "restated": [],
            "reported": [],
        }
    )
    return records


# ------------------------------------------------- Wenzhou Daluo action plan, 2022 targets
#
# p015 lists the targets under 到2022年 (p014); p020–p027 restate several with the year
# in the sentence. The sentence with the year is the target's source; the other a
# restatement. The plan gives no base figures.
YEAR_2022 = src(ACTION, "到2022年,科创走廊初步成型", "p014")
PLAN_TITLE = src(ACTION, "温州环大罗山科创走廊建设三年行动计划(2020-2022)", "p008")
P015 = (
    "累计新增高能级创新平台20家以上、省级企业研究院35家以上,技术交易额年增速30%以上。"
    "创新支撑产业效果显现,有效高新技术企业900家以上、省级科技型中小企业3600家以上,"
    "累计引育海内外高层次人才2000名以上。科技创新平台基本建成,"
    "创建(培育)产业创新服务综合体达到10家以上,创建未来社区4个"
)
P022_FIRMS = "到2022年,科创走廊内有效高新技术企业、省级科技型中小企业数分别达到900家和3600家"
P023_TALENT = "到2022年,每年引进10个高水平科技团队,累计引进培育海内外高层次创新创业人才2000名以上"
P023_MASTERS = (
    "到2022年,助力100名左右重点企业带头人成长,培育10名左右具有全球战略眼光和市场开拓能力、"
    "引领全国科技产业发展的温商创新名家"
)
P023_CENTRES = "到2022年,建成10个高校协同创新中心、10个产教融合示范基地"

CITY_WIDE = (
    "温州市 as a whole (the reply letter's 全市 figure), not the corridor the target is set "
    "for; shown beside the target, not counted as its report."
)


def _wz(
    iid: str,
    name_zh: str,
    name_en: str,
    unit: str,
    kind: str,
    target: dict[str, Any],
    restated: list[dict[str, Any]] | None = None,
    reported: list[dict[str, Any]] | None = None,
    category: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    return {
        "id": iid,
        "corridor": "wenzhou-daluo",
        "scope": "环大罗山科创走廊",
        "doc": ACTION,
        "category": category,
        "name_zh": name_zh,
        "name_en": name_en,
        "unit": unit,
        "kind": kind,
        "tags": ["2022"],
        "note": note,
        "base": None,
        "target": target,
        "restated": restated or [],
        "reported": reported or [],
    }


def _city_report(value: float, unit: str, text: str, quote: str, pid: str, note: str) -> dict:
    return {
        "value": value,
        "unit": unit,
        "text": text,
        "date": REPLY_WZ_DATE,
        "scope": "温州市",
        "source": src(REPLY_WZ, quote, pid),
        "note": f"{CITY_WIDE} {note}",
    }


def _wenzhou() -> list[dict[str, Any]]:
    p015 = src(ACTION, P015, "p015")
    p022 = src(ACTION, P022_FIRMS, "p022")
    return [
        _wz(
            "wz-high-level-platforms",
            "累计新增高能级创新平台",
            "New high-level innovation platforms (cumulative)",
            "家",
            "count",
            fig(2022, "20家以上", p015, qualifier="at_least", year_source=YEAR_2022),
            reported=[
                _city_report(
                    68,
                    "家",
                    "68家",
                    "累计引进香港理工大学温州研究院等高能级科创平台68家",
                    "p007",
                    "累计引进 (introduced, cumulative since a date not stated).",
                )
            ],
            category="创新平台",
        ),
        _wz(
            "wz-enterprise-institutes",
            "累计新增省级企业研究院",
            "New provincial enterprise research institutes (cumulative)",
            "家",
            "count",
            fig(2022, "35家以上", p015, qualifier="at_least", year_source=YEAR_2022),
            category="创新平台",
        ),
        _wz(
            "wz-tech-trade-growth",
            "技术交易额年增速",
            "Annual growth of technology trade",
            "%",
            "rate",
            fig(2022, "30%以上", p015, qualifier="at_least", year_source=YEAR_2022),
            category="科技产出",
        ),
        _wz(
            "wz-hitech-enterprises",
            "有效高新技术企业",
            "High-tech enterprises (valid certification) in the corridor",
            "家",
            "count",
            fig(2022, "900家", p022),
            restated=[fig(2022, "900家以上", p015, qualifier="at_least", year_source=YEAR_2022)],
            reported=[
                _city_report(
                    4326,
                    "家",
                    "4326家",
                    "高新技术企业累计4326家",
                    "p008",
                    "累计 (cumulative).",
                )
            ],
            category="企业",
        ),
        _wz(
            "wz-tech-smes",
            "省级科技型中小企业",
            "Provincial technology-based SMEs in the corridor",
            "家",
            "count",
            fig(2022, "3600家", p022),
            restated=[fig(2022, "3600家以上", p015, qualifier="at_least", year_source=YEAR_2022)],
            reported=[
                _city_report(
                    1.56,
                    "万家",
                    "1.56万家",
                    "省科技型中小企业累计1.56万家",
                    "p008",
                    "累计 (cumulative); the letter's unit 万家 is kept.",
                )
            ],
            category="企业",
        ),
        _wz(
            "wz-high-level-talent",
            "累计引进培育海内外高层次创新创业人才",
            "High-level talent from home and abroad, introduced or trained (cumulative)",
            "名",
            "count",
            fig(2022, "2000名以上", src(ACTION, P023_TALENT, "p023"), qualifier="at_least"),
            restated=[fig(2022, "2000名以上", p015, qualifier="at_least", year_source=YEAR_2022)],
            category="人才",
        ),
        _wz(
            "wz-innovation-service-complexes",
            "创建(培育)产业创新服务综合体",
            "Industrial innovation service complexes created or fostered",
            "家",
            "count",
            fig(2022, "10家以上", p015, qualifier="at_least", year_source=YEAR_2022),
            category="创新平台",
        ),
        _wz(
            "wz-future-communities",
            "创建未来社区",
            "Future communities created",
            "个",
            "count",
            fig(2022, "4个", p015, year_source=YEAR_2022),
            category="宜居",
        ),
        _wz(
            "wz-incubation-floor-area",
            "创业孵化面积",
            "Incubation floor area",
            "万平方米",
            "area",
            fig(2022, "110万平方米", src(ACTION, "到2022年,创业孵化面积达到110万平方米", "p021")),
            reported=[
                _city_report(
                    512,
                    "万方",
                    "512万方",
                    "累计建成孵化面积512万方",
                    "p009",
                    "累计建成 (built, cumulative); the letter's unit 万方 is kept.",
                )
            ],
            category="创新平台",
        ),
        _wz(
            "wz-leading-enterprises",
            "创新型领军(瞪羚)企业新增",
            "New innovative leading (gazelle) enterprises",
            "家",
            "count",
            fig(
                2022,
                "30家",
                src(ACTION, "力争到 2022 年创新型领军(瞪羚)企业新增30家", "p022"),
            ),
            category="企业",
        ),
        _wz(
            "wz-major-projects",
            "累计实施创新型重大科技项目",
            "Major innovative S&T projects carried out (cumulative)",
            "个",
            "count",
            fig(
                2022,
                "30个以上",
                src(ACTION, "到2022年,累计实施30个以上创新型重大科技项目", "p022"),
                qualifier="at_least",
            ),
            category="企业",
        ),
        _wz(
            "wz-research-teams-per-year",
            "每年引进高水平科技团队",
            "High-level S&T teams introduced per year",
            "个",
            "count",
            fig(2022, "10个", src(ACTION, P023_TALENT, "p023")),
            category="人才",
        ),
        _wz(
            "wz-enterprise-leaders",
            "助力重点企业带头人成长",
            "Leaders of key enterprises supported",
            "名",
            "count",
            fig(2022, "100名左右", src(ACTION, P023_MASTERS, "p023"), qualifier="about"),
            category="人才",
        ),
        _wz(
            "wz-innovation-masters",
            "培育温商创新名家",
            "Wenzhou-merchant innovation masters fostered",
            "名",
            "count",
            fig(2022, "10名左右", src(ACTION, P023_MASTERS, "p023"), qualifier="about"),
            category="人才",
        ),
        _wz(
            "wz-university-innovation-centres",
            "高校协同创新中心",
            "University collaborative innovation centres",
            "个",
            "count",
            fig(2022, "10个高校协同创新中心", src(ACTION, P023_CENTRES, "p023")),
            category="人才",
        ),
        _wz(
            "wz-industry-education-bases",
            "产教融合示范基地",
            "Industry-education integration demonstration bases",
            "个",
            "count",
            fig(2022, "10个产教融合示范基地", src(ACTION, P023_CENTRES, "p023")),
            category="人才",
        ),
        _wz(
            "wz-bottleneck-projects-per-year",
            "每年开展“卡脖子”核心技术攻关项目",
            "“Choke-point” core technology projects per year",
            "项",
            "count",
            fig(
                2022,
                "10项左右",
                src(ACTION, "到2022年,每年开展10项左右“卡脖子”核心技术攻关项目", "p027"),
                qualifier="about",
            ),
            category="企业",
        ),
        _wz(
            "wz-key-blocks",
            "标志性重点区块",
            "Landmark key blocks",
            "个",
            "count",
            fig(
                2022,
                "10个以上",
                src(ACTION, "全市集中资源打造形成10个以上科创资源集聚", "p020"),
                qualifier="at_least",
                year_source=PLAN_TITLE,
            ),
            category="创新平台",
            note="The sentence gives no year; it is the end of the plan's period (2020-2022).",
        ),
    ]


# ------------------------------------------------------- Taizhou Bay briefing: milestones
#
# 到2026年 and 到2035年 goals are qualitative (初步建成, 创成国家级高新区, 全面建成): kept as
# milestones with no value. The briefing's own year is unknown (catalog date null).
P019_2026 = (
    "到2026年,台州湾科创走廊初步建成,高能级科创平台、高水平创新型企业、高素质科创人才加速集聚,"
    "创成国家级高新区"
)


def _taizhou() -> list[dict[str, Any]]:
    def milestone(iid: str, name_zh: str, name_en: str, year: int, text: str, quote: str):
        return {
            "id": iid,
            "corridor": "taizhou-bay",
            "scope": "台州湾科创走廊",
            "doc": BRIEFING,
            "category": "战略目标",
            "name_zh": name_zh,
            "name_en": name_en,
            "unit": None,
            "kind": "milestone",
            "tags": [str(year)],
            "note": "Not quantified in the briefing: a milestone, no figure.",
            "base": None,
            "target": fig(year, text, src(BRIEFING, quote, "p019")),
            "restated": [],
            "reported": [],
        }

    return [
        milestone(
            "tz-corridor-initially-built",
            "台州湾科创走廊初步建成",
            "Corridor initially built",
            2026,
            "台州湾科创走廊初步建成",
            P019_2026,
        ),
        milestone(
            "tz-national-hitech-zone",
            "创成国家级高新区",
            "A national high-tech zone established",
            2026,
            "创成国家级高新区",
            P019_2026,
        ),
        milestone(
            "tz-corridor-fully-built",
            "台州湾科创走廊全面建成",
            "Corridor fully built",
            2035,
            "台州湾科创走廊全面建成",
            "到2035年,台州湾科创走廊全面建成",
        ),
    ]


# The curators' notes are explanations, not quotes: each has a Chinese version, shown in
# the Chinese UI (the Chinese words inside them are the documents' own and stay verbatim).
CITY_WIDE_ZH = (
    "温州市全市数字（复函中的“全市”口径），并非目标所针对的走廊；列于目标旁，不计作该目标的报告。"
)
NOTES_ZH = {
    FYP_NOTES["wl-industrial-rd-intensity"]: (
        "表1 与 p014 记 2020 年为 2.6%；p013 写作“规上工业企业R&D占营业收入比重达2.5%”"
        "（2020 年）。本登记采用表中数字，不对二者作调和。"
    ),
    FYP_NOTES["wl-hitech-industry-share"]: (
        "p013 写作“高新技术产业增加值占工业增加值比重达68.8%”（2020 年；口径为工业，"
        "而非规模以上工业）。"
    ),
    FYP_NOTES["wl-innovation-enclaves"]: "表1 标注为“倍增”，但正文的“五倍增”列表（p035）未列此项。",
    "Stated for “十四五”期间; the year is the end of the plan period (p010).": (
        "原文为“十四五”期间；年份取规划期末（p010）。"
    ),
    "The sentence gives no year; it is the end of the plan's period (2020-2022).": (
        "该句未写年份；年份取规划期末（2020-2022）。"
    ),
    "Not quantified in the briefing: a milestone, no figure.": (
        "新闻发布会未给出量化数字：为里程碑目标，无数字。"
    ),
    f"{CITY_WIDE} 累计引进 (introduced, cumulative since a date not stated).": (
        f"{CITY_WIDE_ZH}“累计引进”：累计数，起算时间未说明。"
    ),
    f"{CITY_WIDE} 累计 (cumulative).": f"{CITY_WIDE_ZH}“累计”：累计数。",
    f"{CITY_WIDE} 累计 (cumulative); the letter's unit 万家 is kept.": (
        f"{CITY_WIDE_ZH}“累计”：累计数；保留复函所用单位“万家”。"
    ),
    f"{CITY_WIDE} 累计建成 (built, cumulative); the letter's unit 万方 is kept.": (
        f"{CITY_WIDE_ZH}“累计建成”：累计建成数；保留复函所用单位“万方”。"
    ),
}


def _with_note_zh(record: dict[str, Any]) -> dict[str, Any]:
    """The record with ``note_zh`` after ``note`` (a note without a translation raises)."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        out[key] = value
        if key == "note":
            out["note_zh"] = None if value is None else NOTES_ZH[value]
    return out


def register() -> dict[str, Any]:
    """The register's content, before checking."""
    records = _table_1() + _fyp_prose() + _wenzhou() + _taizhou()
    for record in records:
        extra = TABLE_1_EXTRA_RESTATED.get(record["id"])
        if extra is not None:
            record["restated"].append(extra)
        record["reported"] = [_with_note_zh(r) for r in record["reported"]]
    records = [_with_note_zh(r) for r in records]
    return {
        "name": "indicators",
        "description": (
            "文件自身的量化目标：基期值、目标值与后续文件报告的数值，每个数字附原文摘录。"
            "不作任何推算；目标年已过而无报告者记为“无报告”。 The documents' own quantified "
            "targets: base, target and later reported figures, each with its verbatim "
            "excerpt. Nothing computed; a target whose year has passed with no report is "
            "'no report'."
        ),
        "indicators": records,
    }


def build() -> str:
    """Check the register and return its file text.

    Raises
    ------
    IndicatorError
        Naming the indicator and field of every problem.
    """
    data = register()
    problems = check(data, OUTPUT.name)
    if problems:
        lines = "; ".join(f"{iid}: {where}: {reason}" for iid, where, reason in problems)
        raise IndicatorError(f"{len(problems)} problem(s): {lines}")
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the register, or with ``--check`` compare it; 2 on bad data, 1 when stale."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file would change")
    args = parser.parse_args(argv)
    shown = OUTPUT.relative_to(REPO)
    try:
        text = build()
        schemas.require("indicators", json.loads(text), OUTPUT.name)  # the published structure
    except CorridorMapError as exc:
        print(f"indicators: {exc}", file=sys.stderr)
        return 2
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{shown} is out of date: run scripts/curation/indicators.py", file=sys.stderr)
            return 1
        print(f"{shown} is up to date")
        return 0
    try:
        write_atomically(OUTPUT, text)
    except CorridorMapError as exc:  # an OS failure (disk full, permission): one line
        print(f"indicators: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {shown} ({len(json.loads(text)['indicators'])} indicators)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
