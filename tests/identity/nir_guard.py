"""Watches a whole test run's logs for clear NIRs (the demo and test NIRs, spaced or compact).

Hooked into tests/conftest.py: every log record of the run goes through a handler that renders it as the
configured console handler does (RedactNirFilter + RedactingFormatter), and also looks at the raw message of
our own loggers (`opencpf.*`: our code must never even try to log a NIR). At the end of the run, any hit
fails the run with the list of offending records.
"""

from __future__ import annotations

import logging
import re

from opencpf.core.logging import RedactingFormatter, RedactNirFilter

TEST_NIRS = [
    "1 85 05 78 006 084 91",
    "2 90 12 69 123 456 52",
    "2 88 03 75 056 123 53",
    "1 92 01 69 387 045 79",
    "1 75 12 2A 004 001 04",
]


def known_nirs() -> list[str]:
    nirs = list(TEST_NIRS)
    from django.apps import apps

    if apps.ready:  # the demo's NIRs too (the fixed list already holds them)
        from opencpf.web.demo import DEMO_HOLDERS

        nirs += [h.nir for h in DEMO_HOLDERS]
    return sorted(set(nirs))


def _patterns() -> list[re.Pattern[str]]:
    out = []
    for nir in known_nirs():
        compact = nir.replace(" ", "")
        body = r"[\s.\-]?".join(re.escape(c) for c in compact[:13])  # with or without separators, key optional
        out.append(re.compile(body, re.IGNORECASE))
    return out


def find_nirs(text: str) -> list[str]:
    return [p.pattern for p in _patterns() if p.search(text or "")]


class NirLeakHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.addFilter(RedactNirFilter())
        self.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        self.leaks: list[str] = []
        self.records = 0

    def handle(self, record: logging.LogRecord) -> bool:
        # Raw message of our own code, before any redaction.
        # "opencpf.test*" loggers are tests that log a NIR on purpose to check the redaction itself.
        if record.name.startswith("opencpf") and not record.name.startswith("opencpf.test"):
            try:
                raw = record.getMessage()
            except Exception:
                raw = str(record.msg)
            if find_nirs(raw):
                self.leaks.append(f"raw message of {record.name}: {record.msg!r}"[:300])
        return super().handle(record)

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        text = self.format(record)
        if find_nirs(text):
            self.leaks.append(f"formatted record of {record.name}"[:300])


_handler = NirLeakHandler()


def install() -> NirLeakHandler:
    for name in ("", "django", "django.server", "django.request", "axes"):
        logger = logging.getLogger(name)
        if _handler not in logger.handlers:
            # First, so that it sees raw records before the console handler's filter redacts them in place.
            logger.handlers.insert(0, _handler)
    logging.getLogger("opencpf").setLevel(logging.DEBUG)  # our own debug records are watched too
    return _handler


def pytest_sessionstart(session) -> None:  # type: ignore[no-untyped-def]
    install()


def pytest_sessionfinish(session, exitstatus) -> None:  # type: ignore[no-untyped-def]
    if _handler.leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"CLEAR NIR IN LOGS ({len(_handler.leaks)}):", red=True)
            for leak in _handler.leaks[:20]:
                reporter.write_line(f"  {leak}", red=True)
        session.exitstatus = 1
