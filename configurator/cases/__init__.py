"""Running submitted applications as durable cases on Temporal (docs/cases.md)."""
