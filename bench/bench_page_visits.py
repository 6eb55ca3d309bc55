"""Every page timed the way a person meets it, beside the stack's floor (issue 13).

Each visit: a fresh Chromium context (empty cache), ``goto`` the page URL, until the Streamlit script is
idle (``stApp`` ``data-test-script-state="notRunning"``) and the page's main content is visible (a
concrete selector per page, see :data:`PAGES`). Every page visit is followed by a visit of the text-only
floor page (``bench/floor_page.py?kind=text``, another server), so a busy moment of the shared machine
hits both alike. Repeated ``--repeat`` times (default 5); per page: median seconds, floor median, ratio.
Then the app server is restarted once per page in :data:`FIRST_AFTER_START` and that page is visited first
after the start (the caches and imports are cold): seconds and ratio to the floor median; then restarted
again, warmed as ``cluster-map serve`` does (:func:`cluster_map.ui.warmup.warm`: every page run once over
the websocket) and the page visited first after that ("warmed").

Goals (issue 13): every page within 2x the floor, the map within 1.5x, the first visit after a start
within 3x.

Run: ``python bench/bench_page_visits.py [--db PATH] [--repeat 5]``; writes
``bench/results/page_visits.json``. ``--only NAME ...`` visits some pages, ``--no-first`` skips the
first visits after a start (warm visits only), ``--browser-work N`` adds N visits per page that read
the browser's own work (:func:`browser_work`), ``--out`` writes elsewhere. Without ``--db`` (or ``CLUSTER_MAP_DB``) a store is built from the
mirror into a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
RESULTS = ROOT / "bench" / "results" / "page_visits.json"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
FLOOR_TEXT = "Cluster Map floor page"
SETTLE_S = 0.5  # a new window: Chromium's own WebUI renderer first (see bench_app.first_map)


@dataclass(frozen=True)
class Page:
    """One page to visit: its name, the file under pages/ (None for app.py), URL path+query, selector."""

    name: str
    file: str | None
    url: str
    selector: str  # CSS selector of the main content, visible once the data is shown; "map" = polygons
    goal: float = 2.0


ORG = "{org}"  # filled in with a real organisation id from the store
PAGES: tuple[Page, ...] = (
    Page("Map", None, "/", "map", goal=1.5),
    Page("Region profile", "1_Region_profile.py", "/Region_profile?regions=DE21", 'h2:has-text("DE21 ·")'),
    Page(
        "Sector explorer",
        "2_Sector_explorer.py",
        "/Sector_explorer?sector=C29",
        '[data-testid="stDataFrame"]',
    ),
    Page("Compare", "3_Compare.py", "/Compare?regions=DE21,FR10", 'h3:has-text("Key figures")'),
    Page("Organisations", "4_Organisations.py", "/Organisations", '[data-testid="stDataFrame"]'),
    Page(
        "Data and methodology",
        "5_Data_and_methodology.py",
        "/Data_and_methodology",
        '[data-testid="stDataFrame"]',
    ),
    Page("Reports", "6_Reports.py", "/Reports", 'h3:has-text("Export tables")'),
    Page("Offers and demands", "7_Offers_and_demands.py", "/Offers_and_demands", '[data-testid="stTab"]'),
    Page("Star clusters", "8_Star_clusters.py", "/Star_clusters", '[data-testid="stDataFrame"]'),
    Page("Events and meetings", "9_Events_and_meetings.py", "/Events_and_meetings", '[data-testid="stTab"]'),
    Page("Partnerships", "10_Partnerships.py", "/Partnerships", 'h2:has-text("Partnerships")'),
    Page("Organisation profile", "11_Organisation_profile.py", "/Organisation_profile?org=" + ORG, "h2"),
)
FIRST_AFTER_START = ("Map", "Region profile", "Sector explorer", "Compare", "Organisations")


def page_files(root: Path = ROOT) -> set[str]:
    """The page scripts under pages/ (file names)."""
    return {p.name for p in (root / "pages").glob("*.py")}


def summarise(
    visits: dict[str, list[float]],
    floors: list[float],
    first: dict[str, float],
    warmed: dict[str, float] | None = None,
) -> dict:
    """Per page: median, floor median, ratio, goal met; first visit after a start and its ratio (3x goal),
    cold (a bare ``streamlit run``) and, in ``warmed``, after the start-up warm-up ``cluster-map serve``
    runs (:mod:`cluster_map.ui.warmup`)."""
    warmed = warmed or {}
    floor = statistics.median(floors)
    goals = {p.name: p.goal for p in PAGES}
    out: dict = {
        "floor_median_s": round(floor, 3),
        "floor_runs_s": [round(f, 3) for f in floors],
        "pages": {},
    }
    for name, runs in visits.items():
        med = statistics.median(runs)
        row: dict = {
            "median_s": round(med, 3),
            "runs_s": [round(r, 3) for r in runs],
            "ratio": round(med / floor, 2),
            "goal_ratio": goals.get(name, 2.0),
            "goal_met": med / floor <= goals.get(name, 2.0),
        }
        if name in first:
            row["first_after_start_s"] = round(first[name], 3)
            row["first_after_start_ratio"] = round(first[name] / floor, 2)
            row["first_after_start_goal_met"] = first[name] / floor <= 3.0
        if name in warmed:
            row["first_after_warm_start_s"] = round(warmed[name], 3)
            row["first_after_warm_start_ratio"] = round(warmed[name] / floor, 2)
            row["first_after_warm_start_goal_met"] = warmed[name] / floor <= 3.0
        out["pages"][name] = row
    return out


def table(summary: dict) -> str:
    """A plain-text table of :func:`summarise`'s result."""
    lines = [
        f"{'page':<22} {'median s':>9} {'ratio':>6} {'goal':>5}  {'first s':>8} {'ratio':>6}"
        f"  {'warmed s':>8} {'ratio':>6}",
        f"{'floor (text page)':<22} {summary['floor_median_s']:>9.2f} {1.0:>6.2f}",
    ]
    for name, r in summary["pages"].items():
        first = (
            f"{r['first_after_start_s']:>8.2f} {r['first_after_start_ratio']:>5.2f}x"
            if "first_after_start_s" in r
            else ""
        )
        if "first_after_warm_start_s" in r:
            first = f"{first:<15}  {r['first_after_warm_start_s']:>8.2f} {r['first_after_warm_start_ratio']:>5.2f}x"
        ok = "ok" if r["goal_met"] else "MISS"
        lines.append(f"{name:<22} {r['median_s']:>9.2f} {r['ratio']:>5.2f}x {ok:>5}  {first}".rstrip())
    return "\n".join(lines)


