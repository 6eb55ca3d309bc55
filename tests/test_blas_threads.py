"""One BLAS thread (cluster_map/__init__.py): OpenBLAS splits matrices over threads from about 320 rows,
which on our 2 shared cores made the ECI's eigenvectors 40 times slower. Checked in fresh interpreters,
whichever of NumPy and cluster_map is imported first; a user's own OPENBLAS_NUM_THREADS wins."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

INFO = "from threadpoolctl import threadpool_info; print(max(i['num_threads'] for i in threadpool_info()))"


def _threads(code: str, **env: str) -> int:
    clean = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    out = subprocess.run(
        [sys.executable, "-c", f"{code}; {INFO}"],
        env=clean | env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return int(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: OpenBLAS starts one thread anyway")
def test_numpy_alone_would_start_several_threads() -> None:
    """The control: without cluster_map, OpenBLAS starts a thread per core (so the checks below can fail)."""
    assert _threads("import numpy") > 1


@pytest.mark.parametrize("code", ["import cluster_map, numpy", "import numpy, cluster_map"])
def test_cluster_map_runs_blas_on_one_thread(code: str) -> None:
    assert _threads(code) == 1


def test_the_users_own_setting_wins() -> None:
    assert _threads("import numpy, cluster_map", OPENBLAS_NUM_THREADS="2") == 2
