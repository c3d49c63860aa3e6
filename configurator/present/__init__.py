"""Telling people about bundles: ``explain`` for one case, the reduction ``report`` for many, and
the semantic diff between two versions. Text, Markdown, CSV and JSON; no files, no web.
"""
