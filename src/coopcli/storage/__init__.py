"""The item file on disk: reading, the atomic locked write, append, backup, the index cache."""
