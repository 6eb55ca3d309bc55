"""``cluster-map orgs search|show|import`` and ``cluster-map partners``: the directory of cluster
organisations and the partner finder from the command line (a thin shell over
:mod:`cluster_map.services.organisations`, :mod:`~cluster_map.services.org_profile` and
:mod:`~cluster_map.services.partners`)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from cluster_map.cli.main import DbOption, app

orgs_app = typer.Typer(
    help="The directory of cluster organisations: search, show one, import your own.", no_args_is_help=True
)
app.add_typer(orgs_app, name="orgs")

FormatOption = typer.Option("table", "--format", help="table | csv | json (CSV cells are formula-safe).")


@orgs_app.command("search")
def search_command(
    text: str = typer.Option(
        "", "--text", help="Free text (stemmed; sector synonyms: aeronautics ~ aerospace ~ C30)."
    ),
    country: list[str] = typer.Option([], "--country", help="Country code (repeatable)."),  # noqa: B008
    sector: list[str] = typer.Option([], "--sector", help="Sector term (aerospace) or NACE division (C30)."),  # noqa: B008
    ecosystem: list[str] = typer.Option([], "--ecosystem", help="Industrial ecosystem slug (repeatable)."),  # noqa: B008
    region: str = typer.Option("", "--region", help="NUTS code at any level, or a US state FIPS code."),
    kind: list[str] = typer.Option(
        [], "--type", help="Organisation type: cluster | network | other | not_stated."
    ),  # noqa: B008
    label: list[str] = typer.Option([], "--label", help="ESCA label: bronze | silver | gold."),  # noqa: B008
    size: list[str] = typer.Option([], "--size", help="Member size: small | medium | large | very_large."),  # noqa: B008
    partnership: str = typer.Option("", "--partnership", help="Only the members of this partnership."),
    sort: str = typer.Option(
        "name", "--sort", help="name | country | members_total | founded_year | label_level."
    ),
    fmt: str = FormatOption,
    db: Optional[Path] = DbOption,
) -> None:
    """Search the directory; every match, one row each."""
    from cluster_map.services import exports, organisations

    con = exports.connect(db)
    q = organisations.OrgQuery(
        text=text,
        countries=tuple(country),
        sectors=tuple(sector),
        ecosystems=tuple(ecosystem),
        region=region,
        kinds=tuple(kind),
        labels=tuple(label),
        sizes=tuple(size),
        partnership=partnership,
        sort=sort,
    )
    found = organisations.find(con, q)
    typer.echo(organisations.render(found.rows[list(organisations.LIST_COLUMNS)], fmt), nl=False)
    if fmt == "table":
        typer.echo(f"{found.total} organisation(s)")


@orgs_app.command("show")
def show_command(
    org_id: str = typer.Argument(..., help="Directory id (see `orgs search`)."),
    fmt: str = typer.Option("table", "--format", help="table | json."),
    db: Optional[Path] = DbOption,
) -> None:
    """One organisation's profile and the statistics of its region for its sectors."""
    from cluster_map.services import exports, org_profile, organisations

    p = org_profile.profile(exports.connect(db), org_id)
    typer.echo(organisations.render_profile(p, fmt), nl=False)


@orgs_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="CSV (UTF-8), XLSX or JSON directory file."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report only."),
    name: str = typer.Option("", "--name", help="Directory name (default: the file's stem)."),
    db: Optional[Path] = DbOption,
) -> None:
    """Validate a directory file (every problem: line, field, value, what to do; duplicates by name and
    country) and, unless --dry-run, add it to the store; nothing is written when a problem is found."""
    from cluster_map.services import imports

    report = imports.import_directory(db, file, name=name or None, dry_run=dry_run)
    for line in report.lines():
        typer.echo(line)
    if report.problems:
        raise typer.Exit(1)


@app.command("partners")
def partners_command(
    org: str = typer.Option("", "--org", help="The organisation's directory id."),
    sector: list[str] = typer.Option(
        [], "--sector", help="Or describe a need: sector terms / NACE divisions."
    ),  # noqa: B008
    country: str = typer.Option(
        "", "--country", help="With --sector: your country (for the border preference)."
    ),
    prefer: str = typer.Option("abroad", "--prefer", help="abroad | home | any."),
    top: int = typer.Option(20, "--top", min=1, max=1000, help="How many candidates."),
    fmt: str = FormatOption,
    db: Optional[Path] = DbOption,
) -> None:
    """Rank partner organisations: one row per candidate with its score, one column per factor (the
    contribution of each), and why in words (methodology: `partner score` on the methodology page)."""
    from cluster_map.services import exports, organisations, partners

    con = exports.connect(db)
    if prefer not in ("abroad", "home", "any"):
        raise typer.BadParameter(f"--prefer {prefer!r}: choose abroad, home or any")
    if org:
        need = partners.need_of(con, org)
    elif sector:
        need = partners.Need(sectors=tuple(sector), country=country.upper())
    else:
        raise typer.BadParameter("give --org ID or at least one --sector")
    ranked = partners.rank_partners(con, need, prefer=prefer, top=top)  # type: ignore[arg-type]
    typer.echo(organisations.render(ranked, fmt), nl=False)
