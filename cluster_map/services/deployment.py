"""Several app processes behind one reverse proxy (``cluster-map serve --workers N``).

One Streamlit process runs every session's script in threads of one Python interpreter, so the GIL caps
it near one busy core however many users wait (``bench/bench_load.py``: ``server_cores_busy`` near 1).
More users on more cores need more processes: ``N`` Streamlit workers on ports ``PORT+1 .. PORT+N``
over the same store, and a reverse proxy on ``PORT`` in front of them. The store is opened read-only
by every worker (DuckDB allows many reading processes); the board's accounts and posts live in their
own file, opened per operation with a short retry on the writer lock, so any worker may write them.

A Streamlit session is a websocket bound to the process that holds its state (session state, uploaded
files, download buttons' media), so the proxy must keep a browser on one worker: *sticky sessions*.
The configurations below route by a cookie (``cm_route``): a browser without it is given a random
value on its first response, the same value that chose its worker, and keeps it; the websocket upgrade
headers are passed through. The proxy also sends the app's own pages a Content-Security-Policy header
(:data:`PAGE_POLICY`), which Streamlit itself cannot set.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

#: Header policy of the app's pages, sent by the proxy: images and connections (the websocket included,
#: ``'self'`` covers ``ws:``/``wss:`` to the same host) only to the app's server or in-document data.
#: Scripts and styles stay as Streamlit needs them; the map iframe adds its own stricter policy
#: (:mod:`cluster_map.maps.csp`).
PAGE_POLICY: Final = (
    "img-src 'self' data: blob:; connect-src 'self' data: blob:; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'self'"
)
#: The cookie that keeps a browser on its worker.
ROUTE_COOKIE: Final = "cm_route"


def worker_ports(port: int, workers: int) -> tuple[int, ...]:
    """Ports of ``workers`` app processes behind a proxy on ``port``: ``port+1 .. port+workers``."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers!r}")
    return tuple(range(port + 1, port + 1 + workers))


def nginx_site(*, port: int, workers: Sequence[int], listen: str = "127.0.0.1") -> str:
    """The ``http {}`` part of an nginx configuration (e.g. ``/etc/nginx/conf.d/cluster_map.conf``)."""
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=0;" for p in workers)
    return f"""# Cluster Map: {len(workers)} Streamlit workers behind nginx, sticky by cookie (websocket affinity)
map $http_upgrade $cm_connection {{
    default upgrade;
    ''      '';
}}
map $cookie_{ROUTE_COOKIE} $cm_route {{
    ''      $request_id;
    default $cookie_{ROUTE_COOKIE};
}}
upstream cluster_map {{
    hash $cm_route consistent;
{servers}
    keepalive 32;
}}
server {{
    listen {listen}:{port};
    client_max_body_size 200m;
    location / {{
        proxy_pass http://cluster_map;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $cm_connection;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_read_timeout 1d;
        proxy_buffering off;
        add_header Set-Cookie "{ROUTE_COOKIE}=$cm_route; Path=/; HttpOnly; SameSite=Lax" always;
        add_header Content-Security-Policy "{PAGE_POLICY}" always;
    }}
}}
"""


def nginx_standalone(*, port: int, workers: Sequence[int], prefix: Path, listen: str = "127.0.0.1") -> str:
    """A complete nginx configuration that runs unprivileged from ``prefix`` (``nginx -p PREFIX -c FILE``)."""
    temp = "\n".join(
        f"    {k}_temp_path {prefix / k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    site = "\n".join(
        f"    {line}" if line else ""
        for line in nginx_site(port=port, workers=workers, listen=listen).splitlines()
    )
    return f"""worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{
    worker_connections 4096;
}}
http {{
    access_log off;
{temp}
{site}
}}
"""


def caddyfile(*, port: int, workers: Sequence[int], listen: str = "127.0.0.1") -> str:
    """The same set-up for Caddy 2 (sticky by Caddy's own ``lb_policy cookie``)."""
    upstreams = " ".join(f"127.0.0.1:{p}" for p in workers)
    return f"""http://{listen}:{port} {{
    header Content-Security-Policy "{PAGE_POLICY}"
    reverse_proxy {upstreams} {{
        lb_policy cookie {ROUTE_COOKIE}
        flush_interval -1
    }}
}}
"""
