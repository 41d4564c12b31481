"""The ``coopcli`` entry point, and ``python -m coopcli``.

``coopcli --version`` is answered before the command line machinery is imported:
scripts and shell prompts ask it often, and it should cost no more than starting
Python.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run coopcli with the process's arguments."""
    if sys.argv[1:] in (["--version"], ["-V"]):
        from coopcli import __version__

        sys.stdout.write(f"coopcli {__version__}\n")
        return
    from coopcli.cli.app import main as run

    run()


if __name__ == "__main__":
    main()
