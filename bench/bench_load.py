"""Load test of the map app at the protocol level: many users, measured on the server, not in browsers.

Method. Each simulated user is a Python client that speaks the browser's own protocol to a local
``streamlit run app.py``: like the Streamlit frontend it first calls ``GET /_stcore/health`` and
``GET /_stcore/host-config``, then opens ``ws://HOST/_stcore/stream`` with the subprotocols
``["streamlit", <xsrf token or "PLACEHOLDER_AUTH_TOKEN">]`` and exchanges protobuf ``BackMsg`` /
``ForwardMsg`` (``streamlit.proto``). The sequence was copied from a real chromium session recorded with
Playwright (``page.on("websocket")``, frames decoded with the protobufs):

1. open: ``BackMsg.rerun_script`` with ``query_string="sector=C29"``, no widget states, no page hash and
   the browser's ``context_info`` (timezone, locale, url, colour scheme);
2. the server answers ``new_session``, ``navigation``, ``page_config_changed``, the deltas (sidebar
   widgets carry id, label, options and the value set from the URL), ``page_info_changed`` (the URL the
   app wrote), the ``st_folium`` component delta (``json_args``: base map ``script`` + the ``feature_group``
   "paint" of colours and tooltips) and ``script_finished``;
3. a filter change: ``rerun_script`` with the last ``page_info_changed`` query string, the values of *all*
   widgets of the page (select boxes as their displayed label, the year slider as a string array, number
   input as int, toggles as bool), the page's ``page_script_hash`` and ``cached_message_hashes``: the
   hashes of the ``cacheable`` messages the client keeps (the frontend's ForwardMsg cache, entries
   dropped after ``max_cached_message_age`` runs; the server answers a cached message with a small
   ``ref_hash`` message, resolved from the cache here as the browser does).

The ``st_folium`` iframe sends no component value on load or on a restyle (only on a click), so a filter
change costs exactly one rerun in the browser, and here. Like a fresh browser, a session also GETs once
the static files its map iframe loads from the same server (gzip accepted): the component page and its
script, Leaflet's files and the packed geometry JSON the map script fetches (``/app/static``); the
Streamlit frontend bundle itself is not fetched (static, cached by returning users).

A user session: open the Map page at ``/?sector=<code>`` (one of eight manufacturing sectors), wait for
``script_finished``, then change the "Metric" select box (Location quotient, Employment, Share of
regional employment, Cluster stars) or the "Sector (type to search)" select box, half and half, with a
think time between changes (mean ``--think`` s, 0.5x-1.5x, seeded RNG). An interaction is timed from
sending the ``BackMsg`` to the ``script_finished`` ``ForwardMsg`` of that run; it counts as an error if
the run did not finish successfully, showed an exception or an ``st.error`` box, or did not deliver a
map component whose paint differs from the one before. ``--sessions`` (20) users arrive over ``--ramp``
(default a third of ``--seconds``) and work until ``--seconds`` (60) are over.

``--browsers`` (2) of the users are real chromium pages instead (``bench_app.session``: the same open and
changes through the sidebar, each change timed to the recoloured map on screen), spread over the arrivals:
what a person sees while the server carries the other users. Their CPU shows under other processes.

Figures (goal in brackets): sessions opened, open p50/p95 (time to the first ``script_finished``),
interactions and their p50/p95/max (p95 <= 1 s), errors (0, with examples), the p50 phases of an
interaction (first delta, map delta, finished), server RSS before / peak (process + children, from
/proc) and memory per session, server CPU seconds against wall x cores and as cores busy (all
sessions' script runs are threads of one Python process, so the GIL caps the server near one core
whatever the machine has: ``server_cores_busy`` near 1 means the server's CPU is the limit), the
server CPU of one run when alone, the client's own CPU seconds (the generator must not be the limit),
payload bytes per session open and per interaction, a single-user baseline of the same interaction,
the CPU seconds other processes used meanwhile (from ``/proc/stat``: other work on the machine skews
the figures) and the 1-minute load average before and after (the server's own threads count in it).
``--config server.fileWatcherType=none`` (any ``SECTION.OPTION=VALUE``) passes a Streamlit option to
the server, to compare deployment settings. The browser's own work is not in these figures:
``bench/bench_app.py`` measures it in chromium (a recolour, server included, ~0.15 s median on a
quiet machine).

``--workers N`` (N > 1) serves the app the way ``cluster-map serve --workers N`` does: N Streamlit processes
behind nginx, sticky per browser (:mod:`cluster_map.services.deployment`; needs nginx on PATH). Each worker is
warmed directly, the users go through the proxy, and server CPU and memory are summed over the whole process
tree (serve, its workers, nginx).

Run: ``python bench/bench_load.py [--db PATH] [--sessions 20] [--seconds 60] [--ramp S] [--think 2]
[--workers N]``; writes ``bench/results/load.json`` (``load_workers<N>.json`` with ``--workers``).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from bench.bench_app import (  # noqa: E402
    ARGS,
    CHROMIUM,
    METRICS,
    SECTORS,
    cpu_s,
    free_port,
    pct,
    session,
    start,
    stop,
)

RESULTS = ROOT / "bench" / "results" / "load.json"
APP_RESULTS = ROOT / "bench" / "results" / "app.json"
MAP_COMPONENT = "streamlit_folium.st_folium"
OK = (
    ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
    ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
)
METRIC_LABEL, SECTOR_LABEL = "Metric", "Sector (type to search)"
ASSET = re.compile(r"/app/static/[\w./+-]+\.json")  # files the map script fetches (the packed geometry)
SCRIPT_SRC = re.compile(r'<script[^>]* src="([^"]+)"')


class MessageCache:
    """The frontend's ForwardMsg cache: ``cacheable`` messages by hash, dropped when unused for long."""

    def __init__(self) -> None:
        self.runs = 0
        self.messages: dict[str, tuple[bytes, int]] = {}

    def keep(self, msg: ForwardMsg, raw: bytes) -> None:
        if msg.metadata.cacheable and msg.hash and msg.hash not in self.messages:
            self.messages[msg.hash] = (raw, self.runs)

    def get(self, ref: str) -> ForwardMsg | None:
        if ref not in self.messages:
            return None
        raw, _ = self.messages[ref]
        self.messages[ref] = (raw, self.runs)  # a hit refreshes the entry
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        return msg

    def run_finished(self, max_age: int) -> None:
        self.runs += 1
        self.messages = {h: (raw, n) for h, (raw, n) in self.messages.items() if self.runs - n <= max_age}

    def hashes(self) -> list[str]:
        return list(self.messages)


