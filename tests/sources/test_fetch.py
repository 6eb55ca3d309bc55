from __future__ import annotations

import functools
import http.server
import threading
import urllib.error
from collections.abc import Iterator
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


# --- origin per file ---------------------------------------------------------------------------------
class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture()
def official(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A loopback HTTP server standing in for the official site: (base URL, directory it serves)."""
    root = tmp_path / "official"
    root.mkdir()
    (root / "a.tsv").write_text("official a\n")
    (root / "c.tsv").write_text("official c\n")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def _two_file_mirror(tmp_path: Path) -> Path:
    root = tmp_path / "mirror"
    (root / "eurostat").mkdir(parents=True)
    for name in ("a.tsv", "b.tsv", "c.tsv"):
        (root / "eurostat" / name).write_text(f"mirror {name}\n")
    return root


def test_a_failed_url_sends_only_that_file_to_the_mirror_and_the_store_is_mixed(
    tmp_path: Path, official: tuple[str, Path]
) -> None:
    base, _ = official
    said: list[str] = []
    r = SourceResolver(
        mirror=_two_file_mirror(tmp_path), cache_dir=tmp_path / "cache", timeout=2, notify=said.append
    )
    a = r.fetch("eurostat/a.tsv", f"{base}/a.tsv")
    b = r.fetch("eurostat/b.tsv", f"{base}/b.tsv")  # 404: this file only comes from the mirror
    c = r.fetch("eurostat/c.tsv", f"{base}/c.tsv")  # the next URL is tried again
    assert (a.origin, b.origin, c.origin) == ("url", "mirror", "url")
    assert a.read_bytes() == b"official a\n" and b.read_bytes() == b"mirror b.tsv\n"
    assert a.retrieved_from == f"{base}/a.tsv" and b.retrieved_from == "mirror:eurostat/b.tsv"
    assert b.mirror_name == "eurostat/b.tsv" and b.last_update is None
    assert a.last_update is not None  # the server's Last-Modified
    assert r.origin == "mixed"
    assert r.files() == [
        ("eurostat/a.tsv", "url", f"{base}/a.tsv"),
        ("eurostat/b.tsv", "mirror", "mirror:eurostat/b.tsv"),
        ("eurostat/c.tsv", "url", f"{base}/c.tsv"),
    ]
    assert len(said) == 1 and "eurostat/b.tsv" in said[0] and "404" in said[0]


def test_all_files_from_urls_is_official_and_all_from_the_mirror_names_the_mirror(
    tmp_path: Path, official: tuple[str, Path]
) -> None:
    base, _ = official
    mirror = _two_file_mirror(tmp_path)
    online = SourceResolver(mirror=mirror, cache_dir=tmp_path / "cache", notify=lambda _m: None)
    online.fetch("eurostat/a.tsv", f"{base}/a.tsv")
    online.fetch_compiled("eurostat/b.tsv")  # compiled files do not make a store mixed
    assert online.origin == "official URLs"
    assert ("eurostat/b.tsv", "compiled", "mirror:eurostat/b.tsv") in online.files()
    offline = SourceResolver(
        mirror=mirror, cache_dir=tmp_path / "cache2", timeout=0.5, notify=lambda _m: None
    )
    offline.fetch("eurostat/a.tsv", "http://127.0.0.1:9/a.tsv")
    assert offline.origin == f"local mirror {mirror}"
    assert SourceResolver(source=str(mirror)).origin == f"local mirror {mirror}"


def test_no_network_stops_further_url_attempts_but_labels_each_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cluster_map.sources.fetch as fetch_mod

    attempts: list[str] = []

    def offline(request: object, timeout: float) -> object:
        attempts.append(getattr(request, "full_url", str(request)))
        raise urllib.error.URLError(OSError("Name or service not known"))

    monkeypatch.setattr(fetch_mod.urllib.request, "urlopen", offline)
    said: list[str] = []
    r = SourceResolver(mirror=_two_file_mirror(tmp_path), cache_dir=tmp_path / "cache", notify=said.append)
    got = [r.fetch(f"eurostat/{n}", f"https://example.invalid/{n}") for n in ("a.tsv", "b.tsv", "c.tsv")]
    assert attempts == ["https://example.invalid/a.tsv"]
    assert [g.origin for g in got] == ["mirror"] * 3 and not r.online
    assert len(said) == 1 and "cannot be reached" in said[0] and "every further file" in said[0]


def test_fetch_first_tries_the_mirror_names_in_order_and_lists_them_when_none_exists(tmp_path: Path) -> None:
    mirror = _two_file_mirror(tmp_path)
    r = SourceResolver(source=str(mirror))
    got = r.fetch_first(["eurostat/api/a.tsv.gz", "eurostat/b.tsv"], "https://example.invalid/a")
    assert got.name == "eurostat/b.tsv" and got.retrieved_from == "mirror:eurostat/b.tsv"
    with pytest.raises(SourceError) as err:
        r.fetch_first(["eurostat/api/x.tsv.gz", "eurostat/bulk/x.tsv.gz"], "https://example.invalid/x")
    assert "'eurostat/api/x.tsv.gz', 'eurostat/bulk/x.tsv.gz'" in str(err.value)
    assert err.value.problems == [
        "eurostat/api/x.tsv.gz: not in the source directory",
        "eurostat/bulk/x.tsv.gz: not in the source directory",
    ]


def test_fetch_first_online_reads_the_url_under_the_first_name(
    tmp_path: Path, official: tuple[str, Path]
) -> None:
    base, _ = official
    r = SourceResolver(
        mirror=_two_file_mirror(tmp_path), cache_dir=tmp_path / "cache", notify=lambda _m: None
    )
    got = r.fetch_first(["eurostat/api/a.tsv.gz", "eurostat/a.tsv"], f"{base}/a.tsv")
    assert (got.name, got.origin) == ("eurostat/api/a.tsv.gz", "url")
    fallback = r.fetch_first(["eurostat/api/b.tsv.gz", "eurostat/b.tsv"], f"{base}/b.tsv")  # 404 -> mirror
    assert (fallback.name, fallback.origin) == ("eurostat/b.tsv", "mirror")


def test_exists_tells_whether_an_optional_file_can_be_had_offline(tmp_path: Path) -> None:
    mirror = _two_file_mirror(tmp_path)
    assert SourceResolver(mirror=mirror).exists("eurostat/a.tsv")
    assert not SourceResolver(mirror=mirror).exists("eurostat/api/sbs_r_nuts2021.tsv.gz")
    assert not SourceResolver(source=str(mirror)).exists("eurostat/nope.tsv")
    assert SourceResolver(source="https://mirror.example.org").exists("anything")


def test_compiled_files_are_never_tried_online(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cluster_map.sources.fetch as fetch_mod

    def no_network(request: object, timeout: float) -> object:
        raise AssertionError("a compiled file was tried online")

    monkeypatch.setattr(fetch_mod.urllib.request, "urlopen", no_network)
    got = SourceResolver(mirror=_two_file_mirror(tmp_path), cache_dir=tmp_path / "c").fetch_compiled(
        "eurostat/a.tsv"
    )
    assert got.compiled and got.origin == "mirror" and got.retrieved_from == "mirror:eurostat/a.tsv"
    with pytest.raises(SourceError, match="no official download"):
        SourceResolver(mirror=tmp_path / "none").fetch_compiled("eurostat/a.tsv")
