"""`cluster-map events` (table, CSV or iCalendar) and `cluster-map partnerships` (search, gateways, import)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from cluster_map.cli.main import DbOption, app
from cluster_map.errors import InputError

partnerships_app = typer.Typer(
    help="Partnerships and cluster-related projects: search, gateways, import.", no_args_is_help=True
)
app.add_typer(partnerships_app, name="partnerships")


def _write(out: Path, data: bytes) -> None:
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)


def _emit(frame, fmt: str, out: Path | None) -> None:  # type: ignore[no-untyped-def]
    from cluster_map.services import events

    if fmt == "csv":
        data = events.csv_bytes(frame)  # formula cells neutralised
        if out:
            _write(out, data)
            typer.echo(f"Wrote {out} ({len(frame)} rows).")
        else:
            typer.echo(data.decode("utf-8"), nl=False)
    elif fmt == "table":
        typer.echo(frame.to_string(index=False) if not frame.empty else "Nothing found.")
    else:
        raise InputError(f"Unknown --format {fmt!r}; choose table or csv.")


@app.command("events")
def events_command(
    fmt: str = typer.Option("table", "--format", help="table, csv or ics (iCalendar, RFC 5545)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (needed for ics)."),
    when: str = typer.Option("all", "--when", help="all, upcoming, past or now."),
    text: str = typer.Option("", "--text", help="Words in the name, type, organisers or city."),
    country: str = typer.Option("", "--country", help="Country code of the venue."),
    db: Optional[Path] = DbOption,
) -> None:
    """Cluster events with their dates as precise as the sources give them; ics leaves out month/year-only dates."""
    from cluster_map.services import board, events, exports

    if when not in ("all", "upcoming", "past", "now"):
        raise InputError(f"Unknown --when {when!r}; choose all, upcoming, past or now.")
    con = exports.connect(db)
    try:
        from cluster_map.config import get_settings

        found = events.events(
            con,
            board.default_path(get_settings(db=db)),
            when=when,  # type: ignore[arg-type]
            text=text,
            country=country,
        )
    finally:
        con.close()
    if fmt == "ics":
        if out is None:
            raise InputError("--format ics needs --out FILE (e.g. --out events.ics).")
        text_ics, note = events.ics(found)
        _write(out, text_ics.encode("utf-8"))
        typer.echo(f"Wrote {out}: {(found['date_precision'] == 'day').sum()} event(s).")
        if note:
            typer.echo(note)
        return
    shown = found.drop(columns=["organiser_ids", "slot_minutes", "date_start", "date_end"])
    _emit(shown, fmt, out)


@partnerships_app.command("search")
def search_command(
    text: str = typer.Option("", "--text", help="Words in the name, theme, ecosystems or members."),
    programme: str = typer.Option(
        "", "--programme", help="ESCP-4i, ESCP-4x, ESCP-S3, Euroclusters, Interreg, ..."
    ),
    country: str = typer.Option("", "--country", help="A member country."),
    market: str = typer.Option("", "--market", help="A target market (country code)."),
    fmt: str = typer.Option("table", "--format", help="table or csv."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (csv)."),
    db: Optional[Path] = DbOption,
) -> None:
    """Partnerships and projects, members linked to directory profiles where the names match."""
    from cluster_map.config import get_settings
    from cluster_map.services import board, exports, partnerships

    con = exports.connect(db)
    try:
        found = partnerships.search(
            con,
            board.default_path(get_settings(db=db)),
            text=text,
            programme=programme,
            country=country,
            market=market,
        )
    finally:
        con.close()
    found = found.assign(
        members=[
            "; ".join(m["name"] + (f" [{m['org_id']}]" if m["org_id"] else "") for m in ms)
            for ms in found["members"]
        ],
        member_ids=["; ".join(i) for i in found["member_ids"]],
        ecosystems=["; ".join(e) for e in found["ecosystems"]],
        countries=["; ".join(c) for c in found["countries"]],
        target_markets=["; ".join(c) for c in found["target_markets"]],
    )
    _emit(found.drop(columns=["note"]) if fmt == "table" else found, fmt, out)


@partnerships_app.command("gateways")
def gateways_command(
    market: str = typer.Option("", "--market", help="Country outside Europe, e.g. JP."),
    text: str = typer.Option("", "--text", help="Theme, ecosystem or member words, e.g. health."),
    fmt: str = typer.Option("table", "--format", help="table or csv."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output file (csv)."),
    db: Optional[Path] = DbOption,
) -> None:
    """Who in Europe works towards a market outside Europe (e.g. --market JP --text health)."""
    from cluster_map.config import get_settings
    from cluster_map.services import board, exports, partnerships

    con = exports.connect(db)
    try:
        found = partnerships.gateways(con, board.default_path(get_settings(db=db)), market=market, text=text)
    finally:
        con.close()
    if found.empty:
        typer.echo(
            "No partnership or project in the directory or the imports names that target market"
            + (f" for {text!r}" if text else "")
            + "; import one with `cluster-map partnerships import`."
        )
        return
    _emit(found.assign(member_ids=["; ".join(i) for i in found["member_ids"]]), fmt, out)


@partnerships_app.command("import")
def import_command(
    file: Path = typer.Argument(
        ...,
        help="CSV (header row) or JSON with name, kind, programme, theme, ecosystems, "
        "period, members, countries, target_markets, website, source_url.",
    ),
    admin: str = typer.Option(..., "--admin", help="Username of an admin account."),
    password: str = typer.Option(
        ..., "--password", prompt=True, hide_input=True, help="The admin's password."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate only; write nothing."),
    db: Optional[Path] = DbOption,
) -> None:
    """Import partnerships and projects (validated: every problem named; nothing written on error)."""
    from cluster_map.config import get_settings
    from cluster_map.services import board, partnerships

    path = board.default_path(get_settings(db=db))
    who = board.sign_in(path, username=admin, password=password)
    n = partnerships.import_file(path, admin_id=who.id, path=file, dry_run=dry_run)
    typer.echo(
        f"{'Checked' if dry_run else 'Imported'} {n} partnership(s)/project(s) from {file.name}"
        + (" (nothing written)." if dry_run else ".")
    )
