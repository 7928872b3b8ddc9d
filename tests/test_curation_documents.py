"""Adding documents (.docx and a PDF with a text layer, made here): searchable at once,
an excerpt of each linked to a feature, the panel showing it with its citation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corridor_map.atlas.model import load_atlas
from corridor_map.cli.main import main
from corridor_map.documents.corpus import load_corpus
from corridor_map.views.panel import feature_panel

CORE = "taizhou-central-core"
DOCX_QUOTE = "椒北片区数字经济产业园试验段位于经一路与经三路之间"
PDF_QUOTE = "中央创新核试验红线由市自然资源和规划局提供"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def make_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("台州湾科创走廊建设情况通报（试验）", level=1)
    document.add_paragraph("一、总体情况")
    document.add_paragraph(f"{DOCX_QUOTE}，面积以批复为准。")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "片区"
    table.rows[0].cells[1].text = "椒北片区"
    document.save(str(path))


def make_pdf(path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager
    from matplotlib.backends.backend_pdf import PdfPages

    fonts = [f for f in font_manager.findSystemFonts() if "NotoSansCJK-Regular" in f]
    if not fonts:
        pytest.skip("no Noto Sans CJK font to write a Chinese PDF with")
    font = font_manager.FontProperties(fname=fonts[0])
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        figure = plt.figure(figsize=(8.27, 11.69))
        figure.text(0.1, 0.9, "台州湾科创走廊中央创新核边界说明（试验）", fontproperties=font)
        figure.text(0.1, 0.85, f"{PDF_QUOTE}。", fontproperties=font)
        pdf.savefig(figure)
        plt.close(figure)


@pytest.mark.slow
def test_docx_and_pdf_added_searched_linked_and_cited(
    data_copy: Path, tmp_path: Path, capsys
) -> None:
    docx_file, pdf_file = tmp_path / "notice.docx", tmp_path / "boundary.pdf"
    make_docx(docx_file)
    make_pdf(pdf_file)

    code, out, err = run(capsys, "docs", "add", str(docx_file), "--id", "taizhou-test-notice",
                         "--title", "台州湾科创走廊建设情况通报", "--issuer", "台州市科学技术局",
                         "--date", "2026-02-10", "--number", "台科〔2026〕3号",
                         "--author", "clerk")  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, "docs", "add", str(pdf_file), "--id", "taizhou-test-boundary",
                         "--title", "中央创新核边界说明", "--issuer", "台州市自然资源和规划局",
                         "--date", "2026-03-01", "--corridor", "taizhou-bay")  # fmt: skip
    assert code == 0, err
    catalog = json.loads((data_copy / "seeds" / "catalog.json").read_text("utf-8"))
    added = {d["id"]: d for d in catalog["documents"][-2:]}
    assert added["taizhou-test-notice"]["doc_number"] == "台科〔2026〕3号"
    assert added["taizhou-test-notice"]["corridors"] == ["taizhou-bay"]  # named in the text
    assert added["taizhou-test-boundary"]["issuer"] == "台州市自然资源和规划局"

    for quote, doc_id in (
        (DOCX_QUOTE, "taizhou-test-notice"),
        (PDF_QUOTE, "taizhou-test-boundary"),
    ):
        code, out, err = run(capsys, "search", quote, "--json")
        assert code == 0, err
        assert json.loads(out)[0]["doc_id"] == doc_id
        code, out, err = run(capsys, "edit", "link", CORE, "--doc", doc_id, "--quote", quote,
                             "--reason", "the new document says so")  # fmt: skip
        assert code == 0, err

    panel = feature_panel(load_atlas(), CORE, load_corpus())
    cited = {e.doc_id: e for e in panel.excerpts}
    notice = cited["taizhou-test-notice"]
    assert notice.quote == DOCX_QUOTE and notice.error is None
    assert notice.title == "台州湾科创走廊建设情况通报"
    assert notice.doc_number == "台科〔2026〕3号" and notice.issuer == "台州市科学技术局"
    assert cited["taizhou-test-boundary"].quote == PDF_QUOTE

    code, out, _ = run(capsys, "history")
    kinds = [line.split("\t")[3] for line in out.splitlines() if line.startswith("#")]
    assert kinds == ["document", "document", "link", "link"]


def test_html_text_drops_scripts_and_styles() -> None:
    from corridor_map.curation.documents import extract_text

    page = (
        "<html><head><style>p{color:red}</style><script>alert('x')</script></head>"
        "<body><p>第一段</p><div>第二段<br>第三段</div></body></html>"
    ).encode()
    text, fmt = extract_text(page, "page.html")
    assert fmt == "html"
    assert [line for line in text.splitlines() if line.strip()] == ["第一段", "第二段", "第三段"]


def test_a_pdf_without_text_is_refused_by_name(tmp_path: Path) -> None:
    import pypdf

    from corridor_map.curation.documents import DocumentError, extract_text

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    blank = tmp_path / "scan.pdf"
    with blank.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(DocumentError, match=r"scan\.pdf: .*no text layer"):
        extract_text(blank.read_bytes(), "scan.pdf")


def test_unsupported_format_is_refused(data_copy: Path, tmp_path: Path, capsys) -> None:
    odd = tmp_path / "notes.xyz"
    odd.write_text("台州湾科创走廊", "utf-8")
    code, _, err = run(capsys, "docs", "add", str(odd), "--title", "t", "--issuer", "i",
                       "--date", "2026-01-01")  # fmt: skip
    assert code == 2 and "notes.xyz" in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_indicator_report_from_an_added_document_and_its_revert(
    data_copy: Path, tmp_path: Path, capsys
) -> None:
    register = data_copy / "layers" / "indicators.json"
    before = register.read_bytes()
    report = tmp_path / "report.txt"
    quote = "2025年全社会R&D经费投入达到45亿元"
    report.write_text(f"温岭市科技创新工作总结（试验）\n{quote}，完成倍增目标。\n", "utf-8")
    code, _, err = run(capsys, "docs", "add", str(report), "--id", "wenling-test-report",
                       "--title", "温岭市科技创新工作总结", "--issuer", "温岭市科学技术局",
                       "--date", "2026-02-10", "--corridor", "wenling-lakes")  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, "edit", "indicator", "wl-rd-expenditure", "--value", "45",
                         "--unit", "亿元", "--text", "45亿元", "--date", "2026-02-10",
                         "--scope", "温岭市", "--doc", "wenling-test-report", "--quote", quote,
                         "--reason", "the 2025 figure as reported")  # fmt: skip
    assert code == 0, err
    assert "indicator wl-rd-expenditure" in out
    data = json.loads(register.read_text("utf-8"))
    (record,) = [i for i in data["indicators"] if i["id"] == "wl-rd-expenditure"]
    assert record["reported"][-1]["value"] == 45
    assert record["reported"][-1]["source"] == {"doc": "wenling-test-report", "quote": quote}
    change_id = out.split("change #")[1].split(":")[0]
    code, _, err = run(capsys, "revert", change_id, "--reason", "reported twice")
    assert code == 0, err
    assert register.read_bytes() == before
