"""Run every benchmark under bench/ at its small default size."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    only = set(argv)
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))
    failed = []
    for name in names:
        if only and name not in only:
            continue
        module = importlib.import_module(f"bench.{name}")
        entry = getattr(module, "main", None)
        if entry is None:
            continue
        print(f"\n=== bench.{name} ===", flush=True)
        started = time.perf_counter()
        try:
            entry([])
        except Exception as exc:  # report and go on with the others
            failed.append(name)
            print(f"bench.{name} failed: {exc!r}", flush=True)
        print(f"(bench.{name}: {time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
