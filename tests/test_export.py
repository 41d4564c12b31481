"""``coopcli export``: the item-file document, filtered, to stdout or a file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from tests.conftest import EXAMPLES, Run


def test_export_json_is_the_document(run: Run, seeded: Path) -> None:
    result = run("export", "--format", "json")
    assert result.exit_code == 0
    assert result.stdout == (EXAMPLES / "news.json").read_text(encoding="utf-8")


def test_export_toml_is_the_file(run: Run, seeded: Path) -> None:
    result = run("export", "--format", "toml")
    assert result.stdout == seeded.read_text(encoding="utf-8")


def test_export_with_filters(run: Run, seeded: Path) -> None:
    data = json.loads(run("export", "-F", "json", "--type", "spotlight").stdout)
    assert data["title"] == "News, stories and statements on cooperatives"
    assert [item["id"] for item in data["items"]] == ["2021-10-28-sung-ho-kim"]


def test_export_to_file_guesses_format(run: Run, seeded: Path, isolated: Path) -> None:
    out = isolated / "out.toml"
    result = run("export", "--output", str(out), "--since", "2021-10-26")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"Wrote 5 items to {out} (toml)\n"
    assert len(tomllib.loads(out.read_text())["items"]) == 5


def test_export_unknown_format(run: Run, seeded: Path) -> None:
    result = run("export", "--format", "docx")
    assert result.exit_code == 2
    assert "unknown format 'docx' (choose from: toml, json" in result.stderr


def test_export_default_is_json(run: Run, seeded: Path) -> None:
    assert json.loads(run("export").stdout)["version"] == 1
