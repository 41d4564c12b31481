"""Many editors, one list: real git repositories, with and without the merge driver."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, Run

pytestmark = pytest.mark.slow


@pytest.fixture
def repo(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding the example list as news.toml, committed on main."""
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Editor")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "editor@example.org")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    root = isolated / "site"
    root.mkdir()
    git(root, "-c", "init.defaultBranch=main", "init", "-q")
    shutil.copy(EXAMPLES / "news.toml", root / "news.toml")
    monkeypatch.setenv("COOPCLI_FILE", str(root / "news.toml"))
    monkeypatch.chdir(root)
    return root


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=check, timeout=60
    )


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def ids(run: Run) -> list[str]:
    return [line.split("\t")[0] for line in run("list", "--format", "tsv").stdout.splitlines()]


def two_editors_add_on_the_same_day(run: Run, root: Path) -> None:
    """Each branch adds an item dated 2021-11-02: both land at the end of the file."""
    git(root, "checkout", "-q", "-b", "colleague")
    run("add", "-t", "news", "--title", "Cooperatives and COP26", "-d", "2021-11-02")
    commit(root, "colleague adds an item")
    git(root, "checkout", "-q", "main")
    run("add", "-t", "statement", "--title", "Statement on housing", "-d", "2021-11-02")
    commit(root, "main adds an item")


def test_two_editors_adding_on_the_same_day_conflict_without_the_driver(
    run: Run, repo: Path
) -> None:
    commit(repo, "the list")
    two_editors_add_on_the_same_day(run, repo)
    merged = git(repo, "merge", "colleague", "-m", "merge", check=False)
    assert merged.returncode == 1
    assert "CONFLICT (content): Merge conflict in news.toml" in merged.stdout
    assert "<<<<<<<" in (repo / "news.toml").read_text()


def test_two_editors_adding_on_the_same_day_merge_cleanly_with_the_driver(
    run: Run, repo: Path
) -> None:
    assert run("git-setup").exit_code == 0
    commit(repo, "the list, merged by coopcli")
    two_editors_add_on_the_same_day(run, repo)
    merged = git(repo, "merge", "colleague", "-m", "merge")
    assert (
        "coopcli merged news.toml item by item: 2 added (1 by ours, 1 by theirs), "
        "0 changed, 0 removed"
    ) in merged.stderr
    assert git(repo, "status", "--porcelain").stdout == ""
    assert sorted(ids(run)[:2]) == ["2021-11-02-cooperatives", "2021-11-02-statement-on-housing"]
    assert len(ids(run)) == 12
    # The merge commit changes only the lines of the item it brought in.
    diff = git(repo, "diff", "HEAD^1", "HEAD").stdout
    assert [line for line in diff.splitlines() if line.startswith(("+", "-"))][2:] == [
        "+[[items]]",
        '+id = "2021-11-02-cooperatives"',
        '+type = "news"',
        '+title = "Cooperatives and COP26"',
        "+date = 2021-11-02",
        "+",
    ]
    assert run("check").exit_code == 0


def test_an_edit_on_one_side_and_a_removal_on_the_other(run: Run, repo: Path) -> None:
    run("git-setup")
    commit(repo, "the list")
    git(repo, "checkout", "-q", "-b", "colleague")
    run("remove", "2021-10-22", "--yes")
    commit(repo, "colleague removes the UNTFSSE item")
    git(repo, "checkout", "-q", "main")
    run("edit", "2021-10-22", "--url", "https://unsse.org/meeting-37")
    commit(repo, "main adds a link")
    merged = git(repo, "merge", "colleague", "-m", "merge", check=False)
    assert merged.returncode == 1
    assert "item 2021-10-22-un-task-force: edited on one side, removed on the other" in (
        merged.stderr
    )
    # The file loads as it is: the edited version is still there.
    shown = run("show", "2021-10-22", "--format", "json")
    assert json.loads(shown.stdout)["url"] == "https://unsse.org/meeting-37"
    assert "<<<<<<<" not in (repo / "news.toml").read_text()
    # Settling it is an ordinary commit.
    git(repo, "add", "news.toml")
    git(repo, "commit", "-q", "--no-edit")
    assert git(repo, "status", "--porcelain").stdout == ""


def test_a_true_conflict_leaves_a_readable_file_and_theirs_beside_it(run: Run, repo: Path) -> None:
    run("git-setup")
    commit(repo, "the list")
    git(repo, "checkout", "-q", "-b", "colleague")
    run("edit", "2021-10-28-sung", "--title", "Sung Ho Kim, KFCC")
    commit(repo, "colleague shortens the title")
    git(repo, "checkout", "-q", "main")
    run("edit", "2021-10-28-sung", "--title", "Sung Ho Kim (KFCC)", "--tag", "korea")
    commit(repo, "main shortens the title too")
    merged = git(repo, "merge", "colleague", "-m", "merge", check=False)
    assert merged.returncode == 1
    assert "    ours:   'Sung Ho Kim (KFCC)'\n    theirs: 'Sung Ho Kim, KFCC'\n" in merged.stderr
    assert git(repo, "status", "--porcelain").stdout == "UU news.toml\n"
    shown = json.loads(run("show", "2021-10-28-sung", "--format", "json").stdout)
    assert (shown["title"], shown["tags"]) == ("Sung Ho Kim (KFCC)", ["korea"])
    conflict = (repo / "news.toml.conflict").read_text()
    assert 'title = "Sung Ho Kim, KFCC"' in conflict
    assert conflict.startswith("version = 1\n\n[[items]]\n")
    # The conflict file is ignored: `git add -A` settles the merge without it.
    commit(repo, "merge")
    assert "news.toml.conflict" not in git(repo, "ls-files").stdout


