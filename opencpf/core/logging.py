"""Logging that never carries a NIR: anything shaped like one is masked in every record."""

from __future__ import annotations

import logging
import re

# 13 characters (sex, year, month, department incl. 2A/2B, commune, order) + 2-digit key,
# with or without spaces/dots between groups.
_SEP = r"[\s.\-]?"
NIR_PATTERN = re.compile(
    rf"(?<![\dA-Za-z])[1-478]{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}(?:\d{{2}}|2[ABab]){_SEP}\d{{3}}{_SEP}\d{{3}}"
    rf"(?:{_SEP}\d{{2}})?(?![\dA-Za-z])"
)
MASK = "[NIR masqué]"


def redact(text: str) -> str:
    return NIR_PATTERN.sub(MASK, text)


class RedactNirFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a badly formatted record must still be logged, and still be redacted
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
