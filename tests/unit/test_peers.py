"""Peer groups by kind or by band (the settings), the band labels, and the `?rank=` modes with their notice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dashboard.core import settings
from dashboard.core.peers import band_label, configured_group, rank_mode
from dashboard.core.regions import national_tree


def test_kind_is_the_default_grouping_and_cities_are_one_group():
    tree = national_tree()
    assert settings.get("PEER_GROUPING") == "kind"
    groups = [configured_group(tree[c]) for c in ("430102", "430181", "430121", "430100", "430000")]
    assert groups == ["市辖区", "县级市", "县", "市州", None]


@pytest.mark.parametrize(
    ("persons", "label"),
    [
        (250_000, "常住人口<30万人"),
        (300_000, "常住人口30–60万人"),
        (999_999, "常住人口60–100万人"),
        (1_200_000, "常住人口≥100万人"),
    ],
)
def test_population_bands(monkeypatch, persons, label):
    monkeypatch.setenv("COCKPIT_PEER_GROUPING", "population")
    assert configured_group(national_tree()["430102"], population=persons) == label


def test_capacity_bands_read_their_own_bounds(monkeypatch):
    monkeypatch.setenv("COCKPIT_PEER_GROUPING", "capacity")
    monkeypatch.setenv("COCKPIT_PEER_CAPACITY_BANDS", "10,40")
    county = national_tree()["430121"]
    assert configured_group(county, capacity=Decimal("2500000000")) == "综合财力10–40亿元"
    assert configured_group(county, capacity=None) is None


@pytest.mark.parametrize("text", ["", "x", "60,30", "0,10", "30,30"])
def test_bad_bands_and_groupings_are_refused_at_start_up(monkeypatch, text):
    monkeypatch.setenv("COCKPIT_PEER_POPULATION_BANDS", text)
    with pytest.raises(ValueError):
        settings.get("PEER_POPULATION_BANDS")
    monkeypatch.setenv("COCKPIT_PEER_GROUPING", "size" + text)
    with pytest.raises(ValueError):
        settings.get("PEER_GROUPING")


def test_band_label_edges():
    bounds = (Decimal(30), Decimal(60))
    assert band_label(None, bounds, "常住人口", "万人") is None
    assert band_label(Decimal("29.99"), bounds, "常住人口", "万人") == "常住人口<30万人"
    assert band_label(60, bounds, "常住人口", "万人") == "常住人口≥60万人"


@pytest.mark.parametrize(
    ("value", "mode", "notice"),
    [
        (None, "abs", False),
        ("", "abs", False),
        ("capita", "capita", False),
        (["peer"], "peer", False),
        ("x<1>", "abs", True),
    ],
)
def test_rank_modes(value, mode, notice):
    found, text = rank_mode(value)
    assert found == mode and (text is not None) == notice
    if notice:
        assert "排名口径" in text and "已按绝对值排名" in text
