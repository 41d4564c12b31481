"""coopcli: keep an organisation's news list in a plain TOML or JSON file."""

__version__ = "0.1.0"
