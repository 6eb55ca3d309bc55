"""Benchmark of the map app in a real browser (Playwright + Debian chromium) on a warm local server.

Figures (goal in brackets):

* ``first_map_nuts2_s``: new browser context -> Map page -> polygons painted (<= 1.0 s);
* ``first_map_nuts3_s``: the same for the NUTS 2021 level 3 layer, 1,500 regions (<= 1.5 s);
* ``first_map_*_cached_browser_s``: the same in a browser that has the static files cached;
* ``floor_text_s`` / ``floor_map_s``: the stack's own floor, timed the same way (``bench/floor_page.py``):
  a Streamlit page with one line of text, and the smallest st_folium map (12 polygons, no widgets).
  The first-map runs of all four pages are interleaved, so a busy moment hits them alike;
* ``recolour_s``: choosing another metric in the sidebar -> fill colours changed (<= 0.5 s);
* ``payload_nuts3_bytes``: bytes the browser receives for the NUTS 3 map (<= 1 MB): the websocket
  (script, paint, tooltips) plus the packed geometry files it fetches over HTTP;
* browser load (off by default, ``--seconds 60``): ``--sessions`` chromium contexts arriving over
  ``--ramp``, each opening the map and changing the metric or the sector every ``--think`` s, timed to
  the recoloured map. On a 2-core machine twenty chromium pages saturate the CPU themselves (the
  server then idles at ~15% of it), so this measures the browsers; the server under 20 concurrent
  sessions is measured by ``bench/bench_load.py``, whose clients speak the browser's protocol.

Run: ``python bench/bench_app.py [--db PATH] [--repeat 5] [--seconds 60 --sessions 20]``; writes
``bench/results/app.json``. The server runs ``app.py`` (and ``bench/nuts3_page.py``, ``bench/floor_page.py``) from the repo root.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "app.json"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # many pages at once: do not throttle the pages that are not in front
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
WAIT_JS = """(before) => {
  const f = Array.from(document.querySelectorAll('path.leaflet-interactive')).map(p => p.getAttribute('fill'));
  if (f.length <= 10 || !f.some(x => x && x !== '#f0f0f0')) { return false; }
  const s = f.join(',');
  return s !== before ? s : false;
}"""
SECTORS = ("C29", "C10", "C25", "C28", "C20", "C22", "C24", "C27")
FLOOR_TEXT = "Cluster Map floor page"
SETTLE_S = 0.5
METRICS = ("Location quotient", "Employment", "Share of regional employment", "Cluster stars")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(script: Path, db: Path, port: int, flags: Sequence[str] = ()) -> subprocess.Popen:
    """``streamlit run script`` on ``port`` over the store ``db`` (plus Streamlit ``flags``); waits until healthy."""
    env = {**os.environ, "CLUSTER_MAP_DB": str(db)}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *flags,
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"streamlit did not start for {script} {' '.join(flags)}")


def stop(proc: subprocess.Popen) -> None:
    """Terminate a server started by :func:`start` (kill it if it does not end within 10 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (MB), from /proc."""
    total = 0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


async def painted(page, before: str | None = None, timeout: float = 60.0, polling: str | int = "raf") -> str:
    """Wait until the map iframe has painted polygons (a fill signature different from ``before``).

    The check runs inside the iframe (``wait_for_function``), not as a round trip per poll, so
    twenty pages waiting at once do not load the browser. Returns the new fill signature.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = next((f for f in page.frames if "st_folium" in f.url), None)
        if frame is None:
            await asyncio.sleep(0.05)
            continue
        try:
            handle = await frame.wait_for_function(
                WAIT_JS,
                arg=before or "",
                polling=polling,
                timeout=max(1.0, deadline - time.monotonic()) * 1000,
            )
            return str(await handle.json_value())
        except Exception as exc:  # the frame was replaced while loading: look again
            if "Timeout" in type(exc).__name__ or "Timeout" in str(exc)[:40]:
                break
            await asyncio.sleep(0.05)
    raise TimeoutError("map not painted")


async def pick(page, label: str, text: str) -> float:
    """Type ``text`` into the searchable select box ``label``; returns the time Enter was pressed."""
    from playwright.async_api import expect

    box = page.get_by_test_id("stSelectbox").filter(has_text=label).first
    await box.locator("input").click()
    await page.keyboard.type(text)
    # the option is in the list before the typed filter applies; Enter then would pick the highlighted
    # first entry of the unfiltered list (often the current value: no change, no repaint)
    await expect(page.get_by_role("option").first).to_contain_text(text)
    t = time.perf_counter()
    await page.keyboard.press("Enter")
    return t


async def first_map(
    browser, url: str, *, count_bytes: bool = False, text: str | None = None
) -> tuple[float, int]:
    """Fresh browser context -> ``url`` -> polygons painted (or ``text`` shown); returns (seconds, ws bytes).

    The new window is given :data:`SETTLE_S` before the clock starts: Chromium loads its own WebUI
    (omnibox, new-tab search box) in a second renderer when a window opens, ~0.1-0.3 s of CPU on this
    2-core machine that a user's already-open browser does not spend on our page. The cache is empty.
    """
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    await asyncio.sleep(SETTLE_S)
    received = [0]
    geometry: list = []
    if count_bytes:

        def on_ws(ws) -> None:
            ws.on(
                "framereceived",
                lambda payload: received.__setitem__(
                    0, received[0] + len(payload if isinstance(payload, bytes) else payload.encode())
                ),
            )

        page.on("websocket", on_ws)
        page.on("requestfinished", lambda r: geometry.append(r) if "/vendor/geo/" in r.url else None)
    t = time.perf_counter()
    await page.goto(url)
    if text is None:
        await painted(page)
    else:
        await page.get_by_text(text).wait_for()
    dt = time.perf_counter() - t
    for request in geometry:  # the packed geometry files fetched over HTTP
        received[0] += len(await (await request.response()).body())
    await ctx.close()
    return dt, received[0]


async def reload_map(browser, url: str, n: int) -> list[float]:
    """First map in a browser that has the app's static files cached (a returning user)."""
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    await page.goto(url)
    await painted(page)
    out = []
    for _ in range(n):
        await page.goto("about:blank")
        t = time.perf_counter()
        await page.goto(url)
        await painted(page)
        out.append(time.perf_counter() - t)
    await ctx.close()
    return out


async def recolours(browser, url: str, n: int) -> list[float]:
    """Times from choosing another metric to the recoloured map, in one warm page."""
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    await page.goto(url)
    fills = await painted(page)
    await page.wait_for_timeout(500)
    out = []
    for i in range(n):
        metric = METRICS[(i + 1) % len(METRICS)]
        t = await pick(page, "Metric", metric)
        fills = await painted(page, before=fills)
        out.append(time.perf_counter() - t)
        await page.wait_for_timeout(300)
    await ctx.close()
    return out


async def session(
    browser,
    base: str,
    until: float,
    opens: list[float],
    times: list[float],
    errors: list[str],
    *,
    seed: int,
    delay: float,
    think: float,
) -> None:
    """One user: open the map once, then change the metric or the sector until ``until``."""
    rng = random.Random(seed)
    await asyncio.sleep(delay)  # ramp-up: sessions arrive one after the other
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    try:
        t = time.perf_counter()
        sector = rng.choice(SECTORS)
        await page.goto(f"{base}/?sector={sector}", wait_until="commit", timeout=120_000)
        fills = await painted(page, timeout=120, polling=50)
        opens.append(time.perf_counter() - t)
        metric = "Location quotient"
        while time.monotonic() < until:
            try:
                if rng.random() < 0.5:
                    metric = rng.choice([m for m in METRICS if m != metric])
                    t = await pick(page, "Metric", metric)
                else:
                    sector = rng.choice([c for c in SECTORS if c != sector])
                    t = await pick(page, "Sector", sector + " ·")
                fills = await painted(page, before=fills, timeout=60, polling=20)
                times.append(time.perf_counter() - t)
                await asyncio.sleep(think * (0.5 + rng.random()))  # a user looks at the map
            except Exception as exc:  # counted; the session goes on
                errors.append(f"{type(exc).__name__} after choosing {metric} / {sector}: {str(exc)[:200]}")
                await page.keyboard.press("Escape")
    except Exception as exc:
        errors.append(f"open: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await ctx.close()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


async def main_async(args: argparse.Namespace) -> dict:
    from playwright.async_api import async_playwright

    port, port3, portf = free_port(), free_port(), free_port()
    app = start(ROOT / "app.py", args.db, port)
    nuts3 = start(ROOT / "bench" / "nuts3_page.py", args.db, port3)
    floor = start(ROOT / "bench" / "floor_page.py", args.db, portf)
    base, base3 = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port3}"
    floor_text, floor_map = f"http://127.0.0.1:{portf}/?kind=text", f"http://127.0.0.1:{portf}/?kind=map"
    out: dict = {
        "db": str(args.db),
        "sessions": args.sessions,
        "seconds": args.seconds,
        "cpus": os.cpu_count(),
        "loadavg_1min_at_start": os.getloadavg()[0],
    }
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for url in (base + "/", base3 + "/", floor_map):  # warm the servers (imports, caches)
                await first_map(browser, url)
            await first_map(browser, floor_text, text=FLOOR_TEXT)
            nuts2: list[float] = []
            n3: list[tuple[float, int]] = []
            floors: dict[str, list[float]] = {"floor_text_s": [], "floor_map_s": []}
            for _ in range(args.repeat):  # interleaved: a busy moment of the machine hits every page alike
                nuts2.append((await first_map(browser, base + "/"))[0])
                n3.append(await first_map(browser, base3 + "/", count_bytes=True))
                floors["floor_text_s"].append((await first_map(browser, floor_text, text=FLOOR_TEXT))[0])
                floors["floor_map_s"].append((await first_map(browser, floor_map))[0])
            rec = await recolours(browser, base + "/", args.repeat * 2)
            warm2 = await reload_map(browser, base + "/", args.repeat)
            warm3 = await reload_map(browser, base3 + "/", args.repeat)
            out.update(
                {
                    "first_map_nuts2_s": {
                        "median": statistics.median(nuts2),
                        "max": max(nuts2),
                        "runs": nuts2,
                    },
                    "first_map_nuts3_s": {
                        "median": statistics.median([t for t, _ in n3]),
                        "max": max(t for t, _ in n3),
                    },
                    "first_map_nuts2_cached_browser_s": {
                        "median": statistics.median(warm2),
                        "max": max(warm2),
                    },
                    "first_map_nuts3_cached_browser_s": {
                        "median": statistics.median(warm3),
                        "max": max(warm3),
                    },
                    **{
                        k: {"median": statistics.median(v), "min": min(v), "max": max(v)}
                        for k, v in floors.items()
                    },
                    "payload_nuts3_bytes": int(statistics.median([b for _, b in n3])),
                    "recolour_s": {"median": statistics.median(rec), "p95": pct(rec, 0.95), "runs": rec},
                }
            )
            print(json.dumps(out, indent=1))
            if args.seconds > 0:
                before = rss_mb(app.pid)
                cpu0 = cpu_s(app.pid)
                times: list[float] = []
                opens: list[float] = []
                errors: list[str] = []
                ramp = args.ramp if args.ramp is not None else args.seconds / 3
                until = time.monotonic() + args.seconds
                t0 = time.perf_counter()
                peak = [before]

                async def watch() -> None:
                    while time.monotonic() < until:
                        peak[0] = max(peak[0], rss_mb(app.pid))
                        await asyncio.sleep(1)

                await asyncio.gather(
                    watch(),
                    *(
                        session(
                            browser,
                            base,
                            until,
                            opens,
                            times,
                            errors,
                            seed=i,
                            delay=i * ramp / args.sessions,
                            think=args.think,
                        )
                        for i in range(args.sessions)
                    ),
                )
                out["load"] = {
                    "ramp_s": ramp,
                    "think_s": args.think,
                    "sessions_opened": len(opens),
                    "open_p50_s": pct(opens, 0.5),
                    "open_p95_s": pct(opens, 0.95),
                    "interactions": len(times),
                    "wall_s": time.perf_counter() - t0,
                    "p50_s": pct(times, 0.5),
                    "p95_s": pct(times, 0.95),
                    "max_s": max(times) if times else None,
                    "errors": len(errors),
                    "error_examples": errors[:5],
                    "server_rss_before_mb": before,
                    "server_rss_peak_mb": peak[0],
                    "memory_per_session_mb": (peak[0] - before) / args.sessions,
                    "server_cpu_s": cpu_s(app.pid) - cpu0,
                    "note": "server_cpu_s far below wall_s x cores means the browsers, not the server, were the limit",
                }
            await browser.close()
        out["loadavg_1min_at_end"] = os.getloadavg()[0]
    finally:
        for proc in (app, nuts3, floor):
            stop(proc)
        # the NUTS 3 page's copy of the map libraries (third-party files are never committed)
        shutil.rmtree(ROOT / "bench" / "static", ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--db", type=Path, default=None, help="store (default: CLUSTER_MAP_DB / data/cluster_map.duckdb)"
    )
    ap.add_argument(
        "--seconds",
        type=float,
        default=0.0,
        help="browser load-test duration (default 0: skip; the server load test is bench_load.py)",
    )
    ap.add_argument("--sessions", type=int, default=20, help="concurrent browser sessions in the load test")
    ap.add_argument("--repeat", type=int, default=5, help="repetitions of each single-user timing")
    ap.add_argument(
        "--ramp", type=float, default=None, help="seconds over which sessions arrive (default: a third)"
    )
    ap.add_argument(
        "--think", type=float, default=2.0, help="mean think time between a user's interactions (s)"
    )
    args = ap.parse_args()
    if args.db is None:
        sys.path.insert(0, str(ROOT))
        from cluster_map.config import get_settings

        args.db = Path(get_settings().db)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing (apt-get install chromium)")
    out = asyncio.run(main_async(args))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
