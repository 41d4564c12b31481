"""What a new user meets in a first afternoon: nothing lost, nothing surprising.

Read-only files, a mistyped ``--file``, an output suffix that names no format, side
files, validation messages in plain words, and git conflicts in clones that never
ran ``git-setup``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, Run
from tests.procs import coopcli_process, without_root_powers

ADD = ("add", "-t", "news", "--title", "Cooperatives at COP26", "-d", "2021-11-02")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# 1. A read-only item file is never replaced ------------------------------------------

READ_ONLY_WRITES = {
    "add-append": ADD,
    "add-rewrite": ("add", "-t", "news", "--title", "An old story", "-d", "2001-01-01"),
    "edit": ("edit", "2021-10-13", "--title", "Changed"),
    "remove": ("remove", "2021-10-13", "--yes"),
    "import": ("import", "{other}"),
    "restore-backup": ("restore-backup", "--yes"),
}


@pytest.fixture
def as_user() -> list[str]:
    """A prefix that runs coopcli as a user file permissions apply to."""
    prefix = without_root_powers()
    if prefix is None:
        pytest.skip("running as root without setpriv: permissions cannot apply")
    return prefix


@pytest.mark.slow
@pytest.mark.parametrize("command", list(READ_ONLY_WRITES.values()), ids=list(READ_ONLY_WRITES))
def test_a_read_only_item_file_is_refused_by_every_write(
    run: Run, seeded: Path, as_user: list[str], command: tuple[str, ...]
) -> None:
    other = seeded.parent / "other.toml"
    other.write_text(
        'version = 1\n\n[[items]]\nid = "2021-11-05-x"\ntype = "news"\ntitle = "X"\n'
        "date = 2021-11-05\n"
    )
    assert run("edit", "2021-10-13", "--summary", "A backup to restore.").exit_code == 0
    assert run("list").exit_code == 0  # an index, so that add may append
    seeded.chmod(0o444)
    before = _files(seeded.parent)
    args = [part.replace("{other}", str(other)) for part in command]
    result = coopcli_process(*args, "-f", str(seeded), prefix=as_user)
    assert result.returncode == 4, result.stderr
    assert result.stderr == f"Error: {seeded} is read-only; nothing changed\n"
    assert _files(seeded.parent) == before
    assert stat.S_IMODE(seeded.stat().st_mode) == 0o444


@pytest.mark.slow
def test_the_merge_driver_refuses_a_read_only_result(tmp_path: Path, as_user: list[str]) -> None:
    head = 'version = 1\n\n[[items]]\nid = "a"\ntype = "news"\ntitle = "A"\ndate = 2021-10-28\n'
    paths = []
    for name, extra in (("base", ""), ("ours", "summary = 'Ours.'\n"), ("theirs", "")):
        path = tmp_path / f".merge_file_{name}"
        path.write_text(head + extra)
        paths.append(path)
    paths[1].chmod(0o444)
    before = paths[1].read_bytes()
    result = coopcli_process("merge-file", *map(str, paths), "--path", "news.toml", prefix=as_user)
    assert result.returncode == 4
    assert result.stderr == f"Error: {paths[1]} is read-only; nothing changed\n"
    assert paths[1].read_bytes() == before


def test_a_read_only_file_is_refused_in_process_too(run: Run, seeded: Path) -> None:
    # The permission bits count even for root: whoever took write permission away meant it.
    seeded.chmod(0o444)
    before = seeded.read_bytes()
    result = run(*ADD)
    assert (result.exit_code, result.stderr) == (
        4,
        f"Error: {seeded} is read-only; nothing changed\n",
    )
    assert seeded.read_bytes() == before


# 2. A file named on purpose that does not exist is an error -----------------------


@pytest.mark.parametrize(
    "command",
    [("list",), ("search", "coop"), ("stats",), ("show", "2021"), ("export",)],
    ids=["list", "search", "stats", "show", "export"],
)
def test_a_missing_named_file_is_an_error_for_reading_commands(
    run: Run, news_file: Path, command: tuple[str, ...]
) -> None:
    result = run(*command)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {news_file}: no such item file (named by COOPCLI_FILE); "
        f"`coopcli init --file {news_file}` or `coopcli add --file {news_file}` creates it\n"
    )
    assert not news_file.parent.joinpath("news.toml.lock").exists()


def test_a_mistyped_file_flag_is_named_as_the_flag(run: Run, seeded: Path) -> None:
    result = run("-f", str(seeded.with_name("mynew.toml")), "list")
    assert result.exit_code == 1
    assert "(named by --file)" in result.stderr


def test_the_default_file_before_its_first_item_is_an_empty_list_with_a_hint(
    run: Run, monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    monkeypatch.delenv("COOPCLI_FILE")
    result = run("list")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "does not exist yet; `coopcli init` or `coopcli add` creates it." in result.stderr
    assert list((isolated / "home").rglob("news.toml*")) == []


def test_export_never_replaces_an_output_with_an_empty_export(
    run: Run, seeded: Path, tmp_path: Path
) -> None:
    feed = tmp_path / "pub.rss"
    assert run("export", "-o", str(feed)).exit_code == 0
    before = feed.read_bytes()
    result = run("export", "-o", str(feed), "--type", "story")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: nothing selected, so {feed} is left as it is "
        "(--allow-empty replaces it with an empty export)\n"
    )
    assert feed.read_bytes() == before
    allowed = run("export", "-o", str(feed), "--type", "story", "--allow-empty")
    assert allowed.exit_code == 0
    assert feed.read_bytes() != before
    assert "<item>" not in feed.read_text()


# 3. An output suffix that names no format ------------------------------------------


@pytest.mark.parametrize("name", ["news.xml", "news"])
def test_an_output_suffix_that_names_no_format_asks_for_format(
    run: Run, seeded: Path, tmp_path: Path, name: str
) -> None:
    result = run("export", "-o", str(tmp_path / name))
    assert result.exit_code == 2
    suffix = "'.xml'" if name.endswith(".xml") else "no suffix"
    assert result.stderr.startswith(
        f"Error: {tmp_path / name}: {suffix} does not say which format to write; give --format"
    )
    assert not (tmp_path / name).exists()
    assert run("export", "-o", str(tmp_path / name), "--format", "atom").exit_code == 0
    assert (tmp_path / name).read_text().startswith("<?xml")


@pytest.mark.parametrize(
    ("suffix", "start"),
    [
        (".rss", "<rss"),
        (".atom", "<feed"),
        (".json", "{"),
        (".md", "#"),
        (".html", "<!DOCTYPE html>"),
        (".csv", "id,"),
        (".toml", "version = 1"),
    ],
)
def test_a_suffix_that_names_a_format_still_chooses_it(
    run: Run, seeded: Path, tmp_path: Path, suffix: str, start: str
) -> None:
    out = tmp_path / f"pub{suffix}"
    assert run("export", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8").lstrip("\ufeff")
    if text.startswith("<?xml"):
        text = text.split("\n", 1)[1]
    assert text.startswith(start)


# 6. Side files -----------------------------------------------------------------------


def test_writes_leave_no_lock_file_and_reads_create_nothing(run: Run, seeded: Path) -> None:
    assert run(*ADD).exit_code == 0
    assert run("edit", "2021-11-02", "--summary", "Climate.").exit_code == 0
    assert run("remove", "2021-11-02", "--yes").exit_code == 0
    assert sorted(p.name for p in seeded.parent.iterdir() if p.is_file()) == [
        "news.toml",
        "news.toml.bak",
    ]
    missing = seeded.with_name("missing.toml")
    for command in (("list",), ("stats",), ("check",), ("search", "x")):
        run(*command, "-f", str(missing))
    assert not list(seeded.parent.glob("missing*"))


@pytest.mark.slow
def test_writers_still_exclude_each_other_without_a_lasting_lock_file(seeded: Path) -> None:
    # Twelve concurrent adds: none lost, even though each removes the lock file.
    from tests.procs import start_coopcli

    # A generous lock timeout: on a loaded machine twelve writers take a while.
    env = {"COOPCLI_LOCK_TIMEOUT": "600"}
    procs = [
        start_coopcli(
            "add", "-t", "news", "--title", f"Concurrent {n}", "-d", "2021-11-03", env=env
        )
        for n in range(12)
    ]
    outcomes = [(proc.communicate(timeout=900)[1], proc.returncode) for proc in procs]
    assert [code for _, code in outcomes] == [0] * 12, outcomes
    titles = coopcli_process("list", "--format", "tsv").stdout
    assert len([line for line in titles.split("\n") if "Concurrent" in line]) == 12
    assert not seeded.with_name("news.toml.lock").exists()


# 7. Validation in plain words --------------------------------------------------------


def test_an_empty_title_says_so(run: Run, seeded: Path) -> None:
    result = run("add", "-t", "news", "--title", "")
    assert (result.exit_code, result.stderr) == (2, "Error: title must not be empty\n")
    edited = run("edit", "2021-10-13", "--title", " ")
    assert (edited.exit_code, edited.stderr) == (2, "Error: title must not be empty\n")


BROKEN = """version = 1

