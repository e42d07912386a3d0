"""Rule files (TOML data), shipped inside the package as ``cleaner.rules``."""
