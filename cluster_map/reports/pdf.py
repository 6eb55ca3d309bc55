"""Country report -> PDF, through the HTML renderer and WeasyPrint (no browser needed)."""

from __future__ import annotations

from cluster_map.reports.country import CountryReport
from cluster_map.reports.html import render_html


def render_pdf(report: CountryReport) -> bytes:
    """The report as PDF bytes (A4, page numbers, title page)."""
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from weasyprint.urls import URLFetcher

    html = render_html(report)
    # The document is self-contained: only data: URIs may be fetched, never the network or files.
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
