"""The building blocks of every catalogue record: the field helper with its one-line help, the
shared literal types and the look-up error.
"""

from __future__ import annotations

from dataclasses import field, fields
from typing import Any, Final, Literal

Area = Literal["europe", "us"]
Layout = Literal["eurostat", "us_cmp_states", "us_cmp_totals", "long_csv"]
Role = Literal["statistics", "benchmark", "auxiliary", "series"]
Benchmark = Literal["dataset", "country", "external"]
#: Kinds of code an ingest checks in every statistics file (see :class:`Tolerated`).
CodeKind = Literal["sector", "region", "indicator", "flag"]


_REQUIRED: Final = object()
#: A dimension name that the reader picks from the file's header (user datasets whose spec is silent).
AUTO: Final = "*"


def _f(help: str, default: Any = _REQUIRED) -> Any:  # noqa: A002 - mirrors datasette's Setting.help
    """A dataclass field with its one-line help in the metadata (no default: a required field)."""
    if default is _REQUIRED:
        return field(metadata={"help": help})
    return field(default=default, metadata={"help": help})


def field_help(record: type | object) -> dict[str, str]:
    """``{field name: one-line help}`` of a catalogue record class (or instance)."""
    return {f.name: str(f.metadata.get("help", "")) for f in fields(record)}  # type: ignore[arg-type]


class UnknownEntry(KeyError):
    """A code the catalogue does not hold (the message lists the ones it does)."""

    def __str__(self) -> str:
        return str(self.args[0])
