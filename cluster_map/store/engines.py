"""Connections of the statistics engine: DuckDB (default) or Spark, both through ibis.

This is the only module that creates ibis backends or Spark sessions. The table metrics of
:mod:`cluster_map.stats.tables` are ibis expressions; they run on whichever backend the table they
were built on belongs to.

- ``duckdb``: on a store file (read-only by default) or in memory.
- ``spark``: a local session (``local[*]``, started once per process, ~5 s), or a cluster through
  Spark Connect when ``Settings.spark_remote`` (``CLUSTER_MAP_SPARK_REMOTE``) is set, e.g.
  ``sc://spark-master:15002``. Spark reads the store's tables through Arrow (:func:`register`).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Literal

import ibis
import pandas as pd
import pyarrow as pa

from cluster_map.errors import InputError, StoreError

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[str, ...] = ("duckdb", "spark")

_SPARK_LOCK = threading.Lock()
_SPARK: dict[str, Any] = {}


def check_engine(engine: str) -> Engine:
    """``engine`` if it is known, else an :class:`InputError` naming the choices."""
    if engine not in ENGINES:
        raise InputError(f"Unknown engine {engine!r}; use one of {', '.join(ENGINES)}.")
    return engine  # type: ignore[return-value]


def duckdb_backend(
    db: Path | str | None = None, *, read_only: bool = True, threads: int | None = None
) -> Any:
    """An ibis DuckDB backend on the store file ``db`` (or in memory when ``db`` is None)."""
    try:
        if db is None:
            con = ibis.duckdb.connect()
        else:
            path = Path(db)
            if not path.is_file():
                raise StoreError(f"No store at {str(path)!r}. Run `cluster-map ingest` first or pass --db.")
            con = ibis.duckdb.connect(str(path), read_only=read_only)
    except StoreError:
        raise
    except Exception as exc:  # duckdb.IOException (lock) and friends: not importable here by name
        raise StoreError(
            f"Cannot open the store {str(db)!r}: {str(exc).splitlines()[0]}. "
            f"If another process is writing it, wait until it finishes."
        ) from exc
    if threads:
        con.raw_sql(f"SET threads = {int(threads)}")
    return con


def spark_session(remote: str = "", *, cores: str = "*") -> Any:
    """The process-wide Spark session: Spark Connect at ``remote``, else ``local[cores]``."""
    key = remote or f"local[{cores}]"
    with _SPARK_LOCK:
        if key in _SPARK:
            return _SPARK[key]
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise StoreError(
                "The Spark engine needs pyspark, an optional extra: run `pip install -e .[spark]` "
                "(or use the default --engine duckdb)."
            ) from None

        builder = SparkSession.builder.appName("cluster-map")
        if remote:
            builder = builder.remote(remote)
        else:
            builder = (
                builder.master(key)
                .config("spark.sql.shuffle.partitions", "8")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.driver.memory", "6g")
                .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            )
        try:
            session = builder.getOrCreate()
        except Exception as exc:
            raise StoreError(
                f"Cannot start Spark ({key}): {str(exc).splitlines()[0]}. Check Java 17 and pyspark, "
                f"or unset CLUSTER_MAP_SPARK_REMOTE."
            ) from exc
        if not remote:
            session.sparkContext.setLogLevel("ERROR")
        _SPARK[key] = session
        return session


def spark_backend(
    remote: str = "", *, shuffle_partitions: int | None = None, adaptive: bool | None = None
) -> Any:
    """An ibis PySpark backend over :func:`spark_session`.

    Small inputs (tests, the store's datasets) run several times faster with
    ``shuffle_partitions=1, adaptive=False``: Spark's per-task cost dominates there.
    """
    session = spark_session(remote)
    if shuffle_partitions is not None:
        session.conf.set("spark.sql.shuffle.partitions", str(int(shuffle_partitions)))
    if adaptive is not None:
        session.conf.set("spark.sql.adaptive.enabled", "true" if adaptive else "false")
    return ibis.pyspark.connect(session)


def backend(
    engine: str = "duckdb", *, db: Path | str | None = None, remote: str = "", read_only: bool = True
) -> Any:
    """The ibis backend for ``engine`` (``'duckdb'`` on ``db`` or in memory, ``'spark'``)."""
    if check_engine(engine) == "spark":
        return spark_backend(remote, shuffle_partitions=2, adaptive=False)
    return duckdb_backend(db, read_only=read_only)


def register(con: Any, name: str, data: pd.DataFrame | pa.Table, *, schema: Any = None) -> Any:
    """Make a pandas/Arrow table available to ``con`` as the ibis table ``name`` (temporary).

    ``schema`` (an ibis schema) fixes the column types, e.g. for all-NULL columns.
    """
    if schema is not None:
        arrow_schema = schema.to_pyarrow()
        if isinstance(data, pd.DataFrame):
            data = pa.Table.from_pandas(data[list(schema.names)], schema=arrow_schema, preserve_index=False)
        else:
            data = data.select(list(schema.names)).cast(arrow_schema)
    if con.name == "pyspark":
        if isinstance(data, pa.Table):
            data = data.to_pandas()
        session = con._session
        frame = (
            session.createDataFrame(data)
            if len(data)
            else session.createDataFrame(data, schema=_spark_schema(data))
        )
        frame.createOrReplaceTempView(name)
        return con.table(name)
    if isinstance(data, pd.DataFrame):
        data = pa.Table.from_pandas(data, preserve_index=False)
    # A zero-copy Arrow view (ibis' create_table(temp=True, overwrite=True) fails on DuckDB 2.0).
    con.con.register(name, data)
    return con.table(name)


def register_parquet(con: Any, name: str, path: Path | str) -> Any:
    """A Parquet file (or directory) as the ibis table ``name`` on ``con``."""
    if con.name == "pyspark":
        con._session.read.parquet(str(path)).createOrReplaceTempView(name)
        return con.table(name)
    return con.read_parquet(str(path), table_name=name)


def _spark_schema(data: pd.DataFrame) -> Any:
    from pyspark.sql import types as T

    mapping = {"f": T.DoubleType(), "i": T.LongType(), "b": T.BooleanType()}
    return T.StructType(
        [T.StructField(c, mapping.get(data[c].dtype.kind, T.StringType()), True) for c in data.columns]
    )


def to_pandas(expr: Any) -> pd.DataFrame:
    """Execute an ibis expression and return a pandas frame (Arrow path on both engines)."""
    return expr.to_pyarrow().to_pandas()


def sql_of(expr: Any) -> str:
    """The SQL an expression compiles to on its backend (for the store's INSERT ... SELECT)."""
    return str(ibis.to_sql(expr))
