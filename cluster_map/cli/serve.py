"""``cluster-map serve``: build the store if it is missing, then run the Streamlit app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer

from cluster_map.cli.main import DbOption, app
from cluster_map.config import REPO_ROOT, get_settings
from cluster_map.services import mapview


@app.command()
def serve(
    port: int = typer.Option(8501, "--port", help="Port of the local web server."),
    db: Path | None = DbOption,
    address: str = typer.Option("localhost", "--address", help="Interface to listen on (0.0.0.0: all)."),
) -> None:
    """Run the map app (http://localhost:PORT); builds the store first if it is missing."""
    settings = get_settings(db=db)
    store = Path(settings.db)
    if not store.is_file():
        typer.echo(f"No store at {store}; building it from the sources (offline: the mirror) ...")
        seconds = mapview.build_store(store, progress=True)
        typer.echo(f"Store built in {seconds:.0f} s.")
    mapview.install_assets(REPO_ROOT / "static")
    typer.echo(f"Cluster Map on http://{address}:{port} (store {store}); Ctrl+C stops it.")
    cmd = [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"), "--server.port", str(port),
           "--server.address", address, "--server.headless", "true"]
    # The child gets this process's environment plus the store path chosen here.
    env = {**os.environ, "CLUSTER_MAP_DB": str(store)}
    try:
        code = subprocess.run(cmd, cwd=REPO_ROOT, env=env, check=False).returncode
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)
