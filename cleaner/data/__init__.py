"""Data tables built by scripts/ (see each file's "about" for its source and licence)."""
