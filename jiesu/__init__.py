"""jiesu — 接诉即办: a citizen service hotline."""

__version__ = "0.1.0"
