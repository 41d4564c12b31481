"""Odd but valid files keep every item; files coopcli does not understand are refused.

A BOM, CRLF line endings, no final newline, an empty file, a 1 MB summary and text
from every Unicode plane are all read and written back without losing anything.
Unknown keys and newer versions stop every command, writers included, with a
message saying why, and the file is left as it was.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopcli.core.models import NewsFile
from coopcli.storage.store import Store
from tests.conftest import EXAMPLES, Run

ODD: dict[str, Callable[[bytes], bytes]] = {
    "bom": lambda data: b"\xef\xbb\xbf" + data,
    "crlf": lambda data: data.replace(b"\n", b"\r\n"),
    "no-final-newline": lambda data: data.rstrip(b"\n"),
    "bom-crlf-no-final-newline": lambda data: (
        b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n").rstrip(b"\r\n")
    ),
}

#: One character from each of Unicode's 17 planes (planes 3 to 13 are mostly
#: unassigned, but every scalar value there is valid text to store).
EVERY_PLANE = "".join(chr(plane * 0x10000 + 0x4E2D) for plane in range(17))


def _use(path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COOPCLI_FILE", str(path))
    return path


@pytest.mark.parametrize("suffix", [".toml", ".json"])
@pytest.mark.parametrize("odd", sorted(ODD))
def test_odd_but_valid_files_keep_every_item(
    run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, odd: str
) -> None:
    path = _use(isolated / f"news{suffix}", monkeypatch)
    original = (EXAMPLES / f"news{suffix}").read_bytes()
    path.write_bytes(ODD[odd](original))
    expected = Store(EXAMPLES / f"news{suffix}").load()
    assert Store(path).load() == expected
    assert len(run("list").stdout.splitlines()) == 10
    assert run("add", "-t", "news", "--title", "New", "--date", "2021-11-01").exit_code == 0
    after = Store(path).load()
    assert after.items[:10] == expected.items
    assert [i.title for i in after.items[10:]] == ["New"]
    # The odd bytes are what the backup keeps.
    assert Path(f"{path}.bak").read_bytes() == ODD[odd](original)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
@pytest.mark.parametrize("content", [b"", b"\n", b"\xef\xbb\xbf", b"  \r\n"])
def test_empty_file_is_an_empty_list(
    run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, content: bytes
) -> None:
    path = _use(isolated / f"news{suffix}", monkeypatch)
    path.write_bytes(content)
    result = run("list")
    assert (result.exit_code, result.stdout) == (0, "")
    assert run("add", "-t", "news", "--title", "A", "--date", "2021-11-01").exit_code == 0
    assert [i.title for i in Store(path).load().items] == ["A"]


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_a_one_megabyte_summary(
    run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    path = _use(isolated / f"news{suffix}", monkeypatch)
    # Far beyond the default limit add accepts, which the config can raise.
    config = isolated / "home" / ".config" / "coopcli" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[limits]\nsummary = 2000000\n")
    summary = ("Ünïcode, quotes \" ' and \\ backslashes; " * 30_000)[:1_000_000].strip()
    added = run("add", "-t", "news", "--title", "Long", "--date", "2021-11-01", "-s", summary)
    assert added.exit_code == 0
    run("add", "-t", "news", "--title", "Short", "--date", "2021-11-02")
    run("edit", "2021-11-02", "--title", "Short, edited")
    shown = json.loads(run("show", added.stdout.strip(), "--format", "json").stdout)
    assert shown["summary"] == summary
    assert Store(path).load().items[0].summary == summary


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_every_unicode_plane(
    run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    path = _use(isolated / f"news{suffix}", monkeypatch)
    title = f"Plane test {EVERY_PLANE}"
    added = run("add", "-t", "news", "--title", title, "--date", "2021-11-01", "--tag", "zh")
    assert added.exit_code == 0
    run("edit", added.stdout.strip(), "--summary", EVERY_PLANE)
    item = Store(path).load().items[0]
    assert (item.title, item.summary) == (title, EVERY_PLANE)
    assert EVERY_PLANE in path.read_text(encoding="utf-8")  # stored as text, not escapes
    shown = json.loads(run("show", added.stdout.strip(), "--format", "json").stdout)
    assert shown["title"] == title


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30).filter(
    lambda text: text.strip() == text
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(title=TEXT, summary=TEXT, suffix=st.sampled_from([".toml", ".json"]))
def test_any_text_survives_a_save(isolated: Path, title: str, summary: str, suffix: str) -> None:
    path = isolated / f"any{suffix}"
    path.unlink(missing_ok=True)
    store = Store(path)
    with store.transaction() as doc:
        doc.items.append(
            NewsFile.model_validate(
                {
                    "items": [
                        {
                            "id": "x",
                            "type": "news",
                            "title": title,
                            "date": "2021-10-01",
                            "summary": summary,
                        }
                    ]
                }
            ).items[0]
        )
    (item,) = store.load().items
    assert (item.title, item.summary) == (title, summary)


ITEM_TOML = '[[items]]\nid = "a"\ntype = "news"\ntitle = "A"\ndate = 2021-10-01\n'
WRITERS = [
    ("add", "-t", "news", "--title", "B", "--date", "2021-11-01"),
    ("edit", "a", "--title", "Changed"),
    ("remove", "a", "--yes"),
    ("restore-backup", "--yes"),
]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            ITEM_TOML + 'colour = "red"\n',
            "{p}:1: items[0]: unknown field 'colour' (from a newer coopcli, or a typo? "
            "refusing the file rather than dropping it)",
        ),
        (
            'colour = "red"\n' + ITEM_TOML,
            "{p}: unknown field 'colour' (from a newer coopcli, or a typo? "
            "refusing the file rather than dropping it)",
        ),
        (
            "version = 2\n" + ITEM_TOML + 'colour = "red"\n',
            "{p}: version: file version 2 is newer than this coopcli understands (up to 1); "
            "upgrade coopcli",
        ),
    ],
    ids=["item-key", "top-level-key", "newer-version"],
)
@pytest.mark.parametrize("command", [("list",), *WRITERS], ids=lambda c: c[0])
def test_files_coopcli_does_not_understand_are_refused(
    run: Run, news_file: Path, content: str, message: str, command: tuple[str, ...]
) -> None:
    news_file.write_text(content)
    shutil.copy(news_file, f"{news_file}.bak")  # so restore-backup has one to look at
    result = run(*command)
    assert result.exit_code == 1
    if command[0] == "restore-backup":
        assert result.stderr == (
            f"Error: {message.format(p=f'{news_file}.bak')}; "
            "the backup is not a valid item file, not restoring it\n"
        )
    else:
        assert result.stderr == f"Error: {message.format(p=news_file)}\n"
    assert news_file.read_text() == content
    assert sorted(p.name for p in news_file.parent.iterdir() if p.name.startswith(".")) == []
