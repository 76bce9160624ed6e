"""Every setting is documented in the README and overridable from the environment."""

import re
from pathlib import Path

import pytest

from dashboard.core import settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.name)
def test_setting_is_documented_in_readme(setting):
    row = re.search(rf"^\| `{setting.name}` \| `([^`]*)` \|", README, re.MULTILINE)
    assert row, f"{setting.name} missing from the README settings table"
    assert row.group(1) == setting.default


def test_environment_overrides_default(monkeypatch):
    assert settings.get("PORT") == 8050
    monkeypatch.setenv("COCKPIT_PORT", "9000")
    assert settings.get("PORT") == 9000
    monkeypatch.setenv("COCKPIT_DEBUG", "yes")
    assert settings.get("DEBUG") is True


def test_readme_starts_with_the_two_commands():
    head = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "make run" in head and "make test" in head
