"""``python -m cluster_map.cli``: the same as the ``cluster-map`` console script."""

from __future__ import annotations

from cluster_map.cli import console

console()