[[items]]
id = "2021-10-01-a"
type = "news"
titel = "A"
date = 2021-10-01

[[items]]
id = "2021-10-02-b"
type = "news"
title = ""
"""


def test_check_and_list_speak_plainly_and_list_points_to_check(run: Run, news_file: Path) -> None:
    news_file.write_text(BROKEN)
    checked = run("check")
    assert checked.exit_code == 1
    assert checked.stdout.splitlines() == [
        f"{news_file}:3: items[0].title (2021-10-01-a): missing the required field 'title'",
        f"{news_file}:3: items[0] (2021-10-01-a): unknown field 'titel' (did you mean 'title'?)",
        f"{news_file}:12: items[1].title (2021-10-02-b): title must not be empty",
        f"{news_file}:9: items[1].date (2021-10-02-b): missing the required field 'date'",
    ]
    listed = run("list")
    assert listed.exit_code == 1
    assert listed.stderr == (
        f"Error: {news_file}:3: items[0]: missing the required field 'title' "
        f"(and 3 more problems: `coopcli check {news_file}` lists them all)\n"
    )


def test_an_unknown_field_with_no_near_name_says_what_coopcli_does(
    run: Run, news_file: Path
) -> None:
    news_file.write_text('version = 1\nowner = "me"\n')
    result = run("list")
    assert result.stderr == (
        f"Error: {news_file}: unknown field 'owner' (from a newer coopcli, or a typo? "
        "refusing the file rather than dropping it)\n"
    )


def test_an_empty_title_at_the_prompt_says_why_it_asks_again() -> None:
    from coopcli.cli import prompts

    assert prompts.title_problem("  ") == "title must not be empty"
    assert prompts.title_problem("A title") is None


# 5. Git conflicts in a clone without git-setup ---------------------------------------


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=check, timeout=60
    )


@pytest.fixture
def repo(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Editor")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "editor@example.org")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    root = isolated / "site"
    root.mkdir()
    _git(root, "-c", "init.defaultBranch=main", "init", "-q")
    shutil.copy(EXAMPLES / "news.toml", root / "news.toml")
    monkeypatch.setenv("COOPCLI_FILE", str(root / "news.toml"))
    monkeypatch.chdir(root)
    return root


def _commit(root: Path, message: str) -> None:
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", message)


def _same_day_adds(run: Run, root: Path) -> None:
    _commit(root, "the list")
    _git(root, "checkout", "-q", "-b", "colleague")
    run("add", "-t", "news", "--title", "Cooperatives and COP26", "-d", "2021-11-02")
    _commit(root, "colleague adds")
    _git(root, "checkout", "-q", "main")
    run("add", "-t", "statement", "--title", "Statement on housing", "-d", "2021-11-02")
    _commit(root, "main adds")


CONFLICT = (
    "unresolved git conflict in {file} (line {line}): finish the merge; "
    "`coopcli git-setup` makes such merges automatic"
)


@pytest.mark.slow
def test_every_command_that_loads_the_file_names_a_git_conflict(run: Run, repo: Path) -> None:
    _same_day_adds(run, repo)
    assert _git(repo, "merge", "colleague", "-m", "merge", check=False).returncode == 1
    news = repo / "news.toml"
    line = news.read_text().split("\n").index("<<<<<<< HEAD") + 1
    expected = "Error: " + CONFLICT.format(file=news, line=line) + "\n"
    before = news.read_bytes()
    for command in (
        ("list",),
        ("search", "housing"),
        ("show", "2021-11-02"),
        ("stats",),
        ("export",),
        ("edit", "2021-10-13", "--title", "X"),
        ("remove", "2021-10-13", "--yes"),
        ("add", "-t", "news", "--title", "Later", "-d", "2021-11-03"),
    ):
        result = run(*command)
        assert (result.exit_code, result.stderr) == (1, expected), command
    checked = run("check")
    assert checked.stdout == (
        f"{news}:{line}: unresolved git conflict: finish the merge; "
        "`coopcli git-setup` makes such merges automatic\n"
    )
    assert news.read_bytes() == before


@pytest.mark.slow
def test_a_clone_whose_attributes_name_the_driver_is_told_once_to_set_it_up(
    run: Run, repo: Path
) -> None:
    (repo / ".gitattributes").write_text("/news.toml merge=coopcli\n")
    _commit(repo, "attributes")
    first = run("list")
    assert first.exit_code == 0
    assert first.stderr == (
        f"Warning: {repo / '.gitattributes'} asks git to merge news.toml with coopcli, but "
        "this clone has no `merge.coopcli` driver configured, so a merge would leave "
        f"conflict markers: run `coopcli --file {repo / 'news.toml'} git-setup` once in "
        "this clone\n"
    )
    assert "Warning" not in run("list").stderr
    assert run("git-setup").exit_code == 0
    assert "Warning" not in run("list").stderr


@pytest.mark.slow
def test_check_points_to_the_conflict_file_and_a_resolved_merge_leaves_none(
    run: Run, repo: Path
) -> None:
    run("git-setup")
    _commit(repo, "the list")
    _git(repo, "checkout", "-q", "-b", "colleague")
    run("edit", "2021-10-28-sung", "--title", "Sung Ho Kim, KFCC")
    _commit(repo, "colleague")
    _git(repo, "checkout", "-q", "main")
    run("edit", "2021-10-28-sung", "--title", "Sung Ho Kim (KFCC)")
    _commit(repo, "main")
    assert _git(repo, "merge", "colleague", "-m", "merge", check=False).returncode == 1
    conflict = repo / "news.toml.conflict"
    assert conflict.exists()
    checked = run("check")
    assert checked.exit_code == 1
    assert checked.stdout == (
        f"{repo / 'news.toml'}: merge in progress: theirs' version of each conflicting item "
        f"is in {conflict}; fix {repo / 'news.toml'} (coopcli edit, or your editor), then "
        f"`git add {repo / 'news.toml'}` and the .conflict file goes\n"
    )
    assert conflict.exists()  # still needed while the merge goes on
    assert run("edit", "2021-10-28-sung", "--title", "Sung Ho Kim, KFCC").exit_code == 0
    _git(repo, "add", "news.toml")
    _git(repo, "commit", "-q", "--no-edit")
    after = run("check")
    assert after.exit_code == 0
    assert f"Removed {conflict}: the merge it was kept for is resolved." in after.stderr
    assert not conflict.exists()
    assert _git(repo, "status", "--porcelain", "--ignored").stdout.count(".conflict") == 0


def test_file_modes_are_what_the_tests_assume() -> None:
    # Guard for the read-only tests: a umask that removes the owner's write bit
    # would make every file read-only.
    mask = os.umask(0)
    os.umask(mask)
    assert not mask & 0o200


# 4. One import policy ------------------------------------------------------------------

LISTING = """News, stories and statements

  1. News

    A good entry

    29 October 2021

  2. News

    An impossible date

    30 February 2024

  3. Spotlite

    An unknown type

    28 October 2021
