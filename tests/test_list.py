"""``coopcli list``, ``show`` and ``search``: what people and programs see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run


def ids(stdout: str) -> list[str]:
    return [line.split("\t")[0] for line in stdout.splitlines()]


def test_list_into_a_pipe_is_tab_separated_newest_first(run: Run, seeded: Path) -> None:
    result = run("list", "-n", "3")
    assert result.exit_code == 0
    assert result.stdout == (
        "2021-10-29-ilo-sheds-light-upon\t2021-10-29\tnews\tILO sheds light upon the role of "
        "cooperatives in the elimination of child labour at the Academy on Fundamental "
        "Principles and Rights at Work\n"
        "2021-10-28-ilo-country-briefs\t2021-10-28\tnews\tILO country briefs from the Social "
        "and Solidarity Economy project in Asia\n"
        "2021-10-28-sung-ho-kim\t2021-10-28\tspotlight\tSung Ho Kim, International Cooperation "
        "Department, KFCC\n"
    )
    assert result.stderr == ""


def test_list_table_is_numbered_with_labels_and_caption(run: Run, seeded: Path) -> None:
    result = run("list", "--format", "table", "--type", "spotlight", "--type", "champion")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any(line.split()[:3] == ["1", "2021-10-28-sung-ho-kim", "2021-10-28"] for line in lines)
    assert "Spotlight" in result.stdout
    assert "COOP" in result.stdout
    assert "2 of 10 items · type champion, spotlight" in result.stdout
    assert "\x1b[" not in result.stdout


def test_list_json_has_every_field(run: Run, seeded: Path) -> None:
    result = run("list", "--format", "json", "--on", "2021-10-28")
    data = json.loads(result.stdout)
    assert data == [
        {
            "id": "2021-10-28-ilo-country-briefs",
            "type": "news",
            "title": "ILO country briefs from the Social and Solidarity Economy project in Asia",
            "date": "2021-10-28",
            "summary": None,
            "url": None,
            "tags": [],
        },
        {
            "id": "2021-10-28-sung-ho-kim",
            "type": "spotlight",
            "title": "Sung Ho Kim, International Cooperation Department, KFCC",
            "date": "2021-10-28",
            "summary": data[1]["summary"],
            "url": None,
            "tags": [],
        },
    ]
    assert data[1]["summary"].startswith("“Spotlight Interviews with Co-operators”")


def test_list_jsonl_one_object_per_line(run: Run, seeded: Path) -> None:
    result = run("list", "--format", "jsonl")
    lines = result.stdout.splitlines()
    assert len(lines) == 10
    assert json.loads(lines[-1])["id"] == "2021-10-13-training-by-ilo"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--since", "2021-10-26"], 5),
        (["--until", "2021-10-21"], 2),
        (["--since", "2021-10", "--until", "2021-10"], 10),
        (["--from", "2021-10-22", "--to", "2021-10-25"], 3),
        (["--on", "2021-10-25"], 2),
        (["--year", "2021"], 10),
        (["--year", "2020"], 0),
        (["--month", "2021-10"], 10),
        (["--month", "2021-09"], 0),
        (["--type", "News"], 8),
        (["-n", "0"], 0),
    ],
)
def test_list_filters(run: Run, seeded: Path, args: list[str], expected: int) -> None:
    result = run("list", *args)
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == expected


def test_sort_and_reverse(run: Run, seeded: Path) -> None:
    by_title = ids(run("list", "--sort", "title").stdout)
    assert by_title[0] == "2021-10-27-wipo-programme"
    assert by_title[-1] == "2021-10-13-training-by-ilo"
    oldest_first = ids(run("list", "--reverse").stdout)
    assert oldest_first[0] == "2021-10-13-training-by-ilo"
    by_type = ids(run("list", "--sort", "type").stdout)
    assert by_type[0] == "2021-10-21-ayse-turunc-kankal"
    assert by_type[-1] == "2021-10-28-sung-ho-kim"


def test_tags_filter_all_or_any(run: Run, seeded: Path) -> None:
    run("edit", "2021-10-29", "--tag", "child-labour", "--tag", "academy")
    run("edit", "2021-10-13", "--tag", "academy")
    assert ids(run("list", "--tag", "academy").stdout) == [
        "2021-10-29-ilo-sheds-light-upon",
        "2021-10-13-training-by-ilo",
    ]
    assert ids(run("list", "--tag", "academy", "--tag", "Child-Labour").stdout) == [
        "2021-10-29-ilo-sheds-light-upon"
    ]
    assert len(ids(run("list", "--tag", "child-labour", "--tag", "nope", "--any-tag").stdout)) == 1


def test_list_missing_default_file_is_empty_with_hint(
    run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COOPCLI_FILE")
    default = isolated / "home" / ".local" / "share" / "coopcli" / "news.toml"
    result = run("list")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == (
        f"{default} does not exist yet; `coopcli init` or `coopcli add` creates it.\n"
    )
    assert not default.exists()


def test_show_by_prefix(run: Run, seeded: Path) -> None:
    result = run("show", "2021-10-22")
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "id: 2021-10-22-un-task-force\ntype: News (news)\n"
        "title: The UN Task Force on Social and Solidarity Economy (UNTFSSE) held its 37th "
        "regular meeting\ndate: 2021-10-22\n\nThe 37th UNTFSSE meeting"
    )


def test_show_table_and_json(run: Run, seeded: Path) -> None:
    run("edit", "2021-10-21", "--url", "https://www.ilo.org/x", "--tag", "turkey")
    table = run("show", "2021-10-21", "--format", "table").stdout
    assert "COOP Champions (champion)" in table
    assert "https://www.ilo.org/x" in table
    assert "turkey" in table
    data = json.loads(run("show", "2021-10-21", "--format", "json").stdout)
    assert data["url"] == "https://www.ilo.org/x"
    assert data["tags"] == ["turkey"]


def test_show_ambiguous_and_unknown_ids(run: Run, seeded: Path) -> None:
    ambiguous = run("show", "2021-10-28")
    assert ambiguous.exit_code == 2
    assert ambiguous.stderr == (
        "Error: id prefix '2021-10-28' is ambiguous: 2021-10-28-ilo-country-briefs, "
        "2021-10-28-sung-ho-kim\n"
    )
    missing = run("show", "nope")
    assert missing.exit_code == 1
    assert missing.stderr == "Error: no item with id 'nope' (see `coopcli list` for ids)\n"


def test_search_all_words_any_case(run: Run, seeded: Path) -> None:
    assert len(run("search", "untfsse").stdout.splitlines()) == 4
    assert ids(run("search", "UNTFSSE", "meeting").stdout) == ["2021-10-22-un-task-force"]
    nothing = run("search", "wipo", "kfcc")
    assert nothing.exit_code == 0
    assert nothing.stdout == ""
    assert "No items match" in nothing.stderr


def test_search_takes_filters_and_json(run: Run, seeded: Path) -> None:
    result = run("search", "untfsse", "--until", "2021-10-24", "--format", "json")
    assert [item["id"] for item in json.loads(result.stdout)] == ["2021-10-22-un-task-force"]


def test_hand_written_tags_are_read_trimmed(run: Run, news_file: Path) -> None:
    news_file.write_text(
        'version = 1\n\n[[items]]\nid = "2021-10-01-a"\ntype = "news"\ntitle = "A"\n'
        'date = 2021-10-01\ntags = [" news ", "\\tclimate"]\n',
        encoding="utf-8",
    )
    shown = json.loads(run("show", "2021-10-01-a", "--format", "json").stdout)
    assert shown["tags"] == ["news", "climate"]
    assert run("edit", "2021-10-01-a", "--tag", "x").exit_code == 0  # one letter is a tag
    assert "x" in json.loads(run("show", "2021-10-01-a", "--format", "json").stdout)["tags"]
    assert run("list", "--tag", "news", "--format", "tsv").stdout.startswith("2021-10-01-a\t")
    assert run("check").exit_code == 0
