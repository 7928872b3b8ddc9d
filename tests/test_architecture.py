"""The architecture as checks: import-linter's contracts (``[tool.importlinter]`` in
``pyproject.toml``: subpackages by layer, Streamlit only in ``ui``, folium only in
``webmap``), one home per name (no module lists another module's name in ``__all__``), and
test support outside the package.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "corridor_map"


def _lint_imports() -> list[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("lint-imports")
    if found is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    return [found]


def test_import_linter_contracts_are_kept(tmp_path: Path) -> None:
    done = subprocess.run(
        [*_lint_imports(), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_contracts_name_every_subpackage() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = config["tool"]["importlinter"]["contracts"][0]["layers"]
    named = {part.strip() for layer in layers for part in layer.split("|")}
    subpackages = {
        f"corridor_map.{p.parent.name}"
        for p in PACKAGE.glob("*/__init__.py")
        if not p.parent.name.startswith("_")
    }
    assert subpackages == named
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    assert loose == [], f"modules outside a layer subpackage: {loose}"


def _defined_and_exported(path: Path) -> tuple[set[str], list[str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined: set[str] = set()
    exported: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            names = {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            defined |= names
            if "__all__" in names and isinstance(node.value, (ast.List, ast.Tuple)):
                exported = [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            defined.add(node.target.id)
    return defined, exported


def test_no_module_re_exports_another_modules_names() -> None:
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        defined, exported = _defined_and_exported(path)
        foreign = [name for name in exported if name not in defined]
        if foreign:
            offenders[str(path.relative_to(ROOT))] = foreign
    assert offenders == {}


def test_the_checker_sees_a_re_export(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from x import y\n__all__ = ['y', 'z']\nz = 1\n", encoding="utf-8")
    defined, exported = _defined_and_exported(module)
    assert [name for name in exported if name not in defined] == ["y"]


def test_test_support_is_not_in_the_package() -> None:
    assert not (PACKAGE / "_appserver.py").exists()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("tests", "benchmarks")), path