@dataclass
class Widget:
    """A widget of the page as the server described it, with the value the client holds for it."""

    id: str
    kind: str
    label: str
    options: list[str]
    state: WidgetState | None


@dataclass
class Run:
    """What one script run sent back: timing, status, map paint, errors, bytes."""

    seconds: float = 0.0
    first_delta_s: float | None = None
    map_s: float | None = None
    status: str = ""
    paint: str | None = None
    errors: list[str] = field(default_factory=list)
    bytes: int = 0
    ref_hits: int = 0
    asset_bytes: int = 0
    asset_s: float = 0.0


def _state(el: Any, kind: str, held: WidgetState | None) -> WidgetState | None:
    """The value the browser would send for a widget element (``held``: the value it already has)."""
    if held is not None and not getattr(el, "set_value", False):
        return held  # the browser keeps its own value unless the server sets one
    ws = WidgetState(id=el.id)
    if kind in ("selectbox", "radio"):
        if el.HasField("raw_value"):
            ws.string_value = el.raw_value
        elif el.HasField("default"):
            ws.string_value = el.options[el.default]
        else:
            return None
    elif kind == "slider":
        if el.raw_value:
            ws.string_array_value.data.extend(el.raw_value)
        elif el.options:
            ws.string_array_value.data.extend(el.options[int(i)] for i in el.default)
        else:
            ws.double_array_value.data.extend(el.value or el.default)
    elif kind == "multiselect":
        ws.string_array_value.data.extend(el.raw_values)
    elif kind == "number_input":
        value = el.value if el.HasField("value") else el.default
        if el.data_type == el.DataType.INT:
            ws.int_value = int(value)
        else:
            ws.double_value = value
    elif kind == "checkbox":
        ws.bool_value = el.value if el.set_value else el.default
    else:
        return None
    return ws


