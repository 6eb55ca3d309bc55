"""Cluster Map: regional concentration and specialisation of industries, mapped.

Layers (see README "Where things live"): pages -> ui -> services -> sources/store/stats/maps/reports
-> leaf modules (config, errors, schema, geo).
"""

from __future__ import annotations

import os
import sys

__version__ = "0.1.0"

#: Threads of the BLAS under NumPy and SciPy (OpenBLAS), unless the environment sets its own. OpenBLAS
#: splits a matrix over threads from about 320 rows: on our 2 shared cores, the eigenvectors of the
#: 320 x 320 region matrix of the ECI then took 1.8 s instead of 0.04 s on one thread, and the
#: Streamlit server, DuckDB and the readers already use the cores. Set before NumPy loads OpenBLAS;
#: when NumPy came first (a notebook), the running pool is limited instead.
BLAS_THREADS: int = int(os.environ.setdefault("OPENBLAS_NUM_THREADS", "1"))
if "numpy" in sys.modules:
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=BLAS_THREADS, user_api="blas")
