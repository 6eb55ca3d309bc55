"""Cluster Map: regional concentration and specialisation of industries, mapped.

Layers (see README "Where things live"): pages -> ui -> services -> sources/store/stats/maps/reports
-> leaf modules (config, errors, schema, geo).
"""

from __future__ import annotations

__version__ = "0.1.0"