class ProtocolSession:
    """One simulated browser tab on the app, speaking Streamlit's websocket protocol."""

    WIDGETS = ("selectbox", "radio", "slider", "multiselect", "number_input", "checkbox")

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.ws: Any = None
        self.cache = MessageCache()
        self.widgets: dict[str, Widget] = {}
        self.query = ""
        self.page_hash = ""
        self.max_age = 2
        self.paint: str | None = None
        self.fetched: set[str] = set()  # static files this "browser" has (its HTTP cache)
        self.assets: list[str] = []  # files the last map delta refers to
        self.context = {
            "timezone": "UTC",
            "timezone_offset": 0,
            "locale": "en-US",
            "url": self.base + "/",
            "is_embedded": False,
            "color_scheme": "light",
        }

    async def open(self, query: str, *, timeout: float = 120.0) -> Run:
        """Health and host-config requests, websocket, first run of the page at ``/?query``."""
        t = time.perf_counter()
        for path in ("/_stcore/health", "/_stcore/host-config"):
            await asyncio.to_thread(_get, self.base + path)
        url = "ws" + self.base[len("http") :] + "/_stcore/stream"
        self.ws = await websockets.connect(
            url,
            subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
            origin=self.base,
            compression=None,
            max_size=None,
            open_timeout=timeout,
        )
        self.query = query
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.widget_states.SetInParent()
        msg.rerun_script.context_info.CopyFrom(self._context())
        return await self._run(msg, t, timeout=timeout)

    async def change(self, label: str, option: str, *, timeout: float = 120.0) -> Run:
        """Choose ``option`` in the widget labelled ``label`` (a rerun with all widget values)."""
        widget = self.widget(label)
        if option not in widget.options:
            raise ValueError(f"{option!r} is not an option of {label!r}")
        new = WidgetState(id=widget.id, string_value=option)
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query
        for w in self.widgets.values():
            state = new if w.id == widget.id else w.state
            if state is not None:
                rs.widget_states.widgets.append(state)
        rs.page_script_hash = self.page_hash
        rs.cached_message_hashes.extend(self.cache.hashes())
        rs.context_info.CopyFrom(self._context())
        widget.state = new
        return await self._run(msg, time.perf_counter(), timeout=timeout)

    def widget(self, label: str) -> Widget:
        for w in self.widgets.values():
            if w.label == label:
                return w
        raise KeyError(
            f"no widget labelled {label!r}; the page has {[w.label for w in self.widgets.values()]}"
        )

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    def _context(self) -> Any:
        from streamlit.proto.ClientState_pb2 import ContextInfo

        return ContextInfo(**self.context)

    async def _run(self, back: BackMsg, t0: float, *, timeout: float) -> Run:
        run = Run()
        await self.ws.send(back.SerializeToString())
        seen: set[str] = set()
        deadline = time.monotonic() + timeout
        while True:
            raw = await asyncio.wait_for(self.ws.recv(decode=False), max(0.1, deadline - time.monotonic()))
            run.bytes += len(raw)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "ref_hash":
                cached = self.cache.get(msg.ref_hash)
                if cached is None:
                    run.errors.append(f"cached ForwardMsg miss {msg.ref_hash}")
                    continue
                cached.metadata.CopyFrom(msg.metadata)
                msg, kind = cached, cached.WhichOneof("type")
                run.ref_hits += 1
            else:
                self.cache.keep(msg, raw)
            if kind == "new_session":
                self.max_age = msg.new_session.config.max_cached_message_age or self.max_age
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "page_not_found":
                run.errors.append(f"page not found: {msg.page_not_found.page_name!r}")
            elif kind == "delta":
                if run.first_delta_s is None:
                    run.first_delta_s = time.perf_counter() - t0
                if msg.metadata.active_script_hash:
                    self.page_hash = msg.metadata.active_script_hash
                self._delta(msg, run, seen)
                if run.map_s is None and run.paint is not None:
                    run.map_s = time.perf_counter() - t0
            elif kind == "script_finished":
                run.seconds = time.perf_counter() - t0
                status = msg.script_finished
                run.status = ForwardMsg.ScriptFinishedStatus.Name(status)
                if status == ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN:
                    continue
                if status not in OK:
                    run.errors.append(f"script finished with {run.status}")
                self.cache.run_finished(self.max_age)
                break
        self.widgets = {k: w for k, w in self.widgets.items() if k in seen}
        await self._fetch_assets(run)
        if run.paint is None:
            run.errors.append("the run sent no map component")
        elif run.paint == self.paint:
            run.errors.append("the map paint did not change")
        else:
            self.paint = run.paint
        return run

    def _delta(self, msg: ForwardMsg, run: Run, seen: set[str]) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        if kind == "exception":
            run.errors.append(f"exception {el.exception.type}: {el.exception.message[:200]}")
        elif kind == "alert" and el.alert.format == el.alert.Format.ERROR:
            run.errors.append(f"st.error: {el.alert.body[:200]}")
        elif kind == "component_instance" and el.component_instance.component_name == MAP_COMPONENT:
            args = json.loads(el.component_instance.json_args)
            self.assets = [
                f"/component/{MAP_COMPONENT}/index.html",
                *args.get("css_links", []),
                *args.get("js_links", []),
                *ASSET.findall(args.get("script", "")),
            ]
            run.paint = hashlib.sha1(
                json.dumps(args.get("feature_group"), sort_keys=True).encode()
            ).hexdigest()
        elif kind in self.WIDGETS:
            w = getattr(el, kind)
            held = self.widgets.get(w.id)
            state = _state(w, kind, held.state if held else None)
            self.widgets[w.id] = Widget(w.id, kind, w.label, list(getattr(w, "options", [])), state)
            seen.add(w.id)

    async def _fetch_assets(self, run: Run) -> None:
        """GET the static files a fresh browser's map iframe loads that this session has not fetched yet.

        The component page and its script, Leaflet's files and the packed geometry (``/app/static``):
        served by the same server, once per browser (cached afterwards), so once per session here.
        """
        t = time.perf_counter()
        todo = [a for a in dict.fromkeys(self.assets) if a not in self.fetched]
        while todo:
            self.fetched.update(todo)
            got = await asyncio.gather(*(asyncio.to_thread(_get, self.base + a) for a in todo))
            run.asset_bytes += sum(n for n, _ in got)
            todo = [
                f"/component/{MAP_COMPONENT}/{src.lstrip('./')}"
                for a, (_, b) in zip(todo, got, strict=True)
                if a.endswith("index.html")
                for src in SCRIPT_SRC.findall(b.decode("utf-8", "replace"))
            ]
            todo = [a for a in todo if a not in self.fetched]
        run.asset_s = time.perf_counter() - t if run.asset_bytes else 0.0


