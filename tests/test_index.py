"""The index is a cache: fast reads and appends, and the item file always wins."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopcli.storage import index
from coopcli.storage.store import Store
from tests.conftest import EXAMPLES, Run
from tests.strategies import is_tag


def _titles(run: Run, *args: str) -> list[str]:
    result = run("list", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return [item["title"] for item in json.loads(result.stdout)]


def _cache_files(isolated: Path) -> list[Path]:
    return sorted((isolated / "home" / ".cache").rglob("*.sqlite3"))


def test_reading_builds_the_index_and_uses_it(run: Run, seeded: Path, isolated: Path) -> None:
    first = _titles(run)
    assert len(first) == 10
    assert len(_cache_files(isolated)) == 1
    assert _titles(run) == first


def test_a_hand_edit_is_seen_by_the_next_command(run: Run, seeded: Path) -> None:
    _titles(run)
    text = seeded.read_text(encoding="utf-8")
    seeded.write_text(text.replace("WIPO programme", "WIPO programmX"), encoding="utf-8")
    assert any("WIPO programmX" in title for title in _titles(run))


def test_a_same_size_edit_with_the_old_mtime_is_still_seen(run: Run, seeded: Path) -> None:
    _titles(run)
    before = seeded.stat()
    text = seeded.read_text(encoding="utf-8")
    seeded.write_text(text.replace("WIPO programme", "WIPO programmX"), encoding="utf-8")
    os.utime(seeded, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert seeded.stat().st_size == before.st_size
    assert any("WIPO programmX" in title for title in _titles(run))


def test_an_index_is_trusted_only_once_the_file_clock_has_moved_on() -> None:
    # Two ticks of the clock that stamps files: a few milliseconds, not a wait a
    # user would notice after every write.
    assert 2_000_000 <= index.RACY_NS <= 20_000_000
    changed = 1_700_000_000_123_456_789
    assert index.racy(changed, changed + index.RACY_NS - 1)
    assert not index.racy(changed, changed + index.RACY_NS + 1)
    # A file system that keeps whole seconds (FAT, small ext4 inodes): a change later
    # in the same second (or FAT's two) keeps the stamp.
    whole = 1_700_000_000_000_000_000
    assert index.racy(whole, whole + 1_500_000_000)
    assert not index.racy(whole, whole + 2_000_000_000 + index.RACY_NS + 1)


def test_a_write_on_a_whole_second_file_system_leaves_the_next_command_to_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "news.toml"
    path.write_text("version = 1\n", encoding="utf-8")
    second = (os.stat(path).st_ctime_ns // 10**9 + 1) * 10**9
    slept: list[float] = []
    monkeypatch.setattr(index.time, "sleep", slept.append)
    # The file as such a file system shows it, a moment after the write: its change
    # time is the next whole second (the real stat, taken again, agrees on the stamp).
    monkeypatch.setattr(index, "stamp", lambda found: "same")
    coarse = os.stat_result(tuple(os.stat(path))[:10], {"st_ctime_ns": second})
    settled = index.settled(path, coarse)
    assert slept == []
    assert settled is not None
    assert index.racy(second, settled[1])


def test_an_invalid_hand_edit_is_an_error_not_a_stale_answer(run: Run, seeded: Path) -> None:
    _titles(run)
    seeded.write_text(seeded.read_text(encoding="utf-8") + "\n[[items]]\nid = 3\n")
    result = run("list")
    assert result.exit_code == 1
    assert str(seeded) in result.stderr


def test_deleting_the_cache_loses_nothing(run: Run, seeded: Path, isolated: Path) -> None:
    first = _titles(run)
    shutil.rmtree(isolated / "home" / ".cache")
    assert _titles(run) == first


def test_without_the_index_every_command_still_works(
    run: Run, seeded: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPCLI_NO_INDEX", "1")
    assert len(_titles(run, "--type", "spotlight")) == 1
    assert run("add", "--type", "news", "--title", "Plain", "--date", "2021-11-01").exit_code == 0
    assert _titles(run, "-n", "1") == ["Plain"]
    assert _cache_files(isolated) == []


def test_an_unwritable_cache_only_costs_speed(
    run: Run, seeded: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = isolated / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("COOPCLI_CACHE_DIR", str(blocker))
    assert len(_titles(run)) == 10
    assert run("add", "--type", "news", "--title", "Still saved").exit_code == 0
    assert "Still saved" in seeded.read_text(encoding="utf-8")


def test_a_missing_default_file_lists_nothing(
    run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COOPCLI_FILE")
    result = run("list", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert "does not exist yet" in result.stderr
    assert not list((isolated / "home").rglob("news.toml"))


def test_filters_and_sorting_match_the_file(run: Run, seeded: Path) -> None:
    assert _titles(run, "--since", "2021-10-26", "--reverse")[0].startswith("The ILO and")
    by_title = _titles(run, "--sort", "title", "-n", "2")
    assert by_title == sorted(_titles(run), key=str.casefold)[:2]
    assert len(_titles(run, "--type", "champion")) == seeded.read_text().count('type = "champion"')


def test_tags_filter_through_the_index(run: Run, seeded: Path) -> None:
    for ref, tag in (("2021-10-29", "ILO"), ("2021-10-28-ilo", "ilo"), ("2021-10-13", "Training")):
        assert run("edit", ref, "--tag", tag).exit_code == 0
    assert len(_titles(run, "--tag", "ilo")) == 2
    assert len(_titles(run, "--tag", "ilo", "--tag", "training")) == 0
    assert len(_titles(run, "--tag", "ilo", "--tag", "training", "--any-tag")) == 3


def test_show_finds_a_prefix_through_the_index(run: Run, seeded: Path) -> None:
    result = run("show", "2021-10-27", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["id"] == "2021-10-27-wipo-programme"
    ambiguous = run("show", "2021-10-2")
    assert ambiguous.exit_code == 2
    assert "ambiguous" in ambiguous.stderr


def test_a_warm_list_does_not_build_the_models(seeded: Path) -> None:
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('models' if 'coopcli.core.models' in sys.modules"
        " else 'light',"
        " file=sys.stderr))\n"
        "from coopcli.cli.app import main\n"
        "sys.argv = ['coopcli', 'list', '-n', '3']\n"
        "main()\n"
    )
    cold = coopcli_process_code(probe)
    warm = coopcli_process_code(probe)
    # The example's items are all plain: even the build skips the models (and a file
    # that needs them loads them: tests/test_cold_build.py).
    assert cold.stderr.strip().endswith("light")
    assert warm.stderr.strip().endswith("light")
    assert warm.stdout == cold.stdout
    assert len(warm.stdout.splitlines()) == 3


def test_a_warm_add_appends_without_the_models(seeded: Path) -> None:
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('models' if 'coopcli.core.models' in sys.modules"
        " else 'light',"
        " file=sys.stderr))\n"
        "from coopcli.cli.app import main\n"
        "sys.argv = ['coopcli', 'add', '--type', 'news', '--title', sys.argv[1],"
        " '--date', '2021-11-0' + sys.argv[2]]\n"
        "main()\n"
    )
    cold = coopcli_process_code(probe, "Cold", "1")
    warm = coopcli_process_code(probe, "Warm", "2")
    # The example's items are all plain: the index is built without the models too.
    assert cold.stderr.strip().endswith("light")
    assert warm.stderr.strip().endswith("light")
    assert warm.stdout == "2021-11-02-warm\n"
    assert seeded.read_bytes() == _canonical(seeded)


@pytest.mark.parametrize(
    ("flag", "value"), [("--title", "A plain new title"), ("--summary", "A plain summary.")]
)
def test_a_warm_edit_of_plain_text_does_not_build_the_models(
    seeded: Path, run: Run, flag: str, value: str
) -> None:
    assert run("list").exit_code == 0  # the index is built
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('models' if 'coopcli.core.models' in sys.modules"
        " else 'light',"
        " file=sys.stderr))\n"
        "from coopcli.cli.app import main\n"
        "sys.argv = ['coopcli', 'edit', '2021-10-25-untfsse-organized', sys.argv[1], sys.argv[2]]\n"
        "main()\n"
    )
    assert coopcli_process_code(probe, flag, value).stderr.strip().endswith("light")
    shown = json.loads(run("show", "2021-10-25-untfsse-organized", "--format", "json").stdout)
    assert shown[flag.removeprefix("--")] == value


def coopcli_process_code(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )


# -- appending ----------------------------------------------------------------------


def _canonical(path: Path) -> bytes:
    store = Store(path)
    return store.encode(store.load())


@pytest.mark.parametrize("name", ["news.toml", "news.json"])
def test_append_writes_what_a_full_rewrite_would(
    run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    path = isolated / name
    shutil.copy(EXAMPLES / name, path)
    monkeypatch.setenv("COOPCLI_FILE", str(path))
    added = []
    for n in range(4):
        before = path.read_bytes()
        result = run(
            "add",
            "--type",
            "story",
            "--title",
            f"Appended story {n}",
            "--date",
            "2021-11-02",
            "--summary",
            "Line one.\nLine two, with “quotes” and a tab\t.",
            "--tag",
            "a",
            "--tag",
            "B",
        )
        assert result.exit_code == 0, result.stderr
        added.append(result.stdout.strip())
        assert path.read_bytes() == _canonical(path)
        assert (isolated / f"{name}.bak").read_bytes() == before
    assert added == [
        "2021-11-02-appended-story-0",
        "2021-11-02-appended-story-1",
        "2021-11-02-appended-story-2",
        "2021-11-02-appended-story-3",
    ]
    assert _titles(run, "-n", "1") == ["Appended story 0"]  # same day: ties by id


def test_append_does_not_touch_the_middle_of_the_file(run: Run, seeded: Path) -> None:
    run("add", "--type", "news", "--title", "First", "--date", "2021-11-01")
    before = seeded.read_bytes()
    run("add", "--type", "news", "--title", "Second", "--date", "2021-11-03")
    after = seeded.read_bytes()
    assert after.startswith(before)
    assert after[len(before) :].decode().startswith('\n[[items]]\nid = "2021-11-03-second"')


def test_an_older_item_is_put_in_its_place(run: Run, seeded: Path) -> None:
    run("add", "--type", "news", "--title", "Newest", "--date", "2021-11-01")
    result = run("add", "--type", "news", "--title", "Older", "--date", "2021-10-01")
    assert result.exit_code == 0
    assert seeded.read_bytes() == _canonical(seeded)
    assert _titles(run, "--reverse", "-n", "1") == ["Older"]


def test_a_duplicate_is_refused_on_the_fast_path_too(run: Run, seeded: Path) -> None:
    run("add", "--type", "news", "--title", "Once", "--date", "2021-11-01")
    before = seeded.read_bytes()
    again = run("add", "--type", "news", "--title", "ONCE", "--date", "2021-11-01")
    assert again.exit_code == 1
    assert "already exists" in again.stderr
    assert seeded.read_bytes() == before
    forced = run("add", "--type", "news", "--title", "Once", "--date", "2021-11-01", "--force")
    assert forced.stdout.strip() == "2021-11-01-once-2"


def test_doubtful_values_get_the_full_validation(run: Run, seeded: Path) -> None:
    run("add", "--type", "news", "--title", "Warm", "--date", "2021-11-01")
    before = seeded.read_bytes()
    bad = run("add", "--type", "news", "--title", "Bad", "--date", "2021-11-02", "--url", "ftp://x")
    assert bad.exit_code == 2
    assert "url" in bad.stderr
    assert seeded.read_bytes() == before
    unknown = run("add", "--type", "gossip", "--title", "Bad", "--date", "2021-11-02")
    assert unknown.exit_code == 2
    assert seeded.read_bytes() == before


def test_a_hand_edit_above_the_items_is_kept_by_an_append(run: Run, seeded: Path) -> None:
    seeded.write_text("# my notes\n" + seeded.read_text(encoding="utf-8"), encoding="utf-8")
    assert len(_titles(run)) == 10  # the first read notes that the file can take an append
    before = seeded.read_bytes()
    assert run("add", "--type", "news", "--title", "Next", "--date", "2021-11-02").exit_code == 0
    after = seeded.read_bytes()
    assert after.startswith(before)
    assert after[len(before) :].startswith(b'\n[[items]]\nid = "2021-11-02-next"')
    assert len(Store(seeded).load().items) == 11


def test_inline_items_are_rewritten_in_full(run: Run, news_file: Path) -> None:
    news_file.write_text(
        'version = 1\nitems = [\n    { id = "a", type = "news", title = "A", '
        "date = 2021-10-01 },\n]\n",
        encoding="utf-8",
    )
    assert _titles(run) == ["A"]
    assert run("add", "--type", "news", "--title", "B", "--date", "2021-10-02").exit_code == 0
    assert news_file.read_bytes() == _canonical(news_file)
    assert _titles(run) == ["B", "A"]


def test_a_file_read_once_takes_the_fast_add(seeded: Path, run: Run) -> None:
    assert len(_titles(run)) == 10
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('models' if 'coopcli.core.models' in sys.modules"
        " else 'light',"
        " file=sys.stderr))\n"
        "from coopcli.cli.app import main\n"
        "sys.argv = ['coopcli', 'add', '--type', 'news', '--title', 'Fast',"
        " '--date', '2021-11-01']\n"
        "main()\n"
    )
    assert coopcli_process_code(probe).stderr.strip().endswith("light")
    assert seeded.read_bytes() == _canonical(seeded)


safe_text = (
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1).map(str.strip).filter(bool)
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    suffix=st.sampled_from([".toml", ".json"]),
    entries=st.lists(
        st.tuples(
            safe_text,
            st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)),
            st.none() | safe_text,
            st.lists(safe_text.filter(is_tag), max_size=3),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_any_sequence_of_adds_leaves_the_canonical_file(
    run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, entries: list
) -> None:
    path = isolated / f"prop{os.urandom(4).hex()}{suffix}"
    monkeypatch.setenv("COOPCLI_FILE", str(path))
    for title, day, summary, tags in entries:
        args = ["add", "--type", "news", "--title", title, "--date", day.isoformat(), "--force"]
        if summary is not None:
            args += ["--summary", summary]
        for tag in tags:
            args += ["--tag", tag]
        result = run(*args)
        assert result.exit_code == 0, result.stderr
        assert path.read_bytes() == _canonical(path)
    stored = Store(path).load()
    assert len(stored.items) == len(entries)
    assert _titles(run) == [
        item.title
        for item in sorted(stored.items, key=lambda item: (-item.date.toordinal(), item.id))
    ]


def test_the_index_location_is_per_file(isolated: Path) -> None:
    assert index.location(isolated / "a.toml") != index.location(isolated / "b.toml")


def _warm(run: Run) -> None:
    assert run("add", "--type", "news", "--title", "Warm", "--date", "2021-11-01").exit_code == 0


def test_a_failed_append_leaves_the_file_and_backup_alone(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _warm(run)
    before = seeded.read_bytes()
    backup = seeded.with_name("news.toml.bak").read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    result = run("add", "--type", "news", "--title", "Lost?", "--date", "2021-11-02")
    assert result.exit_code == 4
    assert result.stderr.startswith(f"Error: {seeded}: cannot write: Input/output error")
    assert seeded.read_bytes() == before
    assert seeded.with_name("news.toml.bak").read_bytes() == backup
    assert [p.name for p in seeded.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_an_append_that_reads_back_wrong_is_abandoned(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coopcli.formats import toml

    _warm(run)
    before = seeded.read_bytes()
    monkeypatch.setattr(toml, "read_tail", lambda tail: {"id": "something-else"})
    result = run("add", "--type", "news", "--title", "Garbled", "--date", "2021-11-02")
    assert result.exit_code == 4
    assert "did not read back as written" in result.stderr
    assert seeded.read_bytes() == before


def test_a_long_item_after_short_ones_changes_only_its_own_lines(
    run: Run, news_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPCLI_NO_INDEX", "1")  # the full rewrite, not the append
    for n in range(3):
        run("add", "--type", "news", "--title", f"Short {n}", "--date", f"2021-10-0{n + 1}")
    before = news_file.read_bytes()
    assert before.count(b"[[items]]") == 3
    long_summary = "A paragraph long enough not to fit on one line of a TOML file. " * 3
    run("add", "--type", "news", "--title", "Long", "--date", "2021-10-09", "-s", long_summary)
    assert news_file.read_bytes().startswith(before)


def test_an_id_prefix_is_exact_about_case(run: Run, news_file: Path) -> None:
    run("import", str(EXAMPLES / "news.toml"))
    upper = run("show", "2021-10-27-WIPO")
    assert upper.exit_code == 1
    assert "no item with id" in upper.stderr
    assert run("show", "2021-10-27-wipo").exit_code == 0
