"""`cluster-map`: a thin shell over the services (one module per command family)."""

from __future__ import annotations

from cluster_map.cli.main import app, main

__all__ = ["app", "console", "main"]


def console() -> None:
    """Console-script entry point."""
    import gc
    import sys

    code = main()
    # At exit the interpreter's collector walks every object left (a report's modules and frames: about
    # 1 s of a report's run); the process ends, so freeze them out of those passes. Exit handlers and
    # module teardown still run.
    gc.freeze()
    sys.exit(code)
