"""Helpers of the boilerplate pass: script folding, rule files, header parsing,
link lists and batch line statistics. Pure functions and frozen data only."""
