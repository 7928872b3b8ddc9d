"""The table of ``corridor-map`` subcommands: which module registers each, and its help.

:mod:`corridor_map.cli.main` reads only this table to list the commands (``--help``) and
imports just the module of the command that runs, so a command pays only for what it uses.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["COMMANDS", "Command"]


class Command(NamedTuple):
    """A subcommand: the module under :mod:`corridor_map.cli` that registers it, its help."""

    module: str
    help: str


COMMANDS: dict[str, Command] = {
    "docs": Command("documents", "政策文件 / the source documents"),
    "search": Command("documents", "全文检索 / search the documents (simplified or traditional)"),
    "validate": Command("atlas", "校验图层 / check every layer file against the schema and texts"),
    "features": Command("atlas", "列出要素 / list features with their measures"),
    "measure": Command("travel", "量算要素 / geodesic area, perimeter, length of a feature"),
    "travel": Command("travel", "出行时间 / fastest trip between two features"),
    "targets": Command("travel", "出行目标评估 / evaluate the documents' travel-time targets"),
    "isochrone": Command("travel", "等时圈 / area reachable within N minutes"),
    "indicators": Command("indicators", "文件目标登记表 / the documents' quantified targets"),
    "export": Command("outputs", "导出 / export features, a route, an isochrone or targets"),
    "print": Command("outputs", "打印地图 / printable map (PDF or PNG, A4/A3 landscape)"),
    "site": Command(
        "site", "选址核查 / what the plan says about a parcel (zones, excerpts, travel)"
    ),
    "edit": Command("curation", "修改要素 / change a curated feature (validated, kept in history)"),
    "history": Command("curation", "修改记录 / the changes (of one feature)"),
    "revert": Command("curation", "撤销修改 / a new change restoring the state before CHANGE"),
    "publish": Command("curation", "发布图层 / write the current state as layer files"),
    "data": Command("curation", "数据文件 / the curated data as YAML + GeoJSON files, and back"),
    "sources": Command("sources", "来源说明 / write docs/sources pages from the data"),
    "brief": Command("outputs", "简报 / one- or two-page PDF brief on a feature or a target"),
}