def _get(url: str) -> tuple[int, bytes]:
    """GET ``url`` as a browser does (gzip accepted): bytes on the wire and the decoded body."""
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=30) as r:
        body = r.read()
        gzipped = r.headers.get("Content-Encoding") == "gzip"
    return len(body), gzip.decompress(body) if gzipped else body


def option_for(session: ProtocolSession, label: str, prefix: str) -> str:
    """The option of the select box ``label`` that starts with ``prefix`` (a sector code + " ·")."""
    for o in session.widget(label).options:
        if o.startswith(prefix):
            return o
    raise KeyError(f"no option of {label!r} starts with {prefix!r}")


@dataclass
class Tally:
    opens: list[float] = field(default_factory=list)
    open_bytes: list[int] = field(default_factory=list)
    open_assets: list[tuple[int, float]] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def user(base: str, until: float, tally: Tally, *, seed: int, delay: float, think: float) -> None:
    """One user: open the map once, then change the metric or the sector until ``until``."""
    rng = random.Random(seed)
    await asyncio.sleep(delay)  # ramp-up: users arrive one after the other
    s = ProtocolSession(base)
    try:
        sector = rng.choice(SECTORS)
        run = await s.open(f"sector={sector}")
        tally.errors.extend(f"open: {e}" for e in run.errors)
        if run.errors:
            return
        tally.opens.append(run.seconds)
        tally.open_bytes.append(run.bytes)
        tally.open_assets.append((run.asset_bytes, run.asset_s))
        metric = METRICS[0]
        while time.monotonic() < until:
            await asyncio.sleep(think * (0.5 + rng.random()))  # a user looks at the map
            if time.monotonic() >= until:
                break
            if rng.random() < 0.5:
                metric = rng.choice([m for m in METRICS if m != metric])
                run = await s.change(METRIC_LABEL, metric)
            else:
                sector = rng.choice([c for c in SECTORS if c != sector])
                run = await s.change(SECTOR_LABEL, option_for(s, SECTOR_LABEL, sector + " ·"))
            tally.runs.append(run)
            tally.errors.extend(run.errors)
    except Exception as exc:  # counted; a broken session ends
        tally.errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await s.close()


