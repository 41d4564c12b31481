"""Shell completion, run the way shells run it: Typer's environment variables."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from coopcli.cli import completion
from tests.conftest import coopcli_process


def complete_bash(line: str) -> tuple[list[str], str]:
    """What bash is offered for ``line`` (the cursor at its end), and stderr."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    result = coopcli_process(
        env={"_COOPCLI_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword)}
    )
    assert result.returncode == 0
    return [w for w in result.stdout.splitlines() if w], result.stderr


def complete_zsh(line: str) -> str:
    result = coopcli_process(
        env={"_COOPCLI_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": line}
    )
    assert result.returncode == 0
    assert result.stderr == ""
    return result.stdout


@pytest.fixture
def tagged(seeded: Path) -> Path:
    from coopcli.storage.store import Store

    with Store(seeded).transaction() as doc:
        doc.items[0].tags = ["asia", "sse"]
        doc.items[1].tags = ["sse"]
    return seeded


def test_command_names(seeded: Path) -> None:
    names = complete_bash("coopcli ")[0]
    assert names[:9] == [
        "init",
        "add",
        "list",
        "search",
        "show",
        "edit",
        "remove",
        "publish",
        "tags",
    ]
    assert {"config", "check", "git-setup", "merge-file"} <= set(names)
    assert len(names) == len(set(names))
    assert complete_bash("coopcli sea")[0] == ["search"]
    assert complete_bash("coopcli config ")[0] == ["show"]


def test_option_names(seeded: Path) -> None:
    assert complete_bash("coopcli list --no")[0] == ["--no-pager"]
    assert set(complete_bash("coopcli add --")[0]) >= {"--type", "--title", "--edit", "--tag"}


def test_type_names_after_type(seeded: Path) -> None:
    assert complete_bash("coopcli list --type ")[0] == [
        "news",
        "spotlight",
        "champion",
        "statement",
        "story",
    ]
    assert complete_bash("coopcli add -t s")[0] == ["spotlight", "statement", "story"]
    assert '"spotlight":"Spotlight Interviews with Co-operators"' in complete_zsh(
        "coopcli list --type sp"
    )


def test_tags_after_tag(tagged: Path) -> None:
    assert complete_bash("coopcli list --tag ")[0] == ["sse", "asia"]
    assert complete_bash("coopcli edit 2021-10-13 --untag a")[0] == ["asia"]


def test_ids_with_titles_after_show_edit_and_remove(seeded: Path) -> None:
    assert complete_bash("coopcli show 2021-10-28")[0] == [
        "2021-10-28-ilo-country-briefs",
        "2021-10-28-sung-ho-kim",
    ]
    assert complete_bash("coopcli edit 2021-10-13")[0] == ["2021-10-13-training-by-ilo"]
    assert complete_bash("coopcli remove 2021-10-13-training-by-ilo 2021-10-2")[0][0] == (
        "2021-10-21-ayse-turunc-kankal"
    )
    zsh = complete_zsh("coopcli show 2021-10-28-s")
    assert zsh == (
        '_arguments \'*: :(("2021-10-28-sung-ho-kim":'
        '"Sung Ho Kim, International Cooperation Department…"))\'\n'
    )


def test_ids_come_from_the_file_named_on_the_command_line(isolated: Path, seeded: Path) -> None:
    other = isolated / "other.toml"
    other.write_text(
        'version = 1\n[[items]]\nid = "2020-01-01-x"\ntype = "news"\n'
        'title = "X"\ndate = 2020-01-01\n'
    )
    assert complete_bash(f"coopcli show --file {other} 20")[0] == ["2020-01-01-x"]
    assert complete_bash(f"coopcli -f {other} show 20")[0] == ["2020-01-01-x"]


@pytest.mark.parametrize(
    "problem",
    ["missing", "not toml", "invalid item", "bad config", "directory"],
)
def test_a_missing_or_bad_file_completes_nothing_silently(
    isolated: Path, news_file: Path, problem: str
) -> None:
    if problem == "not toml":
        news_file.write_text("version = = 1\n")
    elif problem == "invalid item":
        news_file.write_text('[[items]]\nid = "x"\n')
    elif problem == "bad config":
        news_file.write_text("version = 1\n")
        config = isolated / "home" / ".config" / "coopcli" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text("nonsense = 1\n")
    elif problem == "directory":
        news_file.mkdir()
    offered, stderr = complete_bash("coopcli show 20")
    assert offered == []
    assert stderr == ""
    assert complete_bash("coopcli list --tag ") == ([], "")
    # The built-in types need no file.
    assert complete_bash("coopcli list --type n") == (["news"], "")


def test_show_completion_prints_a_script() -> None:
    # The shell is detected from the process tree: here, the bash running the tests.
    result = coopcli_process("--show-completion", env={"SHELL": "/bin/bash"})
    assert result.returncode == 0
    assert "_COOPCLI_COMPLETE=complete_bash" in result.stdout


def test_install_completion_is_offered(seeded: Path) -> None:
    result = coopcli_process("--help")
    assert "--install-completion" in result.stdout
    assert "--show-completion" in result.stdout


def test_completion_functions_directly(tagged: Path) -> None:
    ids = completion.complete_ids(None, "2021-10-2")
    assert ids[0] == (
        "2021-10-21-ayse-turunc-kankal",
        "Ayşe Turunç Kankal, ILO Office for Turkey in Anka…",
    )
    assert completion.complete_tags(None, "s") == ["sse"]
    assert completion.complete_types(None, "ch") == [("champion", "COOP Champions")]
    assert completion.describe("A [draft]  title") == "A \\[draft] title"


def test_completion_is_fast(seeded: Path) -> None:
    complete_bash("coopcli show 2021")  # builds the index
    start = time.perf_counter()
    complete_bash("coopcli show 2021")
    assert time.perf_counter() - start < 3.0
