"""The ``coopcli`` command line: the app, its global options, and its one error exit.

Each command group lives in its own module with its own ``typer.Typer()``; this module
joins them in the order of :data:`GROUPS`, which is also the order ``--help`` lists them.
Heavy modules (Pydantic, Rich, the formats) are imported inside the commands that need
them, so ``coopcli --version`` and ``--help`` start fast.
"""

from __future__ import annotations

from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from coopcli import __version__
from coopcli.cli import (
    backup,
    exporting,
    git,
    importing,
    items,
    links,
    log,
    publish,
    render,
    search,
    settings,
    site,
    stats,
    tags,
)
from coopcli.cli.context import Invocation
from coopcli.cli.options import FileOption
from coopcli.core.errors import CoopError


class CoopGroup(TyperGroup):
    """The one place where domain errors become a message and an exit code."""

    #: The order commands are listed in (help, completion): everyday work first.
    ORDER = (
        "add",
        "list",
        "search",
        "show",
        "edit",
        "remove",
        "export",
        "import",
        "site",
        "stats",
        "config",
        "check",
        "git-setup",
        "merge-file",
        "restore-backup",
    )

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        rank = {name: n for n, name in enumerate(self.ORDER)}
        return sorted(names, key=lambda name: rank.get(name, len(rank)))

    # Typed Any: Click's own Context class is private to Typer's vendored copy.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CoopError as exc:
            render.error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            render.error("interrupted; nothing was written")
            raise typer.Exit(130) from None


app = typer.Typer(
    name="coopcli",
    cls=CoopGroup,
    help="Keep an organisation's news list in a plain TOML or JSON file, and publish it.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        render.write(f"coopcli {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    file: FileOption = None,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Keep an organisation's news list in a plain TOML or JSON file, and publish it.

    Example: coopcli list --type spotlight --since 2021-10
    """
    ctx.obj = Invocation(file)


def main() -> NoReturn:
    """Entry point of the ``coopcli`` script."""
    app(prog_name="coopcli")
    raise SystemExit(0)  # pragma: no cover - app() always exits


#: The command groups, everyday work first.
GROUPS = (
    items,
    publish,
    search,
    exporting,
    importing,
    site,
    stats,
    tags,
    links,
    settings,
    git,
    log,
    backup,
)
for _group in GROUPS:
    app.registered_commands.extend(_group.commands.registered_commands)
    app.registered_groups.extend(_group.commands.registered_groups)
