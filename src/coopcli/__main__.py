"""Run coopcli as ``python -m coopcli``."""

from coopcli.cli import main

main()
