"""Settings: one module reads the environment, and the README documents every variable."""

from __future__ import annotations

import ast
from pathlib import Path

from corridor_map.core.settings import ENVIRONMENT, load_settings

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "corridor_map"


def _reads_environment(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"environ", "getenv"}
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            lines.append(node.lineno)
    return sorted(lines)


def test_only_the_settings_module_reads_the_environment() -> None:
    readers = {
        str(path.relative_to(ROOT)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := _reads_environment(path)) and path.name != "settings.py"
    }
    assert readers == {}


def test_the_checker_sees_an_environment_read(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nkey = os.environ.get('X')\nother = os.getenv('Y')\n")
    assert _reads_environment(module) == [2, 3]


def test_the_readme_documents_every_variable() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in ENVIRONMENT if f"`{name}`" not in readme]
    assert missing == []


def test_settings_come_from_the_mapping_given() -> None:
    settings = load_settings(
        {
            "CORRIDOR_MAP_DATA": "/data/corridors",
            "CORRIDOR_MAP_CACHE": "off",
            "TIANDITU_KEY": " abc ",
            "CORRIDOR_MAP_SCHEMATIC_MARK": "off",
        }
    )
    assert settings.data_dir == Path("/data/corridors")
    assert settings.cache_dir is None
    assert settings.tianditu_key == "abc"
    assert settings.schematic_mark is False
    default = load_settings({"XDG_CACHE_HOME": "/tmp/xdg"})
    assert default.data_dir is None
    assert default.cache_dir == Path("/tmp/xdg/corridor-map")
    assert default.schematic_mark is True
