"""The layers import one way: pages -> ui -> services -> sources/store/stats/maps/reports -> leaf.

Each heavy library lives in one layer (house style). This walks every import with ``ast``: ``import x``,
``from x import y``, ``from cluster_map import sub`` (a sub-package or module: an import of
``cluster_map.sub``) and imports by name through ``importlib.import_module`` / ``__import__`` whose
argument is a string literal, a module-level string constant or an f-string with a literal prefix.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "cluster_map"

# layer -> cluster_map sub-packages it may import
LEAF = {"config", "errors", "schema", "geo", "catalogue", "__init__"}
ALLOWED: dict[str, set[str]] = {
    "leaf": LEAF,
    "sources": LEAF | {"sources"},
    "store": LEAF | {"store"},
    "stats": LEAF | {"stats"},
    "maps": LEAF | {"maps"},
    "reports": LEAF | {"reports", "maps"},
    "services": LEAF | {"services", "sources", "store", "stats", "maps", "reports"},
    "ui": LEAF | {"ui", "services", "maps"},
    "cli": LEAF | {"services", "cli"},
    "pages": LEAF | {"ui"},
}
# third-party library -> layers allowed to import it
HEAVY: dict[str, set[str]] = {
    "duckdb": {"store"},
    "streamlit": {"ui", "pages"},
    "streamlit_folium": {"ui", "pages"},
    "folium": {"maps"},
    "branca": {"maps"},
    "esda": {"stats"},
    "libpysal": {"stats"},
    "weasyprint": {"reports"},
    "openpyxl": {"reports", "sources"},
    "xlsxwriter": {"reports"},
    "typer": {"cli"},
    # the table metrics are ibis expressions (stats/tables.py), compiled to SQL by the metrics service and
    # run on DuckDB or Spark by the store's engines (store/engines.py): the one library three layers share
    "ibis": {"stats", "services", "store"},
    "pyspark": {"store"},
    # terminal progress bars: the CLI, and the ingest service's progress of a store build
    "rich": {"cli", "services"},
    "matplotlib": {"maps"},
    "jinja2": {"reports"},
}


def _layer(path: Path) -> str:
    rel = path.relative_to(ROOT)
    if rel.parts[0] == "pages" or rel.name == "app.py":
        return "pages"
    sub = rel.parts[1] if len(rel.parts) > 2 else rel.stem
    if sub in LEAF:
        return "leaf"
    if sub == "cli":
        return "cli"
    return sub


def _files() -> list[Path]:
    files = sorted(PKG.rglob("*.py")) + sorted((ROOT / "pages").glob("*.py"))
    if (ROOT / "app.py").exists():
        files.append(ROOT / "app.py")
    return files


def _module_strings(tree: ast.Module) -> dict[str, str]:
    """Module-level ``NAME = "text"`` constants (an import by name may be given one)."""
    out: dict[str, str] = {}
    for node in tree.body:
        targets: list[ast.expr]
        value: ast.expr | None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        else:
            continue
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            out |= {t.id: value.value for t in targets if isinstance(t, ast.Name)}
    return out


def _dynamic_name(arg: ast.expr, constants: dict[str, str]) -> str | None:
    """The module an ``import_module(arg)`` imports, when the source says it (else None)."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.Name):
        return constants.get(arg.id)
    if isinstance(arg, ast.JoinedStr):  # f"cluster_map.cli.{name}": the literal prefix names the package
        prefix = ""
        for part in arg.values:
            if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
                break
            prefix += part.value
        return prefix.rstrip(".") or None
    return None


def _is_import_call(node: ast.Call) -> bool:
    f = node.func
    return (
        isinstance(f, ast.Attribute)
        and f.attr == "import_module"
        and isinstance(f.value, ast.Name)
        and f.value.id == "importlib"
    ) or (isinstance(f, ast.Name) and f.id in {"import_module", "__import__"})


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = _module_strings(tree)
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "cluster_map":  # from cluster_map import catalogue, __version__
                for a in node.names:
                    is_module = (PKG / a.name).is_dir() or (PKG / f"{a.name}.py").is_file()
                    names.append(f"cluster_map.{a.name if is_module else '__init__'}")
            else:
                names.append(node.module)
        elif isinstance(node, ast.Call) and _is_import_call(node) and node.args:
            name = _dynamic_name(node.args[0], constants)
            if name:
                names.append(name)
    return names


def _violations(layer: str, imports: list[str]) -> list[str]:
    bad = []
    for name in imports:
        parts = name.split(".")
        if parts[0] == "cluster_map" and len(parts) > 1:
            target = parts[1]
            if target not in ALLOWED[layer]:
                bad.append(f"{name} (layer {layer!r} may import {sorted(ALLOWED[layer])})")
        elif parts[0] in HEAVY and layer not in HEAVY[parts[0]]:
            bad.append(f"{name} (only {sorted(HEAVY[parts[0]])} may import {parts[0]})")
    return bad


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_layers(path: Path) -> None:
    bad = _violations(_layer(path), _imports(path))
    assert not bad, f"{path.relative_to(ROOT)} breaks the layering: {bad}"


def test_layering_check_catches_a_violation(tmp_path: Path) -> None:
    """The walker itself must be able to fail."""
    f = tmp_path / "x.py"
    f.write_text("import duckdb\nfrom cluster_map.ui import state\n")
    assert _imports(f) == ["duckdb", "cluster_map.ui"]


def test_walker_sees_package_imports_and_imports_by_name(tmp_path: Path) -> None:
    f = tmp_path / "x.py"
    f.write_text(
        "import importlib\n"
        "from importlib import import_module\n"
        "from cluster_map import ui, catalogue, __version__\n"
        "MODULE = 'cluster_map.store.queries'\n"
        "def load(name):\n"
        "    importlib.import_module('cluster_map.services.mapview')\n"
        "    import_module(MODULE)\n"
        "    importlib.import_module(f'cluster_map.cli.{name}')\n"
        "    __import__('pyspark.sql')\n"
        "    importlib.import_module(name)\n"  # unknowable: not reported
    )
    assert _imports(f) == [
        "importlib",
        "importlib",
        "cluster_map.ui",
        "cluster_map.catalogue",
        "cluster_map.__init__",
        "cluster_map.services.mapview",
        "cluster_map.store.queries",
        "cluster_map.cli",
        "pyspark.sql",
    ]


@pytest.mark.parametrize(
    ("layer", "source", "complaint"),
    [
        ("stats", "from cluster_map import store\n", "cluster_map.store"),
        (
            "maps",
            "import importlib\nimportlib.import_module('cluster_map.services.mapview')\n",
            "cluster_map.services",
        ),
        ("ui", "import pyspark\n", "pyspark"),
        ("services", "import matplotlib.pyplot as plt\n", "matplotlib"),
        ("maps", "from jinja2 import Template\n", "jinja2"),
        ("reports", "import ibis\n", "ibis"),
        ("store", "from rich.progress import Progress\n", "rich"),
    ],
)
def test_violations_of_each_kind_are_reported(
    tmp_path: Path, layer: str, source: str, complaint: str
) -> None:
    f = tmp_path / "x.py"
    f.write_text(source)
    assert any(complaint in b for b in _violations(layer, _imports(f)))
