"""A user's scope is their region's subtree at the region's own level; no user or an unknown region sees nothing."""

import pytest

from dashboard.core.scope import Scope, User, scope_of


@pytest.mark.parametrize(
    "region, expected",
    [
        ("430000", Scope("430000", "province")),
        ("430100", Scope("430100", "city")),
        ("430102", Scope("430102", "county")),
        ("110101", Scope("110101", "county")),  # a 直辖市 district hangs on its province
        ("429004", Scope("429004", "city")),  # 仙桃: province-administered, a city without counties in GB/T 2260
        ("441900", Scope("441900", "city")),  # 东莞: a city without counties
        ("999999", Scope.nothing()),
        ("", Scope.nothing()),
        ("100000", Scope.nothing()),  # the country is no fiscal level of ours
    ],
)
def test_scope_of_user_region(region, expected):
    assert scope_of(User("u", "u", "分析", region)) == expected


def test_nobody_sees_nothing():
    assert scope_of(None) == Scope.nothing()
    assert scope_of(None).column is None
