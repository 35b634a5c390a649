"""Tools of the project's own build: the documentation site's hooks."""
