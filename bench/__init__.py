"""The clinic's benchmark: staff pages, visit logging, exports and the dispatch on a
seeded scratch database, written to docs/benchmarks.md (``python -m bench --help``)."""
