from __future__ import annotations

from pathlib import Path

import pytest

from cluster_map.errors import SourceError
from cluster_map.sources.fetch import SourceResolver


def _mirror(tmp_path: Path) -> Path:
    root = tmp_path / "mirror"
    (root / "eurostat").mkdir(parents=True)
    (root / "eurostat" / "x.tsv").write_text("a\tb\n")
    return root


def test_directory_source_reads_same_file_names(tmp_path: Path) -> None:
    root = _mirror(tmp_path)
    got = SourceResolver(source=str(root)).fetch("eurostat/x.tsv", "https://example.invalid/x.tsv")
    assert got.path == root / "eurostat" / "x.tsv"
    assert got.official_url == "https://example.invalid/x.tsv"
    assert len(got.sha256) == 64


def test_missing_file_names_the_file_and_what_to_do(tmp_path: Path) -> None:
    root = _mirror(tmp_path)
    with pytest.raises(SourceError, match=r"'eurostat/missing.tsv' not found .*CLUSTER_MAP_SOURCE"):
        SourceResolver(source=str(root)).fetch("eurostat/missing.tsv", "https://example.invalid/m")


def test_unreachable_official_url_falls_back_to_mirror_and_says_so_once(tmp_path: Path) -> None:
    root = _mirror(tmp_path)
    said: list[str] = []
    r = SourceResolver(mirror=root, cache_dir=tmp_path / "cache", timeout=0.5, notify=said.append)
    a = r.fetch("eurostat/x.tsv", "http://127.0.0.1:9/x.tsv")  # port 9: nothing listens
    b = r.fetch("eurostat/x.tsv", "http://127.0.0.1:9/x.tsv")
    assert a.path == b.path == root / "eurostat" / "x.tsv"
    assert len(said) == 1 and "mirror" in said[0]


def test_unreachable_without_mirror_is_an_error(tmp_path: Path) -> None:
    r = SourceResolver(mirror=tmp_path / "nope", cache_dir=tmp_path / "cache", timeout=0.5)
    with pytest.raises(SourceError, match="Cannot download"):
        r.fetch("eurostat/x.tsv", "http://127.0.0.1:9/x.tsv")
