"""MozDef compatibility path: alerts written for MozDef import from here unchanged.

Re-exports only; the code lives in `lib` (query builders in `lib.query_models`, time
conversion in `lib.utctime`, DotDict in `lib.dot_dict`).
"""
