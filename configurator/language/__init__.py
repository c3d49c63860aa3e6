"""The bundle language: reading YAML with positions, the schema check, conditions, the semantic
rules, and building the frozen model. Bytes in, a model and located diagnostics out.

    loader → schema → modelbuilder → rules, tied together by :mod:`.check`.

Nothing here imports planning, writers, the workspace or the web.
"""
