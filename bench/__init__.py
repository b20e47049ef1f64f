"""Vigil's benchmarks: `python -m bench [name ...]` runs bench/<name>.py modules."""
