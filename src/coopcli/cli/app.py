"""The ``coopcli`` command line: the app, its global options, and its one error exit.

Each command group lives in its own module with its own ``typer.Typer()``; this module
joins them in the order of :data:`GROUPS`, which is also the order ``--help`` lists them.
Heavy modules (Pydantic, Rich, the formats) are imported inside the commands that need
them, so ``coopcli --version`` and ``--help`` start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, MutableMapping
from functools import partial
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from coopcli import __version__
from coopcli.cli import (
    backup,
    exporting,
    git,
    importing,
    init,
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

#: How to build each command, by name (filled in at the end of this module).
_DEFINED: dict[str, Callable[[], Any]] = {}


class _Commands(MutableMapping[str, Any]):
    """The commands by name, each built from its definition when first asked for.

    Typer would turn every command's signature into Click parameters on every run
    (about 40 ms for twenty commands); a run needs only the one it runs. ``--help``
    and completion ask for them all.
    """

    def __init__(self, built: MutableMapping[str, Any], defined: dict[str, Callable[[], Any]]):
        self._built = dict(built)
        self._defined = {name: make for name, make in defined.items() if name not in built}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            self._built[name] = self._defined.pop(name)()
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._defined.pop(name, None)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        if self._defined.pop(name, None) is None:
            del self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter([*self._built, *self._defined])

    def __len__(self) -> int:
        return len(self._built) + len(self._defined)


class CoopGroup(TyperGroup):
    """The one place where domain errors become a message and an exit code."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(self.commands, _DEFINED)

    #: The order commands are listed in (help, completion): everyday work first.
    ORDER = (
        "init",
        "add",
        "list",
        "search",
        "show",
        "edit",
        "remove",
        "publish",
        "tags",
        "export",
        "import",
        "site",
        "links",
        "stats",
        "log",
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

    #: Options whose value may be left out (then: the shell coopcli runs in).
    OPTIONAL_VALUE = ("--install-completion", "--show-completion")

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if os.environ.get("_COOPCLI_COMPLETE"):
            # Typer registers its shells only with its own completion options, which
            # coopcli replaces (see the root's --show-completion).
            from typer._completion_classes import completion_init

            completion_init()
        return super().main(*args, **kwargs)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # Typer has no options with an optional value: give these an empty one.
        given = list(args)
        for n in range(len(given) - 1, -1, -1):
            if given[n] in self.OPTIONAL_VALUE and (
                n + 1 == len(given) or given[n + 1].startswith("-")
            ):
                given.insert(n + 1, "")
        result: list[str] = super().parse_args(ctx, given)
        return result

    # Typed Any: Click's own Context class is private to Typer's vendored copy.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CoopError as exc:
            render.error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            _new_line()
            render.error("interrupted; nothing was written")
            raise typer.Exit(130) from None
        except typer.Abort as exc:
            # A prompt turns Ctrl-C (and Ctrl-D) into Abort; say it our way, on a
            # line of its own rather than after the echoed ^C.
            _new_line()
            if isinstance(exc.__context__, KeyboardInterrupt):
                render.error("interrupted; nothing was written")
                raise typer.Exit(130) from None
            render.error("no answer (end of input); nothing was written")
            raise typer.Exit(1) from None


def _new_line() -> None:
    """End the line a terminal shows ``^C`` on, so the message starts a line of its own."""
    if sys.stderr.isatty():
        render.info("")


app = typer.Typer(
    name="coopcli",
    cls=CoopGroup,
    no_args_is_help=True,
    # Typer's own completion options ignore a shell named after them (they always
    # use the shell they detect); coopcli's take the name.
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        render.write(f"coopcli {__version__}\n")
        raise typer.Exit()


def _show_completion(ctx: typer.Context, value: str | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    from coopcli.cli.completion import completion_script

    try:
        render.write(completion_script(value) + "\n")
    except CoopError as exc:
        render.error(str(exc))
        raise typer.Exit(exc.exit_code) from None
    raise typer.Exit()


def _install_completion(ctx: typer.Context, value: str | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    from coopcli.cli.completion import install_completion

    try:
        shell, path = install_completion(value)
    except CoopError as exc:
        render.error(str(exc))
        raise typer.Exit(exc.exit_code) from None
    render.info(f"{shell} completion installed in {path}; it works in new {shell} sessions")
    raise typer.Exit()


ShellOption = "[SHELL]"


@app.callback()
def root(
    ctx: typer.Context,
    file: FileOption = None,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    install_completion: Annotated[
        str | None,
        typer.Option(
            "--install-completion",
            metavar=ShellOption,
            callback=_install_completion,
            expose_value=False,
            is_eager=True,
            show_default=False,
            help="Install completion for SHELL (bash, zsh, fish, powershell; "
            "default: the shell you are in).",
        ),
    ] = None,
    show_completion: Annotated[
        str | None,
        typer.Option(
            "--show-completion",
            metavar=ShellOption,
            callback=_show_completion,
            expose_value=False,
            is_eager=True,
            show_default=False,
            help="Print the completion script for SHELL (default: the shell you are in).",
        ),
    ] = None,
) -> None:
    """Keep an organisation's news list in a plain TOML or JSON file, and publish it.

    The file holds the list's title, link and description (feeds and pages show
    them), a [types] table of its own item types (key = "Label") besides the
    built-in ones, and the items. `coopcli init` starts one; `coopcli CMD --help`
    tells more about each command.

    Example: coopcli init --title "Cooperative news" --link https://example.org/news

    Example: coopcli list --type spotlight --since 2021-10
    """
    ctx.obj = Invocation(file)


def main() -> NoReturn:
    """Entry point of the ``coopcli`` script."""
    app(prog_name="coopcli")
    raise SystemExit(0)  # pragma: no cover - app() always exits


#: The command groups, everyday work first.
GROUPS = (
    init,
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
    for _command in _group.commands.registered_commands:
        assert _command.callback is not None
        _name = _command.name or typer.main.get_command_name(_command.callback.__name__)
        _DEFINED[_name] = partial(
            typer.main.get_command_from_info,
            _command,
            pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=app.rich_markup_mode,
        )
    for _sub in _group.commands.registered_groups:
        _name = typer.main.solve_typer_info_defaults(_sub).name
        assert _name is not None
        _DEFINED[_name] = partial(
            typer.main.get_group_from_info,
            _sub,
            pretty_exceptions_short=app.pretty_exceptions_short,
            suggest_commands=True,
            rich_markup_mode=app.rich_markup_mode,
        )
