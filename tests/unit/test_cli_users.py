"""`python -m dashboard users …` and `audit export`, in-process against the test's own state store."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from dashboard.cli import DEMO_USERS, create_demo_users, main
from dashboard.core import roles
from dashboard.state import accounts, audit

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def run(monkeypatch, capsys, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_users_add_list_disable_and_set_password(monkeypatch, capsys):
    code, _, err = run(
        monkeypatch, capsys, "users", "add", "zhang", "--role", "分析", "--region", "430100", stdin="short\n"
    )
    assert code == 2 and "密码至少" in err and accounts.get_account("zhang") is None
    code, _, err = run(
        monkeypatch, capsys, "users", "add", "zhang", "--role", "主任", "--region", "430100", stdin="Xiang#Jiang2024\n"
    )
    assert code == 2 and "角色" in err
    code, out, _ = run(
        monkeypatch,
        capsys,
        "users",
        "add",
        "zhang",
        "--name",
        "张三",
        "--role",
        "分析",
        "--region",
        "430100",
        "--unmask",
        stdin="Xiang#Jiang2024\n",
    )
    assert code == 0 and accounts.authenticate("zhang", "Xiang#Jiang2024").token
    code, out, _ = run(monkeypatch, capsys, "users", "list")
    assert "zhang\t张三\t分析\t430100\t是\t启用" in out
    assert run(monkeypatch, capsys, "users", "set-password", "zhang", stdin="Yue#Lu-Shan2025\n")[0] == 0
    assert not accounts.authenticate("zhang", "Xiang#Jiang2024").token
    assert accounts.authenticate("zhang", "Yue#Lu-Shan2025").token
    assert run(monkeypatch, capsys, "users", "disable", "zhang")[0] == 0
    assert not accounts.authenticate("zhang", "Yue#Lu-Shan2025").token
    changes = [
        (r["action"], r["username"])
        for r in reversed(audit.search())
        if r["action"] != "sign_in" and r["action"] != "sign_in_failed"
    ]
    assert [a for a, _ in changes] == ["user_added", "password_set", "user_changed"]
    assert all(u.startswith("cli:") for _, u in changes)


def test_audit_export_writes_every_row_oldest_first(monkeypatch, capsys, tmp_path):
    for page in ("/a", "/b", "/c"):
        audit.append("view", username="u", page=page)
    target = tmp_path / "audit.csv"
    code, _, err = run(monkeypatch, capsys, "audit", "export", "--user", "u", "--output", str(target))
    assert code == 0 and "3 条" in err
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["page"] for r in rows] == ["/a", "/b", "/c"] and set(rows[0]) == set(audit.AUDIT_COLUMNS)
    exported = audit.search(action="audit_export")[0]
    assert exported["rows"] == 3 and exported["username"].startswith("cli:")


def _readme_demo_users() -> list[tuple[str, str, str, str]]:
    section = README.split("### Demo users", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \| `([^`]+)` \| (\S+) \| (\d{6}) ", section, re.MULTILINE)


def test_every_demo_user_in_the_readme_signs_in_with_its_listed_password_role_and_region():
    listed = _readme_demo_users()
    assert len(listed) == len(DEMO_USERS)
    assert create_demo_users("430000") == [u[0] for u in DEMO_USERS]
    assert create_demo_users("430000") == []  # a second demo build keeps existing users (and their passwords)
    for username, password, role, region in listed:
        account = accounts.get_account(username)
        assert (account.role, account.region) == (role, region)
        assert accounts.authenticate(username, password).token, username
    levels = {len(region.rstrip("0")) for _, _, _, region in listed}
    assert levels == {2, 4, 6} and {role for _, _, role, r in listed if r == "430000"} == set(roles.ROLES)


def test_demo_users_of_another_province_are_made_at_its_level_only():
    created = create_demo_users("110000")
    assert {accounts.get_account(u).region for u in created} == {"110000"}
    assert len(created) == 5


@pytest.mark.parametrize("args", [["audit", "export", "--since", "2024-13-01"], ["users", "add", "x"]])
def test_bad_arguments_fail_before_touching_anything(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2 and audit.search() == []


def test_users_demo_makes_the_demo_users_of_the_stores_province(monkeypatch, capsys, demo_url, use_store):
    use_store(demo_url)
    code, out, _ = run(monkeypatch, capsys, "users", "demo")
    assert code == 0 and "sheng_admin" in out
    assert sorted(a.username for a in accounts.list_accounts()) == sorted(u[0] for u in DEMO_USERS)
    assert "均已存在" in run(monkeypatch, capsys, "users", "demo")[1]
