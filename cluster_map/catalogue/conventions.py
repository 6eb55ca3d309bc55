"""The readings of published rules a user can choose between (the first of a kind is the default)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cluster_map.catalogue.base import UnknownEntry, _f


# --- conventions ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Convention:
    """One reading of a published rule that the app lets a user choose (the first of a kind is the default)."""

    kind: str = _f("what it is a reading of ('focus_scope')")
    key: str = _f("value of the setting / CLI option")
    label: str = _f("short label for menus and notes")
    text: str = _f("the rule in words, as the methodology page states it")
    source: str = _f("who publishes this reading ('' when it is Cluster Map's own)", "")


CONVENTIONS: Final[tuple[Convention, ...]] = (
    Convention(
        "focus_scope",
        "all_cells",
        "focus across all clusters (ECO)",
        "Focus star: the sector's share of the region's employment is among the top 10% of all region x sector "
        "cells of the same NUTS level, sector level and year (90th percentile by linear interpolation). The "
        "European Cluster Observatory states size 'within the same cluster category' but focus over 'all "
        "clusters' that account for the largest proportion of their region's employment.",
        "European Cluster Observatory, 'Evaluation of regional cluster strength' "
        "(clusterobservatory.eu/index.php?id=49); Ketels & Protsiv (2014)",
    ),
    Convention(
        "focus_scope",
        "sector",
        "focus within the sector",
        "Focus star: the share is among the top 10% of the regions in the same sector. Within one sector the "
        "share ranks regions exactly as the LQ does (LQ = share / (E_s / E)), so focus then repeats the "
        "specialisation test and three-star cells roughly triple.",
        "",
    ),
)
#: The values of each convention setting, the default first.
FOCUS_SCOPES: Final[tuple[str, ...]] = tuple(c.key for c in CONVENTIONS if c.kind == "focus_scope")


def conventions(kind: str) -> tuple[Convention, ...]:
    """The readings of one kind of rule, the default first."""
    return tuple(c for c in CONVENTIONS if c.kind == kind)


def convention(kind: str, key: str) -> Convention:
    """One reading (:class:`UnknownEntry` naming the known ones)."""
    for c in CONVENTIONS:
        if c.kind == kind and c.key == key:
            return c
    raise UnknownEntry(
        f"Unknown {kind} {key!r}; choose one of {', '.join(c.key for c in conventions(kind))}."
    )
