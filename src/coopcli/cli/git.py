"""Commands for keeping the item file in git: ``merge-file``, ``git-setup``, ``check``."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coopcli.cli import render
from coopcli.cli.context import open_list
from coopcli.cli.options import FileOption
from coopcli.core.dates import today

if TYPE_CHECKING:
    from coopcli.storage.check import Problem

commands = typer.Typer()


@commands.command("merge-file", short_help="The merge driver git runs (see git-setup).")
def merge_file(
    base: Annotated[str, typer.Argument(metavar="BASE", help="The common ancestor (git's %O).")],
    ours: Annotated[
        str, typer.Argument(metavar="OURS", help="Our version; the result is written here (%A).")
    ],
    theirs: Annotated[str, typer.Argument(metavar="THEIRS", help="Their version (%B).")],
    path: Annotated[
        str | None,
        typer.Option(
            "--path",
            metavar="PATH",
            help="The item file's path in the repository (%P): its format, and where "
            "<file>.conflict goes. Default: guessed from the contents.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Merge two versions of an item file item by item (git's merge driver).

    Exit status 1 on a conflict: the file still loads, and theirs is in <file>.conflict.

    Example: coopcli merge-file base.toml ours.toml theirs.toml --path news.toml
    """

    from coopcli.git.driver import merge_files

    outcome = merge_files(Path(base), Path(ours), Path(theirs), path)
    for line in outcome.report:
        render.info(line)
    raise typer.Exit(outcome.exit_code)


@commands.command("git-setup", short_help="Let git merge the item file item by item.")
def git_setup(ctx: typer.Context, file: FileOption = None) -> None:
    """Let git merge the item file item by item; ignore coopcli's side files.

    The item file must be in the repository; each clone runs this once.

    Example: coopcli --file data/news.toml git-setup
    """
    from coopcli.git.setup import set_up

    root, steps = set_up(open_list(ctx, file).path)
    render.info(f"git repository: {root}")
    for step in steps:
        render.info(("  done: " if step.changed else "  ok:   ") + step.text)
    if any(step.changed for step in steps):
        render.info(
            "Commit .gitattributes and .gitignore; everyone else runs `coopcli git-setup` "
            "once in their clone (git does not share its config)."
        )
    else:
        render.info("Nothing to do: already set up.")


def _merge_in_progress(path: Path, name: str) -> list[Problem]:
    """A problem while git still has the file unmerged and theirs' side waits in .conflict."""
    from coopcli.git.state import conflict_state
    from coopcli.storage.check import Problem

    state = conflict_state(path)
    if state is None or not state.merging:
        return []
    message = (
        f"merge in progress: theirs' version of each conflicting item is in {state.path}; "
        f"fix {name} (coopcli edit, or your editor), then `git add {name}` "
        "and the .conflict file goes"
    )
    return [Problem(name, "merge-in-progress", message)]


class CheckFormat(str, enum.Enum):
    """How ``check`` reports problems."""

    text = "text"
    json = "json"


@commands.command(short_help="Check item files; every problem on a line.")
def check(
    ctx: typer.Context,
    files: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[FILE]...",
            help="Item files to check. Default: the item file (--file, $COOPCLI_FILE…).",
            show_default=False,
        ),
    ] = None,
    tolerance: Annotated[
        int,
        typer.Option(
            "--tolerance",
            min=0,
            metavar="DAYS",
            help="Dates up to DAYS days after today are fine; later ones are problems.",
        ),
    ] = 1,
    format: Annotated[
        CheckFormat,
        typer.Option("--format", "-F", help="text: one line per problem; json: a report."),
    ] = CheckFormat.text,
    file: FileOption = None,
) -> None:
    """Check item files for every problem, one line each.

    Looks at the schema, duplicate ids, duplicate title and date, future dates, URLs,
    titles and summaries longer than the config's limits, and git conflicts (during a
    merge it names the .conflict file). Exit status 0 when all is well, 1 with one
    line per problem (for pre-commit or CI).

    Example: coopcli check data/news.toml --tolerance 7
    """

    day = today()
    lists = [open_list(ctx, name) for name in files] if files else [open_list(ctx, file)]
    reports = [news.check(today=day, tolerance=tolerance) for news in lists]
    for news, report in zip(lists, reports, strict=True):
        report.problems.extend(_merge_in_progress(news.path, report.file))
    problems = [problem for report in reports for problem in report.problems]
    if format is CheckFormat.json:
        document = {
            "ok": not problems,
            "files": [
                {"file": r.file, "items": r.items, "problems": len(r.problems)} for r in reports
            ],
            "problems": [problem.to_json() for problem in problems],
        }
        render.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        render.write("".join(f"{problem}\n" for problem in problems))
        for report in reports:
            count = len(report.problems)
            if count:
                render.info(f"{report.file}: {count} problem{'s' if count != 1 else ''}")
            else:
                render.info(f"{report.file}: ok ({report.items} items)")
    if problems:
        raise typer.Exit(1)
