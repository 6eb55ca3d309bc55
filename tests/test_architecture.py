"""The layers import one way: pages -> ui -> services -> sources/store/stats/maps/reports -> leaf.

Each heavy library lives in one layer (house style). This walks every import with ``ast``.
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


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_layers(path: Path) -> None:
    layer = _layer(path)
    bad = []
    for name in _imports(path):
        parts = name.split(".")
        if parts[0] == "cluster_map" and len(parts) > 1:
            target = parts[1]
            if target not in ALLOWED[layer]:
                bad.append(f"{name} (layer {layer!r} may import {sorted(ALLOWED[layer])})")
        elif parts[0] in HEAVY and layer not in HEAVY[parts[0]]:
            bad.append(f"{name} (only {sorted(HEAVY[parts[0]])} may import {parts[0]})")
    assert not bad, f"{path.relative_to(ROOT)} breaks the layering: {bad}"


def test_layering_check_catches_a_violation(tmp_path: Path) -> None:
    """The walker itself must be able to fail."""
    f = tmp_path / "x.py"
    f.write_text("import duckdb\nfrom cluster_map.ui import state\n")
    assert _imports(f) == ["duckdb", "cluster_map.ui"]
