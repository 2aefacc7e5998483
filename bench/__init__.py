"""Benchmarks (not tests). Each is a module `bench/<name>.py` (or a package `bench/<name>/`) with a
`main(argv: list[str]) -> None` that takes its sizes as options, defaults to a small size, and prints figures.

    python -m bench                 # every benchmark at its small default size (what `make bench` runs)
    python -m bench.<name> --help   # one benchmark, with its full-size options
"""