async def baseline(base: str, n: int) -> list[Run]:
    """One user alone: ``n`` metric changes without think time (the server's floor for an interaction)."""
    s = ProtocolSession(base)
    try:
        await s.open(f"sector={SECTORS[0]}")
        return [await s.change(METRIC_LABEL, METRICS[(i + 1) % len(METRICS)]) for i in range(n)]
    finally:
        await s.close()


def machine_busy_s() -> float:
    """CPU seconds all processes of the machine have used (``/proc/stat``, all cores, idle excluded)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(fields) - fields[3] - fields[4]  # minus idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def summary(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "max": None}
    return {"p50": pct(values, 0.5), "p95": pct(values, 0.95), "max": max(values)}


async def load(base: str, pid: int, args: argparse.Namespace) -> dict[str, Any]:
    ramp = args.ramp if args.ramp is not None else args.seconds / 3
    tally = Tally()
    before = tree_rss_mb(pid)
    peak = [before]
    cpu0, client0, load0, busy0 = tree_cpu_s(pid), time.process_time(), os.getloadavg()[0], machine_busy_s()
    t0 = time.perf_counter()
    until = time.monotonic() + args.seconds
    done = asyncio.Event()

    async def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_mb(pid))
            await asyncio.sleep(0.5)

    # --browsers of the users are real chromium pages, spread over the arrivals: their changes are timed to
    # the recoloured map on screen, so the figures include what a person sees while the server is loaded
    n_browsers = min(max(args.browsers, 0), args.sessions)
    in_browser = {round(j * args.sessions / n_browsers) for j in range(n_browsers)} if n_browsers else set()
    b_opens: list[float] = []
    b_times: list[float] = []
    b_errors: list[str] = []
    playwright = chromium = None
    if in_browser:
        from playwright.async_api import async_playwright

        playwright = await async_playwright().start()
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    watcher = asyncio.create_task(watch())
    try:
        await asyncio.gather(
            *(
                session(
                    chromium,
                    base,
                    until,
                    b_opens,
                    b_times,
                    b_errors,
                    seed=args.seed + i,
                    delay=i * ramp / args.sessions,
                    think=args.think,
                )
                if i in in_browser
                else user(
                    base, until, tally, seed=args.seed + i, delay=i * ramp / args.sessions, think=args.think
                )
                for i in range(args.sessions)
            )
        )
    finally:
        done.set()
        await watcher
        if chromium is not None:
            await chromium.close()
        if playwright is not None:
            await playwright.stop()
    wall = time.perf_counter() - t0
    server_cpu = tree_cpu_s(pid) - cpu0
    client_cpu = time.process_time() - client0
    other_cpu = max(0.0, machine_busy_s() - busy0 - server_cpu - client_cpu)
    times = [r.seconds for r in tally.runs]
    return {
        "sessions": args.sessions,
        "seconds": args.seconds,
        "ramp_s": ramp,
        "think_s": args.think,
        "sessions_opened": len(tally.opens),
        "open_s": summary(tally.opens),
        "interactions": len(times),
        "interaction_s": summary(times),
        "interaction_phases_p50_s": {
            "first_delta": pct([r.first_delta_s for r in tally.runs if r.first_delta_s is not None], 0.5),
            "map_delta": pct([r.map_s for r in tally.runs if r.map_s is not None], 0.5),
            "finished": pct(times, 0.5),
        },
        "interaction_to_map_delta_s": summary([r.map_s for r in tally.runs if r.map_s is not None]),
        "interactions_over_1s": sum(t > 1.0 for t in times),
        "browser_sessions": len(in_browser),
        "browser_sessions_opened": len(b_opens),
        "browser_open_s": summary(b_opens),
        "browser_interactions": len(b_times),
        "browser_interaction_s": summary(b_times),
        "errors": len(tally.errors) + len(b_errors),
        "error_examples": (tally.errors + [f"browser: {e}" for e in b_errors])[:5],
        "server_rss_before_mb": before,
        "server_rss_peak_mb": peak[0],
        "server_rss_end_mb": tree_rss_mb(pid),
        "memory_per_session_mb": (peak[0] - before) / max(1, args.sessions),
        "wall_s": wall,
        "server_cpu_s": server_cpu,
        "cores": os.cpu_count(),
        "server_cpu_share": server_cpu / (wall * (os.cpu_count() or 1)),
        "server_cores_busy": server_cpu / wall,
        "client_cpu_s": client_cpu,
        "other_processes_cpu_s": other_cpu,
        "bytes_per_open": statistics.median(tally.open_bytes) if tally.open_bytes else None,
        "static_bytes_per_open": statistics.median([b for b, _ in tally.open_assets])
        if tally.open_assets
        else None,
        "static_fetch_s": summary([t for _, t in tally.open_assets]),
        "bytes_per_interaction": statistics.median([r.bytes for r in tally.runs]) if tally.runs else None,
        "cached_ref_hits": sum(r.ref_hits for r in tally.runs),
        "loadavg_1min_before": load0,
        "loadavg_1min_after": os.getloadavg()[0],
    }


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc; processes that ended meanwhile are left out)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return out


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of ``pid`` and its descendants (the server with its workers and proxy)."""
    total = 0.0
    for p in tree(pid):
        try:
            total += cpu_s(p)
        except OSError:
            continue
    return total


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants (MB)."""
    total = 0
    for p in tree(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        total += sum(int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmRSS:"))
    return total / 1024


def start_workers(db: Path, port: int, workers: int) -> subprocess.Popen:
    """``cluster-map serve --workers N`` on ``port`` (workers on port+1..port+N); waits until all answer."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cluster_map.cli",
            "serve",
            "--db",
            str(db),
            "--port",
            str(port),
            "--address",
            "127.0.0.1",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    for p in (port, *range(port + 1, port + 1 + workers)):
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{p}/_stcore/health", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise SystemExit(
                        f"cluster-map serve --workers {workers} did not start (is nginx installed?)"
                    ) from None
                time.sleep(0.3)
    return proc


