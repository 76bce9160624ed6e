"""Weak and common passwords are refused with a reason in Chinese; hashes are argon2id and never the password."""

import pytest

from dashboard.core import roles
from dashboard.state import accounts


@pytest.mark.parametrize(
    "password, reason",
    [
        ("Ab#1234", "至少 10 位"),
        ("abcdefghijkl", "至少三类"),
        ("abcdefgh1234", "至少三类"),
        ("Password123!", "过于常见"),
        ("Qwertyuiop1!", "过于常见"),
        ("Woaini1314!!", "过于常见"),
        ("Xiaoming#2024", "不能包含用户名"),
        ("Aaaa1111!!!!", "重复字符"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, reason):
    assert reason in accounts.weak_password_reason(password, "xiaoming")


@pytest.mark.parametrize("password", ["Xiang#Jiang2024", "Lead#2024demo", "7 horses eat Hay!"])
def test_strong_passwords_pass(password):
    assert accounts.weak_password_reason(password, "xiaoming") is None


def test_the_minimum_length_is_a_setting(monkeypatch):
    monkeypatch.setenv("COCKPIT_PASSWORD_MIN_LENGTH", "16")
    assert "至少 16 位" in accounts.weak_password_reason("Xiang#Jiang2024")


def test_a_hash_is_argon2id_salted_and_verifies_only_its_password():
    first, second = accounts.hash_password("Xiang#Jiang2024"), accounts.hash_password("Xiang#Jiang2024")
    assert first.startswith("$argon2id$") and first != second and "Xiang" not in first
    assert accounts._hash_cost(first, "Xiang#Jiang2024") and not accounts._hash_cost(first, "Xiang#Jiang2025")
    assert not accounts._hash_cost("not a hash", "Xiang#Jiang2024")


@pytest.mark.parametrize(
    "role, permission, allowed",
    [
        ("领导", "export", False),
        ("分析", "export", True),
        ("经办", "work_tickets", True),
        ("经办", "review_tickets", False),
        ("审核", "review_tickets", True),
        ("管理员", "admin", True),
        ("分析", "admin", False),
    ],
)
def test_roles_grant_their_permissions_only(role, permission, allowed):
    from dashboard.core.scope import User

    assert roles.may(User("u", "u", role, "430000"), permission) is allowed
    assert roles.may(None, permission) is False
