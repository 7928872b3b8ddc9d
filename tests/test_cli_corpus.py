"""``corridor-map docs`` and ``corridor-map search`` over the real seeds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from corridor_map.cli.main import main
from corridor_map.documents.corpus import load_corpus

DOC_IDS = [
    "wenling-reply-2025",
    "taizhou-bay-briefing",
    "wenzhou-daluo-action-2020",
    "wenzhou-reply-2024",
    "wenling-14th-fyp",
]


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> object:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_docs_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    records = _json(capsys, ["docs", "list", "--json"])
    # catalog order; documents added later (docs add) follow the five shipped ones
    assert [r["id"] for r in records][: len(DOC_IDS)] == DOC_IDS
    by_id = {r["id"]: r for r in records}
    assert by_id["wenzhou-daluo-action-2020"]["doc_number"] == "温政办〔2020〕5号"
    assert by_id["wenling-14th-fyp"]["date"] == "2021-12-27"
    assert by_id["taizhou-bay-briefing"]["date"] is None
    assert by_id["taizhou-bay-briefing"]["script"] == "zh-Hant"


def test_docs_list_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs", "list"]) == 0
    out = capsys.readouterr().out
    for doc_id in DOC_IDS:
        assert doc_id in out
    assert "温发改〔2021〕170号" in out


def test_docs_show_json_has_paragraphs_and_corrections(
    capsys: pytest.CaptureFixture[str],
) -> None:
    record = _json(capsys, ["docs", "show", "taizhou-bay-briefing", "--json"])
    doc = load_corpus().document("taizhou-bay-briefing")
    assert [p["id"] for p in record["paragraphs"]] == [p.id for p in doc.paragraphs]
    assert "\n".join(p["text"] for p in record["paragraphs"]) == doc.text
    assert [c["replacement"] for c in record["corrections"]] == [
        "為大家介紹",
        "幫助。《規(guī)劃》",
        "由江入海”發(fā)展",
    ]
    assert {s["step"] for s in record["normalization"]} == {
        "pinyin",
        "decorations",
        "to_simplified",
    }


def test_docs_show_paragraph_json(capsys: pytest.CaptureFixture[str]) -> None:
    excerpt_text = "推动温岭科技创新服务中心（含成果转化中心）建设。"
    doc = load_corpus().document("wenling-14th-fyp")
    pid = next(p.id for p in doc.paragraphs if p.text == excerpt_text)
    record = _json(capsys, ["docs", "show", "wenling-14th-fyp", "--paragraph", pid, "--json"])
    assert record["text"] == excerpt_text
    assert record["citation"] == "《温岭市科技创新发展“十四五”规划》四、(一) 1."
    assert record["heading_path"][0] == "四、重点任务"


def test_docs_show_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs", "show", "wenzhou-reply-2024"]) == 0
    out = capsys.readouterr().out
    assert "温科提复〔2024〕108号" in out
    assert "[p001]" in out and "bookmark" not in out


def test_search_json(capsys: pytest.CaptureFixture[str]) -> None:
    hits = _json(capsys, ["search", "臺州灣", "--limit", "3", "--json"])
    assert 0 < len(hits) <= 3
    for hit in hits:
        assert hit["exact"] is True
        start, end = hit["snippet_spans"][0]
        assert hit["snippet"][start:end] == "台州湾"
        assert hit["citation"].startswith("《")


def test_search_text_highlights(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "飞龙湖"]) == 0
    out = capsys.readouterr().out
    assert "【飞龙湖】" in out and "taizhou-bay-briefing" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["docs", "show", "no-such-doc"], "no-such-doc"),
        (["docs", "show", "no-such-doc", "--json"], "no-such-doc"),
        (["docs", "show", "wenling-14th-fyp", "--paragraph", "p999"], "p999"),
    ],
)
def test_unknown_ids_exit_2_with_a_message(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert needle in captured.err and "Traceback" not in captured.err


def test_bad_limit_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["search", "科创", "--limit", "0"])
    assert info.value.code == 2
    assert "--limit" in capsys.readouterr().err


def test_installed_command_prints_utf8_json() -> None:
    # The console script next to this interpreter (the venv's), else the module.
    script = Path(sys.executable).with_name("corridor-map")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "corridor_map.cli.main"]
    result = subprocess.run(
        [*command, "search", "1030", "--json"],
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    text = result.stdout.decode("utf-8")
    assert "“1030”" in text  # ensure_ascii=False: characters, not \\u escapes
    assert json.loads(text)[0]["doc_id"] == "wenzhou-daluo-action-2020"
