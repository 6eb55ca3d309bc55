"""Opening the store, and building a new one atomically.

The store is one DuckDB file. Readers (the app, the CLI, reports) open it read-only and take a
``cursor()`` per query, since a DuckDB connection is not thread-safe. Writers never touch the live
file: :func:`build_atomically` builds ``<db>.building-<pid>`` next to it, validates it (schema
version, required tables not empty, unique keys), fsyncs it and ``os.replace``-s it over the target.
An exception or a ``kill -9`` during the build leaves the previous store byte-identical; the orphaned
temporary file is removed by the next build.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import duckdb
import numpy as np
import pandas as pd

from cluster_map.errors import StoreError
from cluster_map.store.schema import PRIMARY_KEYS, REQUIRED_TABLES, SCHEMA_VERSION, create_statements

BUILDING_SUFFIX = ".building-"
K = TypeVar("K")


def connect(db: Path | str, *, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open an existing store and check its schema version.

    Parameters
    ----------
    db
        Path of the store file.
    read_only
        ``True`` (default) for readers; many processes may read at once. Take one ``cursor()`` per
        query or thread from the returned connection.

    Raises
    ------
    StoreError
        The file is missing, locked by a writer, not a DuckDB file, or of another schema version.
    """
    path = Path(db)
    if not path.is_file():
        raise StoreError(
            f"No store at {str(path)!r}. Run `cluster-map ingest` to build it "
            f"(or point --db / CLUSTER_MAP_DB at an existing store)."
        )
    con = _open(path, read_only=read_only)
    try:
        check_schema_version(con, path)
        from cluster_map.store.catalogue import register_user_datasets

        register_user_datasets(con)  # a user's own datasets (ingest --add) are known like catalogued ones
    except BaseException:
        con.close()
        raise
    return con


