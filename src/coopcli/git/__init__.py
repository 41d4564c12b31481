"""Keeping a list in git: the merge driver and ``git-setup``."""
