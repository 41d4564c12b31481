"""CSV: export for spreadsheets (formulas neutralised), and import it back."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from coopcli.core.models import NewsFile
from coopcli.formats import csv as csvformat
from coopcli.importer import merge
from coopcli.storage.store import Store
from tests.conftest import Run
from tests.strategies import news_files

HEADER = "id,type,title,date,summary,url,tags,draft,embargo,updated\r\n"


def test_export_csv_header_and_rows(run: Run, seeded: Path) -> None:
    result = run("export", "--format", "csv", "--on", "2021-10-28")
    assert result.exit_code == 0
    assert result.stdout_bytes.decode("utf-8") == (
        HEADER + "2021-10-28-sung-ho-kim,spotlight,"
        '"Sung Ho Kim, International Cooperation Department, KFCC",2021-10-28,'
        '"“Spotlight Interviews with Co-operators” is a series of interviews with cooperative '
        "and wider social and solidarity economy (SSE) policy makers, researchers and "
        "practitioners from around the world with whom ILO officials have crossed paths "
        "during the course of their work. On this occasion, the ILO interviewed Sung Ho Kim "
        'from the International Cooperation Department at KFCC.",,,,,\r\n'
        "2021-10-28-ilo-country-briefs,news,ILO country briefs from the Social and Solidarity "
        "Economy project in Asia,2021-10-28,,,,,,\r\n"
    )


def test_export_csv_suffix_picks_format(run: Run, seeded: Path, isolated: Path) -> None:
    out = isolated / "news.csv"
    result = run("export", "-o", str(out))
    assert result.stderr == f"Wrote 10 items to {out} (csv)\n"
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert rows[0] == list(csvformat.COLUMNS)
    assert len(rows) == 11


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("'quoted", "''quoted"),
        ("plain", "plain"),
        ("a=b", "a=b"),
    ],
)
def test_neutralise_and_restore(cell: str, written: str) -> None:
    assert csvformat.neutralise(cell) == written
    assert csvformat.restore(written) == cell


def test_a_quote_typed_in_a_spreadsheet_stays(run: Run, news_file: Path, isolated: Path) -> None:
    path = isolated / "in.csv"
    path.write_text("title,date\n'Tis the season,2021-12-01\n", encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert 'title = "\'Tis the season"' in news_file.read_text(encoding="utf-8")


def test_formula_in_title_round_trips_through_cli(
    run: Run, news_file: Path, isolated: Path
) -> None:
    assert run("add", "--type", "news", "--title", "=1+2", "--date", "2021-10-01").exit_code == 0
    out = isolated / "out.csv"
    run("export", "-o", str(out))
    assert "'=1+2" in out.read_text(encoding="utf-8")
    target = isolated / "again.toml"
    result = run("--file", str(target), "import", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "Imported 1 item\n"
    assert 'title = "=1+2"' in target.read_text(encoding="utf-8")


def test_import_csv_any_column_order_labels_and_written_dates(
    run: Run, news_file: Path, isolated: Path
) -> None:
    path = isolated / "sheet.csv"
    path.write_text(
        "Date,Title,Type,Tags\n"
        "29 October 2021,First,Spotlight Interviews with Co-operators,a; b\n"
        "2021-10-30,Second,,\n",
        encoding="utf-8",
    )
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "Imported 2 items\n"
    listed = run("list", "--format", "tsv").stdout
    assert listed == (
        "2021-10-30-second\t2021-10-30\tnews\tSecond\n"
        "2021-10-29-first\t2021-10-29\tspotlight\tFirst\n"
    )
    assert 'tags = [\n    "a",\n    "b",\n]' in news_file.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "in.csv: empty file: expected a header row"),
        ("title,date,colour\nx,2021-01-01,red\n", "in.csv:1: unknown column 'colour'"),
        ("title,summary\nx,y\n", "in.csv:1: no 'date' column in the header"),
        ("title,date\nx,2021-01-01,extra\n", "in.csv:2: 3 cells but the header names 2 columns"),
        (
            'title,date\n"unclosed,2021-01-01\n',
            "in.csv:2: invalid CSV: unexpected end of data (a quote left open?)",
        ),
    ],
)
def test_broken_csv_is_refused(
    run: Run, seeded: Path, isolated: Path, content: str, message: str
) -> None:
    before = seeded.read_bytes()
    path = isolated / "in.csv"
    path.write_text(content, encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path.parent}/{message}")
    assert seeded.read_bytes() == before


def test_a_row_with_a_bad_date_is_reported_with_the_others(
    run: Run, seeded: Path, isolated: Path
) -> None:
    before = seeded.read_bytes()
    path = isolated / "in.csv"
    path.write_text("title,date\nok,2021-01-01\nbad,someday\nworse,2021-02-30\n")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"  {path}:3: entry 2 ('bad'): cannot understand the date 'someday' (use YYYY-MM-DD, "
        "'29 October 2021', 'today', 'yesterday' or '3 days ago')",
        f"  {path}:4: entry 3 ('worse'): impossible date '2021-02-30': day is out of range "
        "for month",
        "Error: 2 entries cannot be imported, so nothing was (--skip-invalid imports the others)",
    ]
    assert seeded.read_bytes() == before


def test_rows_without_title_or_date_are_skipped(run: Run, news_file: Path, isolated: Path) -> None:
    path = isolated / "in.csv"
    path.write_text("title,date\n,2021-01-01\nno date,\nfine,2021-01-02\n,\n", encoding="utf-8")
    assert run("import", str(path)).exit_code == 1
    result = run("import", "--skip-invalid", str(path))
    assert result.exit_code == 0
    assert result.stderr == (
        f"Warning: skipped invalid entry: {path}:2: entry 1: no title\n"
        f"Warning: skipped invalid entry: {path}:3: entry 2 ('no date'): no date\n"
        "Imported 1 item, skipped 2 invalid entries\n"
        "1 entry has no date: --undated today or --undated feed imports such entries\n"
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=news_files())
def test_csv_export_then_import_is_identity(doc: NewsFile) -> None:
    data = csvformat.export(doc).encode("utf-8")
    empty = NewsFile()
    report = merge(empty, [("x.csv", csvformat.read(data, "x.csv"))])
    assert not report.invalid
    assert not report.duplicates
    assert NewsFile(items=empty.items).to_data() == NewsFile(items=doc.items).to_data()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=news_files(max_items=3))
def test_csv_round_trip_through_files(doc: NewsFile) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.csv"
        path.write_bytes(csvformat.export(doc).encode("utf-8"))
        from coopcli import importer

        _, result = importer.read(importer.read_input(str(path)))
        store = Store(Path(tmp) / "news.json")
        with store.transaction() as target:
            merge(target, [(str(path), result)])
        assert store.load().to_data()["items"] == NewsFile(items=doc.items).to_data()["items"]


@pytest.mark.parametrize("separator", [";", "\t"])
def test_semicolon_and_tab_separated_with_bom(
    run: Run, news_file: Path, isolated: Path, separator: str
) -> None:
    path = isolated / "excel.dat"
    text = separator.join(["Title", "Date", "Summary"]) + "\r\n"
    text += separator.join(['"One, two"', "1 November 2021", "3,5 %"])
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    # A suffix that names no format: the content tells, and coopcli says so.
    assert result.stderr == f"{path}: read as csv (told by its content)\nImported 1 item\n"
    assert run("show", "2021-11-01", "--format", "json").stdout.count('"3,5 %"') == 1
