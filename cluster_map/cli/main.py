"""The Typer application and the one error handler of the CLI.

Command families register themselves on ``app`` from their own modules (``data``, ``metrics``,
``reports``, ``serve``); ``main`` imports them, runs the app, and turns a ``ClusterMapError`` into
one clear message and exit code 1. Nothing is swallowed: other exceptions keep their traceback.
"""

from __future__ import annotations

import importlib
import sys

import typer

from cluster_map.errors import ClusterMapError

app = typer.Typer(
    name="cluster-map",
    help="Cluster Map: official regional statistics -> a DuckDB store -> metrics, maps and reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Modules of ``cluster_map.cli`` that define commands (imported by ``main``).
COMMAND_MODULES = ("data", "metrics", "reports", "serve", "sources", "users", "collaboration", "orgs")


@app.callback()
def _root() -> None:
    """Cluster Map command line (see README)."""


@app.command()
def version() -> None:
    """Print the Cluster Map version."""
    from cluster_map import __version__

    typer.echo(__version__)


DbOption = typer.Option(None, "--db", help="Store path (default: CLUSTER_MAP_DB or data/cluster_map.duckdb).")


def register_commands() -> None:
    for name in COMMAND_MODULES:
        try:
            importlib.import_module(f"cluster_map.cli.{name}")
        except ModuleNotFoundError as exc:  # a command family not written yet
            if exc.name != f"cluster_map.cli.{name}":
                raise


def main(argv: list[str] | None = None) -> int:
    register_commands()
    try:
        app(args=argv, standalone_mode=False)
    except ClusterMapError as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        return 1
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        typer.secho("Aborted.", err=True)
        return 1
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        raise
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
