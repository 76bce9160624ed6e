"""Pure pieces of the cockpit: where the map looks at each kind of region, rotation parsing, plain numbers."""

from decimal import Decimal

import pytest

from dashboard.core import format as fmt
from dashboard.core.drill import DrillState, rotate_seconds
from dashboard.core.regions import national_tree
from dashboard.ui import geo
from dashboard.ui.cockpit_views import map_scope
from dashboard.ui.figures.cockpit import map_view


@pytest.mark.parametrize(
    "code, parent, only",
    [
        ("430000", "430000", None),  # a province: its cities (and 省直管 counties)
        ("430100", "430100", None),  # a city: its counties
        ("430102", "430100", "430102"),  # a county: alone, inside its city's outline file
        ("441900", "440000", "441900"),  # 东莞, a city without counties: alone inside 广东
        ("429004", "420000", "429004"),  # 仙桃, a county-level city under its province
        ("110101", "110000", "110101"),  # a district of a municipality
    ],
)
def test_the_map_never_lands_on_a_missing_outline(code, parent, only):
    tree = national_tree()
    found = map_scope(tree, DrillState(code, 2024, 1, 12))
    assert found[:2] == (parent, only)
    assert geo.has_outlines(parent)
    west, south, east, north = geo.bounds(parent, only)  # the region is in that file
    assert west < east and south < north


def test_map_view_zooms_in_on_smaller_regions():
    _centre, province = map_view(geo.bounds("430000"), 800, 600)
    centre, county = map_view(geo.bounds("430100", "430102"), 800, 600)
    assert county > province + 2
    west, south, east, north = geo.bounds("430100", "430102")
    assert west < centre["lon"] < east and south < centre["lat"] < north


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("30", 30),
        ("5", 5),
        ("3600", 3600),
        ("4", 0),
        ("3601", 0),
        ("abc", 0),
        ("-10", 0),
        ("", 0),
        (None, 0),
    ],
)
def test_rotate_accepts_whole_seconds_in_range_only(text, seconds):
    assert rotate_seconds(text) == seconds


@pytest.mark.parametrize(
    "value, text",
    [
        (Decimal("1.025"), "1.03"),
        (1.0349, "1.03"),
        (Decimal("0"), "0.00"),
        (None, "—"),
    ],
)
def test_plain_numbers_round_half_up(value, text):
    assert fmt.number(value) == text
