"""Origin is explicit: per file, per dataset and per store; provenance never names a local path."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from cluster_map.services import readers
from cluster_map.services.ingest import Part, Reader, ingest
from cluster_map.sources.fetch import SourceResolver
from tests.services.test_ingest import VALUES, observations, tiny_plan  # noqa: F401 (fixture)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture()
def official(tmp_path: Path) -> Iterator[str]:
    """A loopback HTTP server standing in for the official site; it serves ``a.tsv.gz`` only."""
    root = tmp_path / "official"
    root.mkdir()
    (root / "a.tsv.gz").write_bytes(b"official bytes")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_store_built_from_urls_and_the_mirror_is_mixed_and_says_which_is_which(
    tmp_path: Path,
    official: str,
    tiny_plan: list[Reader],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "eurostat").mkdir(parents=True)
    (mirror / "eurostat" / "b.tsv.gz").write_bytes(b"mirror bytes")

    def read(resolver: SourceResolver) -> Part:
        a = resolver.fetch("eurostat/a.tsv.gz", f"{official}/a.tsv.gz")
        b = resolver.fetch("eurostat/b.tsv.gz", f"{official}/b.tsv.gz")  # 404 -> the mirror
        return Part(
            "sbs",
            observations={"sbs_r_nuts06_r2": observations("sbs_r_nuts06_r2", VALUES)},
            payload={"files": {"sbs_r_nuts06_r2": [a, b]}},
        )

    tiny_plan[0] = Reader("sbs", read)
    monkeypatch.setenv("CLUSTER_MAP_MIRROR", str(mirror))
    monkeypatch.setenv("CLUSTER_MAP_CACHE_DIR", str(tmp_path / "cache"))
    summary = ingest(source="", db=tmp_path / "store" / "s.duckdb", progress=False)
    assert summary.origin == "mixed"
    con = duckdb.connect(str(tmp_path / "store" / "s.duckdb"), read_only=True)
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    row = con.execute(
        "SELECT origin, retrieved_from, source_url, last_update FROM datasets WHERE code = 'sbs_r_nuts06_r2'"
    ).fetchone()
    con.close()
    assert meta["origin"] == "mixed"
    assert row[0] == "mixed"
    assert row[1] == f"{official}/a.tsv.gz mirror:eurostat/b.tsv.gz"  # which file came from where
    assert row[2] == f"{official}/a.tsv.gz {official}/b.tsv.gz"
    assert row[3] is not None  # the server's Last-Modified of the downloaded file


def test_compiled_files_say_they_have_no_official_feed(tmp_path: Path) -> None:
    (tmp_path / "cluster_organisations").mkdir()
    (tmp_path / "cluster_organisations" / "events.csv").write_text("x\n")
    got = SourceResolver(source=str(tmp_path)).fetch_compiled("cluster_organisations/events.csv")
    row = readers.provenance("cluster_events", "organisations", [got])
    assert row["origin"] == "compiled"
    assert row["source_url"] == (
        "compiled directory (no official feed); shipped file cluster_organisations/events.csv"
    )
    assert row["retrieved_from"] == "mirror:cluster_organisations/events.csv"


@pytest.mark.mirror
def test_mirror_store_provenance_names_no_local_path(mirror_store: Path) -> None:
    con = duckdb.connect(str(mirror_store), read_only=True)
    rows = con.execute("SELECT code, origin, source_url, retrieved_from FROM datasets").fetchall()
    con.close()
    paths = [
        (c, part)
        for c, _, _, r in rows
        for part in (r or "").split()
        if part.startswith("/") or str(Path.home()) in part or "/work/" in part
    ]
    assert paths == []
    assert all(r.startswith(("mirror:", "http://", "https://", "user:")) for *_, r in rows if r)
    by = {c: (o, s) for c, o, s, _ in rows}
    for code in ("eu_cluster_organisations", "cluster_partnerships", "cluster_events", "us_cmp_totals_2016"):
        origin, source = by[code]
        assert origin == "compiled" and source.startswith(
            "compiled directory (no official feed); shipped file "
        )
    assert by["sbs_r_nuts06_r2"][0] == "mirror"
    assert by["geo_dic"][1].startswith(
        "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/codelist/ESTAT/GEO"
    )
    assert not any("BulkDownloadListing" in (s or "") for _, s in by.values())
