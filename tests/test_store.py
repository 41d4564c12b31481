"""The item file on disk: atomic saves, backups, modes, symlinks, odd but valid files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from coopcli.storage.store import Store
from tests.conftest import Run


def test_backup_holds_previous_version(run: Run, seeded: Path) -> None:
    before = seeded.read_bytes()
    run("add", "-t", "news", "--title", "A", "--date", "2021-11-01")
    assert Path(f"{seeded}.bak").read_bytes() == before
    middle = seeded.read_bytes()
    run("remove", "2021-11-01", "--yes")
    assert Path(f"{seeded}.bak").read_bytes() == middle


def test_no_write_when_nothing_changes(run: Run, seeded: Path) -> None:
    before = seeded.stat().st_mtime_ns
    result = run("edit", "2021-10-13", "--type", "news")
    assert result.stderr == "Changed 2021-10-13-training-by-ilo: nothing (already so)\n"
    assert seeded.stat().st_mtime_ns == before
    assert not Path(f"{seeded}.bak").exists()


def test_mode_is_kept(run: Run, seeded: Path) -> None:
    seeded.chmod(0o640)
    run("add", "-t", "news", "--title", "A", "--date", "2021-11-01")
    assert seeded.stat().st_mode & 0o777 == 0o640


def test_symlink_stays_a_link_and_target_is_updated(run: Run, isolated: Path) -> None:
    real_dir = isolated / "repo"
    real_dir.mkdir()
    target = real_dir / "news.toml"
    link = isolated / "link.toml"
    link.symlink_to(target)
    assert (
        run("add", "-t", "news", "--title", "A", "--date", "2021-11-01", "-f", str(link)).exit_code
        == 0
    )
    assert (
        run("add", "-t", "news", "--title", "B", "--date", "2021-11-02", "-f", str(link)).exit_code
        == 0
    )
    assert link.is_symlink()
    assert [i.title for i in Store(target).load().items] == ["A", "B"]
    assert (real_dir / "news.toml.bak").exists()
    assert sorted(p.name for p in real_dir.iterdir()) == [
        "news.toml",
        "news.toml.bak",
    ]


def test_no_temporary_files_left(run: Run, seeded: Path) -> None:
    run("add", "-t", "news", "--title", "A", "--date", "2021-11-01")
    assert sorted(p.name for p in seeded.parent.iterdir() if p.name.startswith(".")) == []


def test_stale_temporary_file_is_ignored_and_cleaned(run: Run, seeded: Path) -> None:
    stale = seeded.parent / f".{seeded.name}.abc123.tmp"
    stale.write_text("half a file")
    assert len(run("list").stdout.splitlines()) == 10
    assert stale.exists()
    run("add", "-t", "news", "--title", "A", "--date", "2021-11-01")
    assert not stale.exists()


@pytest.mark.parametrize(
    "transform",
    [
        lambda text: "\ufeff" + text,
        lambda text: text.replace("\n", "\r\n"),
        lambda text: text.rstrip("\n"),
    ],
    ids=["bom", "crlf", "no-final-newline"],
)
def test_odd_but_valid_files_keep_every_item(run: Run, seeded: Path, transform: object) -> None:
    text = seeded.read_text(encoding="utf-8")
    seeded.write_bytes(transform(text).encode("utf-8"))  # type: ignore[operator]
    assert len(run("list").stdout.splitlines()) == 10
    assert run("add", "-t", "news", "--title", "A", "--date", "2021-11-01").exit_code == 0
    assert len(Store(seeded).load().items) == 11


def test_empty_file_is_an_empty_list(run: Run, news_file: Path) -> None:
    news_file.write_text("")
    assert run("list").stdout == ""
    assert run("add", "-t", "news", "--title", "A", "--date", "2021-11-01").exit_code == 0
    assert len(Store(news_file).load().items) == 1


def test_labels_in_hand_edited_file_are_stored_as_keys(run: Run, news_file: Path) -> None:
    news_file.write_text(
        '[[items]]\nid = "x"\ntype = "Spotlight Interviews with Co-operators"\n'
        'title = "T"\ndate = 2021-10-01\n'
    )
    run("add", "-t", "news", "--title", "A", "--date", "2021-11-01")
    assert 'type = "spotlight"' in news_file.read_text()


def test_json_and_toml_hold_the_same_document(run: Run, isolated: Path) -> None:
    examples = Path(__file__).resolve().parent.parent / "examples"
    toml_doc = Store(examples / "news.toml").load()
    json_doc = Store(examples / "news.json").load()
    assert toml_doc == json_doc
    assert len(toml_doc.items) == 10
    assert json.loads((examples / "news.json").read_text())["version"] == 1


def test_read_does_not_create_side_files(run: Run, seeded: Path) -> None:
    run("list")
    run("show", "2021-10-13")
    assert sorted(os.listdir(seeded.parent)) == ["home", "news.toml"]
