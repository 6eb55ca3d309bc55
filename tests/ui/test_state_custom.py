"""The custom region in the URL: encoded, decoded (normalised), and a bad one warned about, never raised."""

from __future__ import annotations

from cluster_map.ui.state import Filters, decode, encode


def test_custom_round_trip() -> None:
    f = Filters(page="region", custom="Øresund=DK01,SE22")
    assert encode(f)["custom"] == "Øresund=DK01,SE22"
    back, warnings = decode(encode(f))
    assert back.custom == f.custom and warnings == []


def test_custom_is_normalised_and_omitted_when_empty() -> None:
    back, _ = decode({"custom": " Øresund = dk01 ,SE22"})
    assert back.custom == "Øresund=DK01,SE22"
    assert "custom" not in encode(Filters())


def test_bad_custom_warns() -> None:
    back, warnings = decode({"custom": "<script>=x-y"})
    assert back.custom == "" and len(warnings) == 1 and "Custom region" in warnings[0]
