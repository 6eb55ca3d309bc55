"""The Content Security Policy of map documents: a missed escape still cannot call out.

Every string from data goes through :mod:`cluster_map.maps.escape` before it reaches a map's HTML. As a
second line of defence each map document carries a ``<meta http-equiv="Content-Security-Policy">``
in its header: images, fetches, styles, fonts, frames and scripts may come only from the server that
serves the app (``'self'``) or from ``data:``/``blob:`` URLs, so an ``<img src=http://...>`` or a
``fetch`` that slipped through is refused by the browser before any request leaves the machine. A
configured tile server (``CLUSTER_MAP_TILE_URL``) is the one other origin images may come from.

In the app the map is streamlit-folium's component iframe: the component copies the folium header
(scripts with ``src`` and stylesheet links aside) into the iframe's ``<head>`` before it runs the map
script, so the policy is in force before any data-driven element is drawn. Standalone map HTML (reports,
``Map.save``) has the same element in its ``<head>``. Inline scripts and ``eval`` stay allowed:
streamlit-folium evaluates the map script and the paint that way.

Policies only add up: an injected second policy can narrow this one, never widen it.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

#: Sources every directive allows: the app's own server and in-document data.
SELF: tuple[str, ...] = ("'self'", "data:", "blob:")


def tile_origin(tiles: str | None) -> str | None:
    """The origin of a Leaflet tile URL template (``{s}`` subdomains become ``*.``), or None."""
    if not tiles or "://" not in tiles:
        return None
    parts = urlsplit(tiles.replace("{s}.", "SUBDOMAIN.").replace("{s}", "SUBDOMAIN"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.replace("SUBDOMAIN.", "*.").replace("SUBDOMAIN", "*")
    return f"{parts.scheme}://{host}"


def policy(*, tiles: str | None = None) -> str:
    """The policy text: everything from the app's server or ``data:``/``blob:``, images also from ``tiles``."""
    own = " ".join(SELF)
    images = " ".join([*SELF, *([o] if (o := tile_origin(tiles)) else [])])
    return "; ".join(
        [
            f"default-src {own}",
            f"script-src {own} 'unsafe-inline' 'unsafe-eval'",  # the component evaluates the map script
            f"style-src {own} 'unsafe-inline'",
            f"img-src {images}",
            f"connect-src {own}",
            f"font-src {own}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'none'",
        ]
    )


def meta_element(*, tiles: str | None = None) -> str:
    """The ``<meta http-equiv="Content-Security-Policy">`` element of a map document."""
    return f'<meta http-equiv="Content-Security-Policy" content="{escape(policy(tiles=tiles), quote=False)}">'
