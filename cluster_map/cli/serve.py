"""``cluster-map serve``: build the store if it is missing, then run the Streamlit app (one process, or
``--workers N`` processes behind nginx; see :mod:`cluster_map.services.deployment`)."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import typer

from cluster_map.cli.main import DbOption, app
from cluster_map.config import REPO_ROOT, get_settings


def _streamlit(port: int, address: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO_ROOT / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
    ]


@app.command()
def serve(
    port: int = typer.Option(
        8501, "--port", help="Port of the local web server (the proxy's, with --workers)."
    ),
    db: Path | None = DbOption,
    address: str = typer.Option("localhost", "--address", help="Interface to listen on (0.0.0.0: all)."),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        help="App processes: more than 1 runs them on ports "
        "PORT+1.. behind nginx on PORT, sticky per browser (prints the config).",
    ),
    proxy_config: Path | None = typer.Option(
        None,
        "--proxy-config",
        help="With --workers: write the nginx configuration here and do not start nginx (run it yourself).",
    ),
    open_browser: bool = typer.Option(
        False,
        "--open",
        help="Open the app in this machine's web browser once it answers (says so when there is no browser).",
    ),
    warm_up: bool = typer.Option(
        True,
        "--warm-up/--no-warm-up",
        help="Run every page once as soon as the server answers (python -m cluster_map.ui.warmup), so the "
        "first visitor finds imports and caches warm.",
    ),
) -> None:
    """Run the map app (http://localhost:PORT); builds the store first if it is missing."""
    from cluster_map.services import mapview  # here, so that other commands do not load the map's libraries

    settings = get_settings(db=db)
    store = Path(settings.db)
    if not store.is_file():
        typer.echo(f"No store at {store}; building it from the sources (offline: the mirror) ...")
        seconds = mapview.build_store(store, progress=True)
        typer.echo(f"Store built in {seconds:.0f} s.")
    mapview.install_assets(REPO_ROOT / "static")
    # The children get this process's environment plus the store path chosen here.
    env = {**os.environ, "CLUSTER_MAP_DB": str(store)}
    if open_browser:
        local = "localhost" if address in ("0.0.0.0", "", "::") else address  # noqa: S104 (a URL, not a bind)
        threading.Thread(
            target=open_when_ready, args=(f"http://{local}:{port}",), daemon=True, name="cluster-map-open"
        ).start()
    if workers == 1:
        typer.echo(f"Cluster Map on http://{address}:{port} (store {store}); Ctrl+C stops it.")
        warmers = [start_warm_up(port, env)] if warm_up else []
        try:
            code = subprocess.run(_streamlit(port, address), cwd=REPO_ROOT, env=env, check=False).returncode
        except KeyboardInterrupt:
            code = 0
        finally:
            _stop(warmers)
        raise typer.Exit(code)
    raise typer.Exit(
        _serve_workers(
            port=port,
            address=address,
            workers=workers,
            env=env,
            store=store,
            proxy_config=proxy_config,
            warm_up=warm_up,
        )
    )


def start_warm_up(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The warm-up client (:mod:`cluster_map.ui.warmup`) for the app server on localhost ``port``: it waits
    until the server answers, runs every page once and prints one line (a process of its own: the CLI
    does not speak Streamlit)."""
    url = f"http://127.0.0.1:{port}"
    return subprocess.Popen([sys.executable, "-m", "cluster_map.ui.warmup", url], cwd=REPO_ROOT, env=env)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()


def open_when_ready(url: str, *, timeout: float = 120.0, echo: Callable[[str], None] = typer.echo) -> bool:
    """Open ``url`` in the default web browser once the app answers its health check.

    Returns whether a browser was opened; says in one line when the app did not answer in time or
    when this machine has no browser (a server without a display: open the URL elsewhere).
    """
    import urllib.request
    import webbrowser

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:  # noqa: S310 (our own server)
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            echo(f"--open: the app did not answer on {url} within {timeout:.0f} s; no browser opened.")
            return False
        time.sleep(0.3)
    try:
        opened = webbrowser.get().open(url)
    except webbrowser.Error:
        opened = False
    if not opened:
        echo(f"--open: no web browser found on this machine; open {url} yourself.")
        return False
    echo(f"Opened {url} in the web browser.")
    return True


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _serve_workers(
    *,
    port: int,
    address: str,
    workers: int,
    env: dict[str, str],
    store: Path,
    proxy_config: Path | None,
    warm_up: bool = True,
) -> int:
    from cluster_map.errors import ConfigError
    from cluster_map.services import deployment

    ports = deployment.worker_ports(port, workers)
    listen = "0.0.0.0" if address == "0.0.0.0" else "127.0.0.1"  # noqa: S104 (the user asked for all interfaces)
    nginx = shutil.which("nginx")
    if proxy_config is None and nginx is None:
        raise ConfigError(
            "--workers needs a reverse proxy with sticky sessions and nginx is not installed "
            "(apt-get install nginx-light); or pass --proxy-config FILE to write the nginx "
            "configuration and run your own proxy (README: Several app processes)."
        )
    # One secret for every worker: a token a worker signed (XSRF, auth cookies) is valid on the others too.
    env = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32), **env}
    signal.signal(signal.SIGTERM, _interrupt)  # a terminated serve stops its workers and nginx too
    children: list[subprocess.Popen[bytes]] = []
    warmers: list[subprocess.Popen[bytes]] = []
    try:
        for p in ports:  # the workers listen on localhost only: the proxy is the way in
            children.append(subprocess.Popen(_streamlit(p, "127.0.0.1"), cwd=REPO_ROOT, env=env))
        warmers.extend(start_warm_up(p, env) for p in ports if warm_up)
        if proxy_config is not None:
            proxy_config.write_text(deployment.nginx_site(port=port, workers=ports, listen=listen))
            typer.echo(
                f"{workers} workers on ports {ports[0]}-{ports[-1]} (store {store}); nginx site written to "
                f"{proxy_config}: include it in nginx's http {{}} block and reload nginx. Ctrl+C stops "
                "the workers."
            )
        else:
            prefix = Path(tempfile.mkdtemp(prefix="cluster_map_nginx_"))
            conf = prefix / "nginx.conf"
            conf.write_text(
                deployment.nginx_standalone(port=port, workers=ports, prefix=prefix, listen=listen)
            )
            children.append(
                subprocess.Popen([str(nginx), "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"])
            )
            typer.echo(
                f"Cluster Map on http://{address}:{port}: nginx ({conf}) in front of {workers} workers on "
                f"ports {ports[0]}-{ports[-1]} (store {store}), sticky per browser; Ctrl+C stops all."
            )
        while all(c.poll() is None for c in children):
            time.sleep(0.5)
        return next(c.returncode for c in children if c.returncode is not None) or 0
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(warmers)
        for c in children:
            if c.poll() is None:
                c.terminate()
        for c in children:
            try:
                c.wait(timeout=10)
            except subprocess.TimeoutExpired:
                c.kill()
