"""``cluster-map serve --open``: a browser is opened once the app answers, or one line says there is none."""

from __future__ import annotations

import http.server
import threading
import webbrowser
from collections.abc import Iterator

import pytest

from cluster_map.cli import serve
from cluster_map.cli.main import app


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200 if self.path == "/_stcore/health" else 404)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def health_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class _Browser:
    def __init__(self) -> None:
        self.urls: list[str] = []

    def open(self, url: str) -> bool:
        self.urls.append(url)
        return True


def test_opens_the_browser_once_the_app_answers(health_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    browser = _Browser()
    monkeypatch.setattr(webbrowser, "get", lambda *a: browser)
    lines: list[str] = []
    assert serve.open_when_ready(health_url, echo=lines.append) is True
    assert browser.urls == [health_url]
    assert lines == [f"Opened {health_url} in the web browser."]


def test_says_so_when_there_is_no_browser(health_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def none(*a: object) -> None:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", none)
    lines: list[str] = []
    assert serve.open_when_ready(health_url, echo=lines.append) is False
    assert lines == [f"--open: no web browser found on this machine; open {health_url} yourself."]


def test_no_browser_when_the_app_never_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    browser = _Browser()
    monkeypatch.setattr(webbrowser, "get", lambda *a: browser)
    lines: list[str] = []
    assert serve.open_when_ready("http://127.0.0.1:9", timeout=0.5, echo=lines.append) is False
    assert browser.urls == []
    assert "did not answer" in lines[0]


def test_serve_has_the_open_option() -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--open" in result.output