def config_flags(options: list[str]) -> list[str]:
    """``["server.fileWatcherType=none"]`` -> ``["--server.fileWatcherType", "none"]`` for ``streamlit run``.

    Command-line flags win over ``.streamlit/config.toml`` (environment variables do not, for every option).
    """
    flags = []
    for opt in options:
        key, sep, value = opt.partition("=")
        section, dot, name = key.partition(".")
        if not (sep and dot and section and name):
            raise SystemExit(f"--config wants SECTION.OPTION=VALUE, got {opt!r}")
        flags += [f"--{key}", value]
    return flags


def start_server(db: Path, port: int, options: list[str]) -> subprocess.Popen:
    """``streamlit run app.py`` as ``bench_app.start`` does, plus ``--config`` options as flags."""
    return start(ROOT / "app.py", db, port, config_flags(options))


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    while args.workers > 1 and any(_in_use(p) for p in range(port + 1, port + 1 + args.workers)):
        port = free_port()
    app = (
        start_server(args.db, port, args.config)
        if args.workers == 1
        else start_workers(args.db, port, args.workers)
    )
    base = f"http://127.0.0.1:{port}"
    out: dict[str, Any] = {
        "db": str(args.db),
        "cpus": os.cpu_count(),
        "loadavg_1min_at_start": os.getloadavg()[0],
        "streamlit_config": args.config,
        "workers": args.workers,
        "proxy": "nginx (cluster-map serve --workers)" if args.workers > 1 else None,
    }
    try:
        # imports, store connection, geometry: not a user's cost (each worker warmed directly)
        bases = (
            [base]
            if args.workers == 1
            else [f"http://127.0.0.1:{p}" for p in range(port + 1, port + 1 + args.workers)]
        )
        for b in bases:
            warm = ProtocolSession(b)
            await warm.open(f"sector={SECTORS[0]}")
            await warm.close()
        cpu0 = tree_cpu_s(app.pid)
        alone = await baseline(base, args.baseline)
        out["single_user_interaction_s"] = summary([r.seconds for r in alone])
        out["single_user_server_cpu_s_per_interaction"] = (tree_cpu_s(app.pid) - cpu0) / (args.baseline + 1)
        out["single_user_errors"] = [e for r in alone for e in r.errors]
        out["load"] = await load(base, app.pid, args)
    finally:
        stop(app)
    browser = json.loads(APP_RESULTS.read_text()).get("recolour_s", {}) if APP_RESULTS.is_file() else {}
    out["browser_note"] = (
        "Server figures only: no browser paints here. bench/bench_app.py measures a recolour in chromium "
        f"(server included) at {browser.get('median', 0.15):.2f} s median on a quiet machine, so a browser "
        "adds roughly that on top of an interaction time here."
    )
    return out