"""


def test_an_import_with_bad_entries_reports_them_all_and_writes_nothing(
    run: Run, seeded: Path, tmp_path: Path
) -> None:
    page = tmp_path / "page.txt"
    page.write_text(LISTING)
    before = _files(seeded.parent)
    result = run("import", str(page))
    assert result.exit_code == 1
    assert result.stderr == (
        f"  {page}:9: entry 2 ('An impossible date'): impossible date '30 February 2024': "
        "day is out of range for month\n"
        f"  {page}:15: entry 3 ('An unknown type'): unknown type 'Spotlite' (valid: news, "
        "spotlight, champion, statement, story); did you mean 'spotlight'?; add it under "
        "[types] in the item file, or give --type\n"
        "Error: 2 entries cannot be imported, so nothing was (--skip-invalid imports the "
        "others)\n"
    )
    assert _files(seeded.parent) == before
    dry = run("import", "--dry-run", str(page))
    # A dry run also says how it read the input.
    told = f"{page}: read as listing (told by its suffix)\n"
    assert (dry.exit_code, dry.stderr) == (1, told + result.stderr)


def test_skip_invalid_imports_the_rest_and_says_what_it_skipped(
    run: Run, seeded: Path, tmp_path: Path
) -> None:
    page = tmp_path / "page.txt"
    page.write_text(LISTING)
    result = run("import", "--skip-invalid", str(page))
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"Warning: skipped invalid entry: {page}:9: entry 2")
    assert "impossible date '30 February 2024'" in lines[0]
    assert lines[1].startswith(f"Warning: skipped invalid entry: {page}:15: entry 3")
    assert lines[-1] == "Imported 1 item, skipped 2 invalid entries"
    assert "2021-10-29-good-entry" in run("list", "--format", "tsv").stdout


@pytest.mark.parametrize("text", ["just some junk text\n", "hello\nworld\n"])
def test_an_input_with_no_items_is_an_error_and_creates_nothing(
    run: Run, news_file: Path, tmp_path: Path, text: str
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text(text)
    result = run("import", str(junk))
    assert result.exit_code == 1
    assert result.stderr == f"Error: nothing to import: no entries in {junk}\n"
    assert not news_file.exists()


# 11. Smaller surprises --------------------------------------------------------------------


def test_a_title_longer_than_the_limit_is_refused_and_flagged_by_check(
    run: Run, seeded: Path, isolated: Path
) -> None:
    long = "x" * 301
    before = seeded.read_bytes()
    result = run("add", "-t", "news", "--title", long)
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: title is 301 characters long; at most 300 are allowed "
        "(see `limits` in the config file)\n",
    )
    edited = run("edit", "2021-10-13", "--summary", "y" * 5001)
    assert edited.exit_code == 2
    assert "summary is 5,001 characters long; at most 5,000" in edited.stderr
    assert seeded.read_bytes() == before
    config = isolated / "home" / ".config" / "coopcli" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[limits]\ntitle = 400\n")
    assert run("add", "-t", "news", "--title", long, "-d", "2021-10-01").exit_code == 0
    config.write_text("[limits]\ntitle = 100\n")
    checked = run("check")
    assert checked.exit_code == 1
    assert "items[0].title (2021-10-01-xxxx" in checked.stdout
    assert "title is 301 characters long; at most 100 are allowed" in checked.stdout


def test_a_date_in_the_future_is_warned_about(run: Run, seeded: Path) -> None:
    result = run("add", "-t", "news", "--title", "Later", "-d", "2030-01-01")
    assert result.exit_code == 0
    assert result.stdout == "2030-01-01-later\n"
    days = (dt.date(2030, 1, 1) - dt.date.today()).days
    assert result.stderr == (
        f"Warning: 2030-01-01 is {days} days in the future (`coopcli check` will flag it "
        "until then); adding it anyway\n"
    )
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    quiet = run("add", "-t", "news", "--title", "Tomorrow", "-d", tomorrow)
    assert (quiet.exit_code, quiet.stderr) == (0, "")


@pytest.mark.parametrize("year", ["21", "0", "999"])
def test_a_year_that_is_not_written_in_full_is_refused(run: Run, seeded: Path, year: str) -> None:
    result = run("list", "--year", year)
    assert result.exit_code == 2
    assert result.stderr == f"Error: --year {year}: write the year in full (2021, not 21)\n"
    assert run("list", "--year", "2021", "--format", "tsv").stdout.count("\n") == 10


def test_the_summary_gets_the_room_the_title_does_not_need(run: Run, seeded: Path) -> None:
    # conftest sets COLUMNS=120.
    shown = run("list", "--format", "table", "--no-pager").stdout
    lines = shown.splitlines()
    header = next(line for line in lines if "Summary" in line)
    column = header.index("Summary")
    first = [line[column:].strip() for line in lines[lines.index(header) + 2 :]][:6]
    summary = " ".join(part for part in first if part)
    assert summary.startswith("The two sessions organized in the framework of the Academy")
    assert all(len(line) <= 120 for line in lines)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"items": [{"id": "a", "type": "news", "title": 3, "date": "2021-01-01"}]},
            "items[0]: title must be text, not a number",
        ),
        (
            {"items": [{"id": "a", "type": "news", "title": "A", "date": 5}]},
            "items[0].date: must be a date written YYYY-MM-DD",
        ),
        (
            {"items": [{"id": "a", "type": "news", "title": "A", "date": "2021-01-01", "tags": 1}]},
            "items[0]: tags must be a list, not a number",
        ),
        ({"version": "two"}, "version must be a whole number, not 'two'"),
        ({"items": [3]}, "items[0] must be a table of fields, not a number"),
        ({"types": {"Bad Key": "X"}}, "types: 'Bad Key' is not a valid type key"),
        (
            {"items": [{"id": "a b", "type": "news", "title": "A", "date": "2021-01-01"}]},
            "items[0]: 'a b' is not a valid id (letters, digits, '.', '_' and '-')",
        ),
    ],
)
def test_validation_messages_in_plain_words(data: dict[str, object], expected: str) -> None:
    from pydantic import ValidationError

    from coopcli.core.models import NewsFile
    from coopcli.core.validation import problems, sentence

    with pytest.raises(ValidationError) as caught:
        NewsFile.model_validate(data)
    assert sentence(problems(caught.value.errors(include_url=False))[0]).startswith(expected)
