"""Output for people and for programs: colour rules, plain pipes, data apart from messages."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopcli.cli import render
from coopcli.cli.render import OutputFormat
from coopcli.core.models import Item
from coopcli.core.view import to_json
from tests import strategies
from tests.conftest import Run

_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colour_codes(text: str) -> set[int]:
    """The SGR colour parameters (foreground or background) used in ``text``."""
    found: set[int] = set()
    for params in _SGR.findall(text):
        for part in filter(None, params.split(";")):
            code = int(part)
            if 30 <= code <= 49 or 90 <= code <= 107:
                found.add(code)
    return found


def test_force_color_colours_a_table_even_in_a_pipe(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    result = run("list", "-n", "2", "--format", "table")
    assert colour_codes(result.stdout)
    # Tab-separated lines stay plain whatever FORCE_COLOR says: they are for programs.
    assert "\x1b" not in run("list", "-n", "2").stdout
    assert "\x1b" not in run("show", "2021-10-13").stdout


def test_no_color_wins_over_force_color(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    result = run("list", "-n", "2", "--format", "table")
    assert "2021-10-29-ilo-sheds-light-upon" in result.stdout
    assert colour_codes(result.stdout) == set()


def test_a_table_in_a_pipe_has_no_escape_codes(run: Run, seeded: Path) -> None:
    result = run("list", "-n", "2", "--format", "table")
    assert "\x1b" not in result.stdout
    assert "─" in result.stdout  # box drawing, since a table was asked for


def test_json_into_a_pipe_is_only_json(
    run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COOPCLI_FILE")
    default = isolated / "home" / ".local" / "share" / "coopcli" / "news.toml"
    result = run("list", "--format", "json")
    assert json.loads(result.stdout) == []
    assert result.stderr == (
        f"{default} does not exist yet; `coopcli init` or `coopcli add` creates it.\n"
    )


def test_jsonl_is_one_object_per_line(run: Run, seeded: Path) -> None:
    lines = run("list", "--format", "jsonl", "-n", "3").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [
        "2021-10-29-ilo-sheds-light-upon",
        "2021-10-28-ilo-country-briefs",
        "2021-10-28-sung-ho-kim",
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=st.lists(st.integers(0, 3).flatmap(strategies.items), max_size=6),
    cuts=st.lists(st.integers(0, 6), max_size=4),
    fmt=st.sampled_from([OutputFormat.json, OutputFormat.jsonl, OutputFormat.tsv]),
    status_column=st.booleans(),
)
def test_items_written_in_batches_are_the_bytes_of_all_at_once(
    items: list[Item],
    cuts: list[int],
    fmt: OutputFormat,
    status_column: bool,
) -> None:
    at = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.timezone.utc)
    edges = [0, *sorted(min(cut, len(items)) for cut in cuts), len(items)]
    batches = [items[a:b] for a, b in itertools.pairwise(edges)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        render.print_batches(batches, fmt, at=at, status_column=status_column)
    written = out.getvalue()
    # What the output was before batches: the whole list in one call.
    rows = []
    for item in items:
        data = to_json(item)
        if status_column:
            data["status"] = render._status(item, at)
        rows.append(data)
    if fmt is OutputFormat.json:
        assert written == json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    elif fmt is OutputFormat.jsonl:
        assert written == "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    else:
        assert written.splitlines() == [
            "\t".join(
                [item.id, item.date.isoformat(), item.type, " ".join(item.title.split())]
                + ([row["status"]] if status_column else [])
            )
            for item, row in zip(items, rows, strict=True)
        ]
