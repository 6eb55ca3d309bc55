"""Several app processes behind a reverse proxy: ports, the nginx and Caddy configurations."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cluster_map.services import deployment

ROOT = Path(__file__).resolve().parents[2]


def test_worker_ports_follow_the_proxy_port() -> None:
    assert deployment.worker_ports(8501, 3) == (8502, 8503, 8504)
    with pytest.raises(ValueError, match="at least 1"):
        deployment.worker_ports(8501, 0)


def test_the_nginx_site_is_sticky_and_passes_websockets() -> None:
    site = deployment.nginx_site(port=8501, workers=(8502, 8503))
    assert "listen 127.0.0.1:8501;" in site
    assert site.count("server 127.0.0.1:850") == 2
    assert "hash $cm_route consistent;" in site  # the cookie (or the first request's id) picks the worker
    assert "''      $request_id;" in site and 'Set-Cookie "cm_route=$cm_route;' in site
    assert (
        "proxy_set_header Upgrade $http_upgrade;" in site
        and "proxy_set_header Connection $cm_connection;" in site
    )
    assert f'add_header Content-Security-Policy "{deployment.PAGE_POLICY}" always;' in site


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_standalone_configuration(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text(deployment.nginx_standalone(port=8501, workers=(8502, 8503), prefix=tmp_path))
    done = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


def test_the_readme_shows_the_caddy_configuration_the_code_gives() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert deployment.caddyfile(port=8501, workers=(8502, 8503)) in readme
