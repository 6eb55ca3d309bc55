"""Warm a running app server: every page run once, so the first person to arrive finds it warm.

The first visit after a server start pays for the imports of the page's modules (geopandas, folium,
mapclassify, esda), the store connection and the page's cached service results; on this project's
machines that was 3.6-6x the text-only floor page (issue 13). ``cluster-map serve`` therefore starts,
beside the server, ``python -m cluster_map.ui.warmup URL``: it waits until the server answers, opens
one session over Streamlit's own websocket protocol (what a browser tab speaks), runs the home page,
reads the app's navigation from the server's reply and runs every page once at its default view,
each to the end of its script; then the pages that show one subject once more with a subject taken
from the store (:func:`sample_queries`: a region profile, a comparison, an organisation profile), so the
code paths, imports and published geometry those views need are warm too. No browser, no widget changed, nothing written: the pages only read
the store, and every cached result is public (house rule 9).

The client speaks the protocol with Streamlit's protobuf messages (``BackMsg.rerun_script`` in,
``ForwardMsg`` out) over tornado's websocket client (both ship with Streamlit).
"""

from __future__ import annotations

import asyncio
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import WebSocketError, websocket_connect

from cluster_map.config import get_settings
from cluster_map.errors import ClusterMapError


@dataclass
class PageRun:
    """One page run by the warm-up: its address, seconds to the end of its script, what it showed."""

    path: str
    seconds: float = float("nan")
    elements: int = 0
    exceptions: list[str] = field(default_factory=list)
    finished: str = ""  # ScriptFinishedStatus name, '' when the run did not end in time


def wait_until_up(base: str, *, timeout: float = 120.0) -> bool:
    """Whether the server at ``base`` answers its health check within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:  # noqa: S310 (our server)
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


#: Pages that show one subject, and the query parameter that names it (filled by :func:`sample_queries`).
SUBJECT_PAGES: dict[str, str] = {
    "Region_profile": "regions",
    "Compare": "regions",
    "Organisation_profile": "org",
}


def sample_queries(db: Path | str, *, dataset: str | None = None) -> dict[str, str]:
    """Query strings that give each page of :data:`SUBJECT_PAGES` a subject from the store at ``db``: the
    first two NUTS 2 regions of the default dataset (in code order), the first organisation of the
    directory. Pages whose subject the store lacks are left out."""
    from cluster_map.services import mapview, organisations, profiles
    from cluster_map.ui.state import default_dataset

    con = mapview.open_store(db)
    try:
        regions = profiles.region_choices(con, dataset=dataset or default_dataset(mapview.datasets(con)))
        codes = regions.loc[regions["level"] == 2, "code"].astype(str).tolist()[:2]
        orgs = organisations.search(con)["id"].astype(str).tolist()[:1]
    finally:
        con.close()
    out: dict[str, str] = {}
    if codes:
        out["Region_profile"] = urllib.parse.urlencode({"regions": codes[0]})
        out["Compare"] = urllib.parse.urlencode({"regions": ",".join(codes)})
    if orgs:
        out["Organisation_profile"] = urllib.parse.urlencode({"org": orgs[0]})
    return out


def _rerun(base: str, *, page_hash: str = "", page_name: str = "", query: str = "") -> bytes:
    msg = BackMsg()
    rs = msg.rerun_script
    rs.query_string = query
    rs.page_script_hash = page_hash
    rs.page_name = page_name
    rs.widget_states.SetInParent()
    rs.context_info.CopyFrom(
        ContextInfo(timezone="UTC", timezone_offset=0, locale="en-US", url=f"{base}/{page_name}")
    )
    return msg.SerializeToString()


async def _run(ws: object, base: str, run: PageRun, back: bytes, timeout: float) -> list[tuple[str, str]]:
    """Send one rerun and read the replies to the end of the script; returns the navigation's pages."""
    pages: list[tuple[str, str]] = []
    t0 = time.perf_counter()
    await ws.write_message(back, binary=True)  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while True:
        raw = await asyncio.wait_for(ws.read_message(), max(0.1, deadline - time.monotonic()))  # type: ignore[attr-defined]
        if raw is None:
            run.exceptions.append("the server closed the connection")
            return pages
        msg = ForwardMsg()
        msg.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
        kind = msg.WhichOneof("type")
        if kind == "navigation":
            pages = [(p.page_script_hash, p.url_pathname) for p in msg.navigation.app_pages]
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            run.elements += 1
            element = msg.delta.new_element
            if element.WhichOneof("type") == "exception":
                run.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:300])
        elif kind == "script_finished":
            run.seconds = time.perf_counter() - t0
            run.finished = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
            if run.finished == "FINISHED_EARLY_FOR_RERUN":
                continue  # a rerun the script asked for itself (st.rerun) runs on: wait for its end
            return pages


async def warm(
    base: str, *, timeout: float = 180.0, queries: Mapping[str, str] | None = None
) -> list[PageRun]:
    """Run the home page, then every page of its navigation once, in one session of the server at ``base``;
    then each page of ``queries`` (url path -> query string) once more with its query."""
    base = base.rstrip("/")
    url = "ws" + base[len("http") :] + "/_stcore/stream"
    request = HTTPRequest(url, headers={"Origin": base}, request_timeout=timeout)
    ws = await websocket_connect(request, subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"])
    runs = [PageRun("/")]
    try:
        pages = await _run(ws, base, runs[0], _rerun(base), timeout)
        for page_hash, path in pages:
            if not path:  # the home page: run above
                continue
            run = PageRun("/" + path)
            runs.append(run)
            await _run(ws, base, run, _rerun(base, page_hash=page_hash, page_name=path), timeout)
        for page_hash, path in pages:
            if path in (queries or {}):
                query = (queries or {})[path]
                run = PageRun(f"/{path}?{query}")
                runs.append(run)
                back = _rerun(base, page_hash=page_hash, page_name=path, query=query)
                await _run(ws, base, run, back, timeout)
    finally:
        ws.close()
    return runs


def main(argv: list[str] | None = None) -> int:
    """``python -m cluster_map.ui.warmup URL``: wait for the server, warm every page, one line each."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m cluster_map.ui.warmup http://127.0.0.1:8501", file=sys.stderr)
        return 2
    base = args[0].rstrip("/")
    if not wait_until_up(base):
        print(f"warm-up: {base} did not answer within 120 s; pages not warmed.", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    try:
        queries = sample_queries(get_settings().db)
    except ClusterMapError as exc:  # no store yet, or an old one: the default views still warm
        print(f"warm-up: no subjects from the store ({exc}); default views only.", file=sys.stderr)
        queries = {}
    try:
        runs = asyncio.run(warm(base, queries=queries))
    except (TimeoutError, OSError, HTTPClientError, WebSocketError) as exc:
        print(
            f"warm-up of {base} stopped: {exc!r}; the pages warm on their first visit instead.",
            file=sys.stderr,
        )
        return 1
    bad = [r for r in runs if r.exceptions or r.finished != "FINISHED_SUCCESSFULLY"]
    each = ", ".join(f"{r.path} {r.seconds:.1f}" for r in runs)
    print(f"Warm-up of {base}: {len(runs)} pages in {time.perf_counter() - t0:.1f} s ({each})", flush=True)
    for r in bad:
        print(
            f"warm-up: {r.path} {r.finished or 'did not finish'}: {'; '.join(r.exceptions)}", file=sys.stderr
        )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
