"""`cluster-map`: a thin shell over the services (one module per command family)."""

from __future__ import annotations

from cluster_map.cli.main import app, main

__all__ = ["app", "console", "main"]


def console() -> None:
    """Console-script entry point."""
    import sys

    sys.exit(main())
