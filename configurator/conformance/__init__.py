"""Conformance: one corpus of resolved cases, read by every consumer of the artifacts.

The resolved case is the specification (as JSON-Schema-Test-Suite's files are for validators):
``corpus`` writes, per bundle (and region), JSON case files whose expected facts come from the
library's plan; ``runners`` and ``engines`` are thin readers of those files, one per consumer
(explain, the pre-check, form.schema.json, form.ui.json, routing.json, metrics.json, BPMN
engines), each reporting where it disagrees; ``report`` counts and prints the disagreements.
"""
