"""A rich progress bar and summary printing shared by the catalogue's commands."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from opencpf.catalogue.importers.base import Summary


@contextlib.contextmanager
def progress_bar(
    label: str, total: int | None, *, quiet: bool = False, stream: Any = None
) -> Iterator[Callable[[int], None]]:
    if quiet:
        yield lambda _n: None
        return
    console = Console(file=stream or sys.stderr)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


def write_summaries(write: Callable[[str], None], summaries: list[Summary], *, max_rejections: int = 20) -> None:
    for s in summaries:
        write(s.as_text())
        for where, reason in s.rejected[:max_rejections]:
            write(f"    rejet {where} : {reason}")
        if len(s.rejected) > max_rejections:
            reasons: dict[str, int] = {}
            for _where, reason in s.rejected:
                key = reason.split("«")[0].strip()
                reasons[key] = reasons.get(key, 0) + 1
            write(f"    … et {len(s.rejected) - max_rejections} autres rejets. Par motif :")
            for key, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
                write(f"      {n} × {key}")
