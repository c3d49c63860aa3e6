"""Authoring without YAML: turning what a person typed into a form into located edits of the
bundle's text (comments, order and layout kept). Plain functions, usable without Flask."""
