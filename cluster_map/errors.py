"""One exception hierarchy. Messages name the bad value with ``!r`` and say what to do."""

from __future__ import annotations


class ClusterMapError(Exception):
    """Base class of every error Cluster Map raises on purpose."""


class ConfigError(ClusterMapError):
    """A setting has a value that cannot be used."""


class SourceError(ClusterMapError):
    """A source file is missing, unreachable or malformed.

    ``problems`` lists every problem found in the file, each naming file, line and value.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [])
        if self.problems:
            shown = "\n  ".join(self.problems[:20])
            more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
            message = f"{message}\n  {shown}{more}"
        super().__init__(message)


class StoreError(ClusterMapError):
    """The store is missing, locked, or does not hold what was asked for."""


class InputError(ClusterMapError):
    """A user's input (CLI option, upload, URL parameter, filter) is not valid."""


class StatsError(ClusterMapError):
    """Data cannot be used for a statistic (negative employment, duplicate keys, ...)."""


class ReportError(ClusterMapError):
    """A report or export cannot be built for the request."""
