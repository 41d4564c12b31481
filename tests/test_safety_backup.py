"""``<file>.bak`` holds the previous version byte for byte; ``restore-backup`` swaps it back.

Also: the file's permission bits are kept, and a symlinked file stays a link whose
target is updated (with the backup and the lock beside the target).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coopcli.cli import context as cliutil
from coopcli.storage.store import Store
from tests.conftest import EXAMPLES, Run

CHANGES = [
    ("add", "-t", "news", "--title", "Appended", "--date", "2021-11-01"),
    ("add", "-t", "news", "--title", "Inserted", "--date", "2021-01-01"),
    ("edit", "2021-10-13", "--title", "Edited"),
    ("remove", "2021-10-13", "--yes"),
]


@pytest.fixture(params=["toml", "json"])
def item_file(
    request: pytest.FixtureRequest,
    seeded: Path,
    seeded_json: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """The seeded item file in each format (made the default file)."""
    path = seeded if request.param == "toml" else seeded_json
    monkeypatch.setenv("COOPCLI_FILE", str(path))
    return path


def _bak(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def test_backup_is_the_previous_version_byte_for_byte(run: Run, item_file: Path) -> None:
    # A hand-edited first version (CRLF) shows the copy is of bytes, not of items.
    item_file.write_bytes(item_file.read_bytes().replace(b"\n", b"\r\n"))
    run("list")
    for command in CHANGES:
        before = item_file.read_bytes()
        result = run(*command)
        assert result.exit_code == 0, (command, result.output)
        assert _bak(item_file).read_bytes() == before, command
        assert item_file.read_bytes() != before


def test_restore_backup_swaps_the_two(run: Run, item_file: Path) -> None:
    first = item_file.read_bytes()
    run("add", "-t", "news", "--title", "Regretted", "--date", "2021-11-01")
    second = item_file.read_bytes()
    result = run("restore-backup", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"Restored {item_file} from its backup (10 items); "
        f"the replaced version is now {_bak(item_file)}\n"
    )
    assert (item_file.read_bytes(), _bak(item_file).read_bytes()) == (first, second)
    # Reading commands see the restored version (the index is not stale).
    assert "Regretted" not in run("list").stdout
    run("restore-backup", "--yes")  # and again: the restore is undone
    assert (item_file.read_bytes(), _bak(item_file).read_bytes()) == (second, first)
    assert "Regretted" in run("list").stdout


def test_restore_backup_refuses_without_a_terminal(run: Run, seeded: Path) -> None:
    run("edit", "2021-10-13", "--title", "Edited")
    before = (seeded.read_bytes(), _bak(seeded).read_bytes())
    result = run("restore-backup")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: not restoring without confirmation: add --yes (no terminal to ask on)\n"
    )
    assert (seeded.read_bytes(), _bak(seeded).read_bytes()) == before


@pytest.mark.parametrize(("answer", "restored"), [("y\n", True), ("n\n", False)])
def test_restore_backup_asks_on_a_terminal(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch, answer: str, restored: bool
) -> None:
    monkeypatch.setattr(cliutil, "interactive", lambda: True)
    original = seeded.read_bytes()
    run("edit", "2021-10-13", "--title", "Edited")
    run("add", "-t", "news", "--title", "Extra", "--date", "2021-11-01")
    edited = seeded.read_bytes()
    run("remove", "2021-10-29", "--yes")
    current = seeded.read_bytes()
    result = run("restore-backup", input=answer)
    assert result.stderr.startswith(
        f"{seeded}.bak: 11 items (will become {seeded})\n"
        f"{seeded}: 10 items (will become the backup)\n"
        "  only in the backup, back after restoring: 2021-10-29-ilo-sheds-light-upon\n"
        f"Restore {seeded} from its backup? [y/N]:"
    )
    assert result.exit_code == 0
    assert seeded.read_bytes() == (edited if restored else current)
    assert original != edited
    if not restored:
        assert result.stderr.endswith("Nothing restored.\n")


def test_restore_backup_names_what_differs(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cliutil, "interactive", lambda: True)
    original = seeded.read_bytes()
    run("edit", "2021-10-13", "--title", "Edited")
    ids = [
        run("add", "-t", "news", "--title", f"New {n}", "--date", "2021-11-01").stdout.strip()
        for n in range(7)
    ]
    _bak(seeded).write_bytes(original)
    before = seeded.read_bytes()
    result = run("restore-backup", input="n\n")
    assert result.stderr.splitlines()[:4] == [
        f"{seeded}.bak: 10 items (will become {seeded})",
        f"{seeded}: 17 items (will become the backup)",
        f"  only in the file, gone after restoring: {', '.join(ids[:5])} and 2 more",
        "  different in the backup: 2021-10-13-training-by-ilo",
    ]
    assert seeded.read_bytes() == before


def test_restore_backup_without_a_backup(run: Run, seeded: Path) -> None:
    before = seeded.read_bytes()
    result = run("restore-backup", "--yes")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {seeded}.bak: no backup to restore (one is kept from the first change on)\n"
    )
    assert seeded.read_bytes() == before


def test_restore_backup_when_identical(run: Run, seeded: Path) -> None:
    _bak(seeded).write_bytes(seeded.read_bytes())
    result = run("restore-backup", "--yes")
    assert result.exit_code == 0
    assert result.stderr == f"Nothing to restore: {seeded}.bak is the same as {seeded}\n"


def test_restore_backup_repairs_a_broken_file(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = seeded.read_bytes()
    run("edit", "2021-10-13", "--title", "Edited")
    _bak(seeded).write_bytes(good)
    seeded.write_text("this is [not toml")
    assert run("list").exit_code == 1
    monkeypatch.setattr(cliutil, "interactive", lambda: True)
    result = run("restore-backup", input="y\n")
    assert f"{seeded}: not a valid item file (it becomes the backup)" in result.stderr
    assert seeded.read_bytes() == good
    assert _bak(seeded).read_text() == "this is [not toml"
    assert len(run("list").stdout.splitlines()) == 10


def test_restore_backup_when_the_file_is_gone(run: Run, seeded: Path) -> None:
    good = seeded.read_bytes()
    run("edit", "2021-10-13", "--title", "Edited")
    _bak(seeded).write_bytes(good)
    seeded.unlink()
    assert run("restore-backup", "--yes").exit_code == 0
    assert seeded.read_bytes() == good == _bak(seeded).read_bytes()


@pytest.mark.parametrize(
    "command",
    [*CHANGES[::2], ("restore-backup", "--yes")],
    ids=["append", "edit", "restore-backup"],
)
def test_mode_is_kept(run: Run, seeded: Path, command: tuple[str, ...]) -> None:
    run("edit", "2021-10-13", "--summary", "Shorter.")  # so that there is a backup
    run("list")
    seeded.chmod(0o640)
    assert run(*command).exit_code == 0
    assert seeded.stat().st_mode & 0o7777 == 0o640


@pytest.mark.parametrize(
    "command",
    [*CHANGES[::2], ("restore-backup", "--yes")],
    ids=["append", "edit", "restore-backup"],
)
def test_symlink_stays_a_link_and_its_target_is_updated(
    run: Run, isolated: Path, command: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_dir = isolated / "repo"
    real_dir.mkdir()
    target = real_dir / "news.toml"
    link = isolated / "link.toml"
    link.symlink_to(Path("repo") / "news.toml")  # a relative link, as people make them
    monkeypatch.setenv("COOPCLI_FILE", str(link))
    target.write_bytes((EXAMPLES / "news.toml").read_bytes())
    run("edit", "2021-10-13", "--summary", "Shorter.")
    run("list")
    before = target.read_bytes()
    assert run(*command).exit_code == 0
    assert link.is_symlink()
    assert link.readlink() == Path("repo") / "news.toml"
    assert target.read_bytes() != before
    assert _bak(target).read_bytes() == before
    assert sorted(p.name for p in real_dir.iterdir()) == [
        "news.toml",
        "news.toml.bak",
    ]
    assert sorted(p.name for p in isolated.iterdir() if p.name != "home") == ["link.toml", "repo"]


def test_restore_backup_that_cannot_be_read(run: Run, seeded: Path) -> None:
    _bak(seeded).mkdir()
    result = run("restore-backup", "--yes")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {seeded}.bak: cannot read: Is a directory\n"


def test_restore_backup_stops_if_the_file_changes_meanwhile(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only a process ignoring the lock could do this; the restore must not undo it.
    from coopcli.storage import backup

    run("edit", "2021-10-13", "--title", "Edited")
    real_plan = backup.plan

    def plan_then_hand_edit(store: Store) -> backup.Swap:
        swap = real_plan(store)
        seeded.write_text(seeded.read_text() + "\n# a hand edit\n")
        return swap

    monkeypatch.setattr(backup, "plan", plan_then_hand_edit)
    before_bak = _bak(seeded).read_bytes()
    result = run("restore-backup", "--yes")
    assert result.exit_code == 4
    assert result.stderr == f"Error: {seeded}: changed while restoring; nothing restored\n"
    assert seeded.read_text().endswith("# a hand edit\n")
    assert _bak(seeded).read_bytes() == before_bak
