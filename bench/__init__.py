"""Benchmarks (``python -m bench [part ...]``): not tests, nothing asserts."""