async def arrive(page, url: str, selector: str) -> None:
    """Go to ``url`` and wait as a person does: the page's main content visible (``map``: the map painted)
    and the Streamlit script idle."""
    from bench_app import painted

    await page.goto(url)
    if selector == "map":
        await painted(page, timeout=90)
    else:
        await page.locator(selector).first.wait_for(state="visible", timeout=90_000)
    await page.locator(IDLE).wait_for(state="attached", timeout=90_000)


async def visit(browser, url: str, selector: str) -> float:
    """Fresh context -> ``url`` -> main content visible and the script idle; seconds."""
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    await asyncio.sleep(SETTLE_S)
    t = time.perf_counter()
    await arrive(page, url, selector)
    dt = time.perf_counter() - t
    await ctx.close()
    return dt


async def browser_work(browser, url: str, selector: str) -> dict[str, float]:
    """A visit as :func:`visit`, then 1.5 s more (what a page loads just after rest counts too): the page's
    main-thread task seconds (CDP ``Performance.getMetrics`` TaskDuration, every frame of the tab's
    renderer), the JavaScript it fetched (bytes, requests) and the websocket bytes it received.

    Less sensitive to a busy machine than the wall-clock ratio: it says how much work the browser does.
    """
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    ws = [0]

    def on_ws(socket) -> None:
        socket.on(
            "framereceived",
            lambda p: ws.__setitem__(0, ws[0] + len(p if isinstance(p, bytes) else p.encode())),
        )

    page.on("websocket", on_ws)
    cdp = await ctx.new_cdp_session(page)
    await cdp.send("Performance.enable")
    await asyncio.sleep(SETTLE_S)
    await arrive(page, url, selector)
    await page.wait_for_timeout(1500)
    metrics = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
    js = await page.evaluate(
        "performance.getEntriesByType('resource').filter(r => r.name.includes('/static/js/'))"
        ".map(r => r.encodedBodySize)"
    )
    await ctx.close()
    return {
        "task_s": float(metrics["TaskDuration"]),
        "js_bytes": float(sum(js)),
        "js_requests": float(len(js)),
        "ws_bytes": float(ws[0]),
    }