def _open(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise StoreError(
                f"The store {str(path)!r} is locked by another process (an ingest or a writer holds "
                f"it): {text.splitlines()[0]}. Wait until it finishes, or close that process."
            ) from exc
        raise StoreError(
            f"Cannot open the store {str(path)!r}: {text.splitlines()[0]}. "
            f"Rebuild it with `cluster-map ingest`."
        ) from exc
    except duckdb.Error as exc:
        raise StoreError(
            f"{str(path)!r} is not a Cluster Map store ({str(exc).splitlines()[0]}). "
            f"Rebuild it with `cluster-map ingest` or point --db at the right file."
        ) from exc
    # DuckDB draws its own progress bar on stdout for queries over 2 s; ours is enough. (In a Jupyter
    # kernel without ipywidgets DuckDB refuses the setting itself; the store still opens.)
    with contextlib.suppress(duckdb.Error):
        con.execute("SET enable_progress_bar = false")
    return con


def check_schema_version(con: duckdb.DuckDBPyConnection, path: Path | str) -> None:
    """Raise :class:`StoreError` unless the store's ``meta.schema_version`` is ``SCHEMA_VERSION``."""
    cur = con.cursor()
    try:
        rows = cur.execute("SELECT value FROM meta WHERE key = ?", ["schema_version"]).fetchall()
    except duckdb.CatalogException:
        rows = []
    finally:
        cur.close()
    found = rows[0][0] if rows else None
    if found != str(SCHEMA_VERSION):
        raise StoreError(
            f"The store {str(path)!r} has schema version {found!r}; this Cluster Map needs "
            f"{str(SCHEMA_VERSION)!r}. Rebuild it with `cluster-map ingest`."
        )


def query(con: duckdb.DuckDBPyConnection, sql: str, params: Iterable[object] = ()) -> pd.DataFrame:
    """Run one parameterised query on a fresh cursor and return all rows as a DataFrame."""
    cur = con.cursor()
    try:
        return cur.execute(sql, list(params)).df()
    finally:
        cur.close()


def split_result(frame: pd.DataFrame, rows: Mapping[K, Sequence[int]]) -> dict[K, pd.DataFrame]:
    """One query's result split into parts, each typed as a query returning only its rows would be.

    For a batch of look-ups done as one query (``... WHERE x IN (...)``) instead of one query per key:
    ``rows`` maps each key to the positions of its rows in ``frame`` (in the order the one-key query
    would return them). DuckDB types a result's columns by its rows: a text column without a value is
    ``object`` (``None``), an integer or boolean column without a null is ``int32``/``bool`` rather than
    ``Int32``/``boolean``. Each part gets the types of its own rows and a fresh ``RangeIndex``, and so
    equals the frame of the one-key query.
    """
    text = [c for c in frame.columns if isinstance(frame[c].dtype, pd.StringDtype)]
    masked = [
        c
        for c in frame.columns
        if isinstance(frame[c].dtype, pd.BooleanDtype | pd.core.arrays.integer.IntegerDtype)
    ]
    text_null = frame[text].isna().to_numpy() if text else None
    masked_null = frame[masked].isna().to_numpy() if masked else None
    parts: dict[K, pd.DataFrame] = {}
    for key, positions in rows.items():
        where = np.asarray(positions, dtype=np.intp)
        part = frame.take(where).reset_index(drop=True)
        if text_null is not None:
            for col, empty in zip(text, text_null[where].all(axis=0), strict=True):
                if empty:  # no value (or no row): DuckDB gives object Nones
                    part[col] = pd.Series([None] * len(part), dtype=object)
        if masked_null is not None:
            for col, nulls in zip(masked, masked_null[where].any(axis=0), strict=True):
                if not nulls:  # no null: DuckDB gives the NumPy type
                    part[col] = part[col].to_numpy(dtype=part[col].dtype.numpy_dtype)
        parts[key] = part
    return parts


def positions_by_value(frame: pd.DataFrame, columns: Sequence[str]) -> dict[object, list[int]]:
    """Value -> positions (ascending) of the rows of ``frame`` holding it in any of ``columns``."""
    found: dict[object, set[int]] = {}
    for col in columns:
        for i, value in enumerate(frame[col].to_numpy(dtype=object)):
            if isinstance(value, str):
                found.setdefault(value, set()).add(i)
    return {value: sorted(rows) for value, rows in found.items()}


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table of the store and record the schema version in ``meta``."""
    for statement in create_statements():
        con.execute(statement)
    con.execute("INSERT INTO meta VALUES (?, ?)", ["schema_version", str(SCHEMA_VERSION)])


# --- validation ---------------------------------------------------------------------------------
def validate(con: duckdb.DuckDBPyConnection, *, required: Iterable[str] = REQUIRED_TABLES) -> list[str]:
    """Problems that forbid swapping a store in: wrong schema version, empty tables, duplicate keys.

    Returns an empty list for a valid store. Duplicate keys are named with their values.
    """
    problems: list[str] = []
    try:
        check_schema_version(con, "new store")
    except StoreError as exc:
        problems.append(str(exc))
        return problems
    existing = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    for table in required:
        if table not in existing:
            problems.append(f"table {table!r} is missing")
            continue
        n = con.execute(f'SELECT count(*) FROM "{_known(table)}"').fetchall()[0][0]  # noqa: S608 (allow-listed identifiers)
        if n == 0:
            problems.append(f"table {table!r} is empty")
    for table, key in PRIMARY_KEYS.items():
        if table not in existing:
            continue
        cols = ", ".join(f'"{c}"' for c in key)
        # Fast path: as many distinct key hashes as rows means no duplicate (a hash collision only
        # sends us to the exact check below, which then finds nothing).
        n, distinct = con.execute(
            f'SELECT count(*), count(DISTINCT hash({cols})) FROM "{_known(table)}"'  # noqa: S608 (allow-listed identifiers)
        ).fetchall()[0]
        if n == distinct:
            continue
        dups = con.execute(
            f'SELECT {cols}, count(*) AS n FROM "{_known(table)}" GROUP BY ALL HAVING count(*) > 1 '  # noqa: S608 (allow-listed identifiers)
            f"ORDER BY n DESC LIMIT 5"
        ).fetchall()
        for row in dups:
            shown = ", ".join(f"{c}={v!r}" for c, v in zip(key, row[:-1], strict=True))
            problems.append(f"duplicate key in table {table!r}: {shown} occurs {row[-1]} times")
    return problems


def _known(table: str) -> str:
    if table not in PRIMARY_KEYS and table not in REQUIRED_TABLES:
        raise StoreError(f"Unknown table {table!r}; known tables: {sorted(PRIMARY_KEYS)}.")
    return table


# --- atomic build -------------------------------------------------------------------------------
@dataclass
class Build:
    """A store being built in a temporary file next to its target (see :func:`build_atomically`)."""

    target: Path
    path: Path
    required: tuple[str, ...] = REQUIRED_TABLES
    _con: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """A read-write connection to the temporary file (opened on first use)."""
        if self._con is None:
            self._con = _open(self.path, read_only=False)
        return self._con

    def close(self) -> None:
        """Checkpoint and close the connection, so that other code may open ``path`` itself."""
        if self._con is not None:
            with contextlib.suppress(duckdb.Error):
                self._con.execute("CHECKPOINT")
            self._con.close()
            self._con = None


def temp_path(target: Path, pid: int | None = None) -> Path:
    """``<target>.building-<pid>``: where a build of ``target`` by process ``pid`` is written."""
    return target.with_name(f"{target.name}{BUILDING_SUFFIX}{os.getpid() if pid is None else pid}")


def clean_stale_builds(target: Path) -> list[Path]:
    """Remove temporary build files of ``target`` left by processes that no longer run.

    Raises :class:`StoreError` when another live process is building the same store.
    """
    removed: list[Path] = []
    for p in target.parent.glob(f"{target.name}{BUILDING_SUFFIX}*"):
        pid_text = p.name[len(target.name) + len(BUILDING_SUFFIX) :].split(".")[0]
        pid = int(pid_text) if pid_text.isdigit() else None
        if pid is not None and pid != os.getpid() and _alive(pid):
            raise StoreError(
                f"Another ingest (process {pid}) is building {str(target)!r} ({p.name}). "
                f"Wait for it to finish, or stop it and run `cluster-map ingest` again."
            )
        _remove_path(p)
        removed.append(p)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def build_atomically(
    db: Path | str, *, required: Iterable[str] = REQUIRED_TABLES, seed_from_target: bool = False
) -> Iterator[Build]:
    """Build a new store next to ``db`` and swap it in only if it is complete and valid.

    Parameters
    ----------
    db
        The store to replace (it need not exist yet).
    required
        Tables that must hold rows for the build to be accepted.
    seed_from_target
        Start from a copy of the current store (for partial re-ingests) instead of an empty one.

    Yields
    ------
    Build
        ``build.connection`` writes the new file; ``build.close()`` releases it so that other code
        (e.g. the metrics engine) can open ``build.path`` directly.

    Raises
    ------
    StoreError
        Validation failed; the message lists every problem and the old store is untouched.
    """
    target = Path(db).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_builds(target)
    path = temp_path(target)
    build = Build(target=target, path=path, required=tuple(required))
    try:
        if seed_from_target and target.is_file():
            connect(target, read_only=True).close()  # refuse to seed from a bad or locked store
            _copy(target, path)
        else:
            create_schema(build.connection)
        yield build
        build.close()
        con = _open(path, read_only=True)
        try:
            problems = validate(con, required=build.required)
        finally:
            con.close()
        if problems:
            raise StoreError(
                f"The new store failed validation; {str(target)!r} was left unchanged:\n  "
                + "\n  ".join(problems)
            )
        _fsync(path)
        # A write-ahead log next to the target belongs to the file being replaced: DuckDB would
        # replay it into the new file on the next open.
        target.with_name(target.name + ".wal").unlink(missing_ok=True)
        os.replace(path, target)
        _fsync(target.parent)
    except BaseException:
        build.close()
        _remove(path)
        raise


def _copy(src: Path, dst: Path) -> None:
    with src.open("rb") as fi, dst.open("wb") as fo:
        while chunk := fi.read(1 << 22):
            fo.write(chunk)


def _remove(path: Path) -> None:
    """Remove a temporary store with its WAL and DuckDB's spill directory (``<file>.tmp``)."""
    for p in (path, path.with_name(path.name + ".wal"), path.with_name(path.name + ".tmp")):
        _remove_path(p)


def _remove_path(p: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        p.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