def _in_use(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def report(out: dict[str, Any]) -> str:
    ld = out["load"]
    i, o = ld["interaction_s"], ld["open_s"]

    def f(x: float | None) -> str:
        return "-" if x is None else f"{x:.2f}"

    lines = [
        f"server: {out.get('workers', 1)} streamlit process(es)"
        + (f" behind {out['proxy']}" if out.get("proxy") else ""),
        f"single user: interaction p50 {f(out['single_user_interaction_s']['p50'])} s, server CPU "
        f"{f(out['single_user_server_cpu_s_per_interaction'])} s per run (open included)",
        f"{ld['sessions']} sessions over {ld['seconds']:.0f} s (ramp {ld['ramp_s']:.0f} s, think {ld['think_s']} s): "
        f"opened {ld['sessions_opened']}, open p50 {f(o['p50'])} s p95 {f(o['p95'])} s",
        f"interactions {ld['interactions']}: p50 {f(i['p50'])} s, p95 {f(i['p95'])} s, max {f(i['max'])} s "
        f"(goal p95 <= 1 s; {ld['interactions_over_1s']} over 1 s)",
        f"to the map delta (what the browser restyles from): p50 {f(ld['interaction_to_map_delta_s']['p50'])} s, "
        f"p95 {f(ld['interaction_to_map_delta_s']['p95'])} s",
        f"phases (p50): first delta {f(ld['interaction_phases_p50_s']['first_delta'])} s, map delta "
        f"{f(ld['interaction_phases_p50_s']['map_delta'])} s, finished {f(ld['interaction_phases_p50_s']['finished'])} s",
        f"of them in chromium ({ld['browser_sessions']} users, opened {ld['browser_sessions_opened']}): open p50 "
        f"{f(ld['browser_open_s']['p50'])} s; {ld['browser_interactions']} changes timed to the recoloured map: "
        f"p50 {f(ld['browser_interaction_s']['p50'])} s, p95 {f(ld['browser_interaction_s']['p95'])} s, "
        f"max {f(ld['browser_interaction_s']['max'])} s",
        f"errors {ld['errors']} (goal 0) {ld['error_examples']}",
        f"server RSS {ld['server_rss_before_mb']:.0f} MB before, {ld['server_rss_peak_mb']:.0f} MB peak: "
        f"{ld['memory_per_session_mb']:.1f} MB per session",
        f"server CPU {ld['server_cpu_s']:.1f} s in {ld['wall_s']:.1f} s wall x {ld['cores']} cores "
        f"({100 * ld['server_cpu_share']:.0f}%, {ld['server_cores_busy']:.2f} cores busy); "
        f"load generator CPU {ld['client_cpu_s']:.1f} s, other processes {ld['other_processes_cpu_s']:.1f} s",
        f"bytes received per open {ld['bytes_per_open']} on the websocket + {ld['static_bytes_per_open']} static "
        f"files (iframe, Leaflet, geometry; fetched in p50 {f(ld['static_fetch_s']['p50'])} s), "
        f"per interaction {ld['bytes_per_interaction']}",
        f"load average (1 min) {ld['loadavg_1min_before']:.2f} before, {ld['loadavg_1min_after']:.2f} after",
        out["browser_note"],
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--db", type=Path, default=None, help="store (default: CLUSTER_MAP_DB / data/cluster_map.duckdb)"
    )
    ap.add_argument("--sessions", type=int, default=20, help="concurrent users")
    ap.add_argument("--seconds", type=float, default=60.0, help="duration of the load test")
    ap.add_argument(
        "--ramp", type=float, default=None, help="seconds over which users arrive (default: a third)"
    )
    ap.add_argument("--think", type=float, default=2.0, help="mean think time between a user's changes (s)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the users' random choices")
    ap.add_argument(
        "--browsers",
        type=int,
        default=2,
        help="how many of the users are real chromium pages, timed to the recoloured map (0: none)",
    )
    ap.add_argument("--baseline", type=int, default=8, help="single-user interactions before the load")
    ap.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="SECTION.OPTION=VALUE",
        help="a Streamlit option for the server, e.g. server.fileWatcherType=none (repeatable)",
    )
    ap.add_argument(
        "--workers",
        type=int,
        default=1,
        help="app processes behind nginx, as `cluster-map serve --workers N` runs them (1: one streamlit)",
    )
    args = ap.parse_args()
    if args.workers > 1 and args.config:
        raise SystemExit(
            "--config applies to a single streamlit process; with --workers use .streamlit/config.toml"
        )
    if args.db is None:
        from cluster_map.config import get_settings

        args.db = Path(get_settings().db)
    out = asyncio.run(main_async(args))
    results = RESULTS if args.workers == 1 else RESULTS.with_name(f"load_workers{args.workers}.json")
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(report(out))
    print(f"written {results}")


if __name__ == "__main__":
    main()
