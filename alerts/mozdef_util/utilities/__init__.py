"""MozDef's `mozdef_util.utilities`: toUTC, DotDict and logger, re-exported from `lib`."""
