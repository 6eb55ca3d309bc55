"""The protocol-level load generator (``bench/bench_load.py``) against the real app: catches protocol drift.

Two websocket sessions open the Map page over the mirror store and each changes the metric once, the
way ``bench_load`` users do; a Streamlit upgrade that changes the handshake, the rerun message, the
widget protos or the ``st_folium`` delta makes this fail before the load figures go silently wrong.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.bench_load import (
    METRIC_LABEL,
    METRICS,
    ROOT,
    MessageCache,
    ProtocolSession,
    Run,
    config_flags,
    free_port,
    start,
    stop,
)


@pytest.fixture(scope="module")
def server(mirror_store: Path) -> Iterator[str]:
    port = free_port()
    proc = start(ROOT / "app.py", mirror_store, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


async def _user(base: str, sector: str, metric: str) -> tuple[Run, Run, ProtocolSession]:
    s = ProtocolSession(base)
    try:
        opened = await s.open(f"sector={sector}")
        assert set(METRICS) <= set(s.widget(METRIC_LABEL).options)
        changed = await s.change(METRIC_LABEL, metric)
    finally:
        await s.close()
    return opened, changed, s


#: The metric each of the two users chooses, and what the app then writes to the URL.
WRITTEN = {"Employment": "metric=employment", "Cluster stars": "metric=stars"}


async def _two(base: str) -> list[tuple[Run, Run, ProtocolSession]]:
    return list(
        await asyncio.gather(
            *(_user(base, sector, metric) for sector, metric in zip(("C29", "C10"), WRITTEN, strict=True))
        )
    )


@pytest.mark.mirror
def test_two_protocol_sessions_change_the_metric(server: str) -> None:
    for (opened, changed, s), metric in zip(asyncio.run(_two(server)), WRITTEN, strict=True):
        assert opened.status == "FINISHED_SUCCESSFULLY", opened
        assert opened.errors == [] and opened.paint is not None
        assert changed.status == "FINISHED_SUCCESSFULLY", changed
        assert changed.errors == []
        assert changed.paint is not None and changed.paint != opened.paint  # the map was repainted
        assert WRITTEN[metric] in s.query.split("&")  # the client follows the URL the app writes


def test_message_cache_drops_entries_unused_for_more_than_max_age_runs() -> None:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    cache = MessageCache()
    msg = ForwardMsg(hash="h1")
    msg.metadata.cacheable = True
    cache.keep(msg, msg.SerializeToString())
    cache.run_finished(2)
    cache.run_finished(2)
    assert cache.hashes() == ["h1"]
    assert cache.get("h1") is not None  # a hit refreshes the entry
    for _ in range(3):
        cache.run_finished(2)
    assert cache.hashes() == []


def test_config_flags_pass_streamlit_options_on_the_command_line() -> None:
    assert config_flags(["runner.postScriptGC=true"]) == ["--runner.postScriptGC", "true"]
