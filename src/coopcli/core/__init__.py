"""The rules of a news list: models, types, ids, dates, filters, search, merge.

Pure functions and Pydantic models: no file access, no Typer, no Rich.
"""
