"""Vigil's framework package: alert lifecycle, query builders, event store, messaging."""
