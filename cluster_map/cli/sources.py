"""``cluster-map sources check``: what the store holds of each catalogued dataset, next to what the
official sources offer now (see :mod:`cluster_map.services.sources`). Offline it says it cannot check
and still shows what is loaded; it exits 0 either way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from cluster_map.cli.main import DbOption, app

sources_app = typer.Typer(
    help="The official sources: compare the store with what they offer now.", no_args_is_help=True
)
app.add_typer(sources_app, name="sources")


@sources_app.command("check")
def check_command(
    db: Optional[Path] = DbOption,  # noqa: UP045 (typer reads the annotation)
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    online: bool = typer.Option(
        True, "--online/--offline", help="Ask the official sources (default), or only show what is loaded."
    ),
) -> None:
    """For each catalogued dataset: loaded years, NUTS version, origin and last update, next to the latest
    year and last update the official source offers now (Eurostat's table of contents, one request)."""
    from cluster_map.services import sources as service

    result = service.check(db, online=online)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, default=str))
        return
    for line in result.lines():
        typer.echo(line)