def org_id(db: Path) -> str:
    from cluster_map.services import organisations
    from cluster_map.store.database import connect

    con = connect(db)
    try:
        return str(organisations.search(con, text="automotive")["id"].iloc[0])
    finally:
        con.close()


async def main_async(args: argparse.Namespace) -> dict:
    from bench_app import free_port, start, stop
    from playwright.async_api import async_playwright

    from cluster_map.ui import warmup

    oid = org_id(args.db)
    pages = [p for p in PAGES if not args.only or p.name in args.only]
    out: dict = {
        "db": str(args.db),
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "loadavg_at_start": list(os.getloadavg()),
    }
    port, portf = free_port(), free_port()
    floor = start(ROOT / "bench" / "floor_page.py", args.db, portf)
    floor_url = f"http://127.0.0.1:{portf}/?kind=text"
    floor_sel = f'text="{FLOOR_TEXT}"'
    visits: dict[str, list[float]] = {p.name: [] for p in pages}
    floors: list[float] = []
    first: dict[str, float] = {}
    warmed: dict[str, float] = {}
    work: dict[str, dict[str, float]] = {}
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            # first visit after a start: a new server per page, that page first
            for p in pages:
                if p.name not in FIRST_AFTER_START or args.no_first:
                    continue
                app = start(ROOT / "app.py", args.db, port)
                try:
                    first[p.name] = await visit(
                        browser, f"http://127.0.0.1:{port}" + p.url.format(org=oid), p.selector
                    )
                finally:
                    stop(app)
                print(f"first after start {p.name}: {first[p.name]:.2f} s", flush=True)
                # the same after the warm-up that `cluster-map serve` runs once the server answers
                app = start(ROOT / "app.py", args.db, port)
                try:
                    await warmup.warm(f"http://127.0.0.1:{port}", queries=warmup.sample_queries(args.db))
                    warmed[p.name] = await visit(
                        browser, f"http://127.0.0.1:{port}" + p.url.format(org=oid), p.selector
                    )
                finally:
                    stop(app)
                print(f"first after a warmed start {p.name}: {warmed[p.name]:.2f} s", flush=True)
            app = start(ROOT / "app.py", args.db, port)
            base = f"http://127.0.0.1:{port}"
            try:
                await visit(browser, floor_url, floor_sel)  # warm both servers once (not counted)
                for p in pages:
                    await visit(browser, base + p.url.format(org=oid), p.selector)
                for i in range(args.repeat):
                    for p in pages:
                        visits[p.name].append(await visit(browser, base + p.url.format(org=oid), p.selector))
                        floors.append(await visit(browser, floor_url, floor_sel))
                    print(f"round {i + 1}/{args.repeat} done, loadavg {os.getloadavg()[0]:.2f}", flush=True)
                for p in pages if args.browser_work else ():
                    url = base + p.url.format(org=oid)
                    runs = [await browser_work(browser, url, p.selector) for _ in range(args.browser_work)]
                    work[p.name] = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}
            finally:
                stop(app)
            await browser.close()
    finally:
        stop(floor)
    out.update(summarise(visits, floors, first, warmed))
    if work:
        out["browser_work"] = work  # median per page of browser_work(): task seconds, JS and websocket bytes
    out["loadavg_at_end"] = list(os.getloadavg())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", nargs="*", default=None, help="page names to visit (default: all)")
    parser.add_argument(
        "--no-first",
        action="store_true",
        help="skip the first visits after a server start (warm visits only)",
    )
    parser.add_argument(
        "--browser-work",
        type=int,
        default=0,
        metavar="N",
        help="also visit each page N times for its browser work (task seconds, JS and websocket bytes)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.db is None:
        from cluster_map.config import get_settings

        args.db = get_settings().db
        if not Path(args.db).is_file():
            from cluster_map.services.ingest import ingest

            args.db = Path(tempfile.mkdtemp()) / "cluster_map.duckdb"
            print(f"building a store from the mirror at {args.db} ...")
            ingest(source=str(get_settings().mirror), db=args.db, progress=False)
    out = asyncio.run(main_async(args))
    print(table(out))
    for name, w in out.get("browser_work", {}).items():
        print(
            f"{name:<22} browser task {w['task_s']:.2f} s, JS {w['js_bytes'] / 1e6:.2f} MB in "
            f"{w['js_requests']:.0f} requests, websocket {w['ws_bytes'] / 1e3:.0f} KB"
        )
    print(f"cpus {out['cpus']}, loadavg start {out['loadavg_at_start']}, end {out['loadavg_at_end']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
