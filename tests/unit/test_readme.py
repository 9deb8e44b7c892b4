"""The README's configuration table is the one derived from the settings classes."""

from __future__ import annotations

from pathlib import Path

from mail2task.config import markdown_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_configuration_table_is_current() -> None:
    text = README.read_text()
    start, end = "<!-- config-table:start -->\n", "<!-- config-table:end -->"
    assert start in text
    assert end in text
    table = text.split(start, 1)[1].split(end, 1)[0].strip()
    assert table == markdown_table(), "README configuration table is stale: run scripts/config-table"


def test_readme_shows_the_two_commands() -> None:
    text = README.read_text()
    assert "make run" in text
    assert "make test" in text