def test_json_files_merge_with_the_driver(
    run: Run, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "news.toml").unlink()
    shutil.copy(EXAMPLES / "news.json", repo / "news.json")
    monkeypatch.setenv("COOPCLI_FILE", str(repo / "news.json"))
    run("git-setup")
    commit(repo, "the list")
    two_editors_add_on_the_same_day(run, repo)
    merged = git(repo, "merge", "colleague", "-m", "merge")
    assert "coopcli merged news.json item by item" in merged.stderr
    assert len(json.loads((repo / "news.json").read_text())["items"]) == 12
    assert run("check").exit_code == 0


def test_ids_colliding_on_both_branches_are_renamed_not_dropped(run: Run, repo: Path) -> None:
    run("git-setup")
    commit(repo, "the list")
    git(repo, "checkout", "-q", "-b", "colleague")
    run("add", "-t", "news", "--title", "Webinar on SSE", "-d", "2021-11-02", "-s", "Theirs.")
    commit(repo, "colleague")
    git(repo, "checkout", "-q", "main")
    run("add", "-t", "news", "--title", "Webinar on SSE finance", "-d", "2021-11-02")
    commit(repo, "main")
    merged = git(repo, "merge", "colleague", "-m", "merge")
    assert "theirs' new item 2021-11-02-webinar-on-sse is now" in merged.stderr
    assert sorted(ids(run)[:2]) == ["2021-11-02-webinar-on-sse", "2021-11-02-webinar-on-sse-2"]


def test_git_setup_is_idempotent_and_explains(run: Run, repo: Path) -> None:
    first = run("git-setup")
    assert first.exit_code == 0
    assert first.stdout == ""
    assert "done: .gitattributes: added `/news.toml merge=coopcli`" in first.stderr
    assert "Commit .gitattributes and .gitignore" in first.stderr
    files = {name: (repo / name).read_text() for name in (".gitattributes", ".gitignore")}
    assert files[".gitattributes"] == "/news.toml merge=coopcli\n"
    assert files[".gitignore"] == (
        "# coopcli's side files of news.toml\n"
        "/news.toml.bak\n/news.toml.lock\n/news.toml.conflict\n/.news.toml.*\n"
    )
    driver = git(repo, "config", "merge.coopcli.driver").stdout.strip()
    assert driver.endswith(" -m coopcli merge-file %O %A %B --path %P")
    assert driver.startswith(sys.executable) or driver.startswith(f"'{sys.executable}'")
    again = run("git-setup")
    assert again.exit_code == 0
    assert again.stderr.count("  ok:   ") == 4
    assert "Nothing to do: already set up." in again.stderr
    assert {name: (repo / name).read_text() for name in files} == files


def test_git_setup_ignores_every_side_file(run: Run, repo: Path) -> None:
    run("git-setup")
    for name in ("news.toml.bak", "news.toml.lock", "news.toml.conflict", ".news.toml.x1.tmp"):
        (repo / name).write_text("x")
    commit(repo, "everything")
    assert sorted(git(repo, "ls-files").stdout.split()) == [
        ".gitattributes",
        ".gitignore",
        "news.toml",
    ]


def test_git_setup_for_a_file_in_a_subdirectory_with_odd_characters(run: Run, repo: Path) -> None:
    (repo / "data dir").mkdir()
    target = repo / "data dir" / "news[1].toml"
    shutil.move(repo / "news.toml", target)
    (repo / ".gitattributes").write_text("*.png binary")  # no final newline
    assert run("--file", str(target), "git-setup").exit_code == 0
    check_attr = git(repo, "check-attr", "merge", "--", "data dir/news[1].toml").stdout
    assert check_attr.strip().endswith("merge: coopcli")
    assert (repo / ".gitattributes").read_text().startswith("*.png binary\n")
    (repo / "data dir" / "news[1].toml.bak").write_text("x")
    ignored = git(repo, "check-ignore", "data dir/news[1].toml.bak").stdout
    assert ignored.strip() == "data dir/news[1].toml.bak"
    assert git(repo, "check-ignore", "data dir/news1.toml.bak", check=False).returncode == 1
    again = run("--file", str(target), "git-setup")
    assert "Nothing to do" in again.stderr


def test_git_setup_outside_a_repository_is_a_clean_error(run: Run, news_file: Path) -> None:
    result = run("git-setup")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {news_file.parent} is not in a git repository "
        "(run `git init` there first, or give --file inside one)\n"
    )


def test_git_setup_for_a_file_in_a_missing_directory(run: Run, repo: Path) -> None:
    result = run("--file", str(repo / "nope" / "news.toml"), "git-setup")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {repo / 'nope'}: no such directory\n"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (".gitattributes", "cannot write: Is a directory"),
        (".gitignore", "cannot read: Is a directory"),
    ],
)
def test_git_setup_reports_files_it_cannot_change(
    run: Run, repo: Path, name: str, message: str
) -> None:
    (repo / name).mkdir()
    result = run("git-setup")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {repo / name}: {message}\n"
