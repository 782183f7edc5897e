"""Benchmarks (`fupin bench`, `make bench`): each job of the system timed against a reference
engine on the same data in the same run, on PostgreSQL and SQLite, with its peak memory at 1×, 2×
and 4× the data. Results: bench/results/*.json; the latest table: README.md §Benchmarks."""
