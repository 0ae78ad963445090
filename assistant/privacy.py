"""Personal data out before anything is logged or stored.

``redact(text)`` replaces Swedish personnummer and samordningsnummer, Swedish
phone numbers and e-mail addresses with Swedish placeholder tokens::

    >>> redact("Eleven 19121212-1212 bor hos mamma, ring 070-123 45 67.")
    ('Eleven [personnummer] bor hos mamma, ring [telefonnummer].', ['personnummer', 'telefonnummer'])

A personnummer must be a real date (day + 60 for a samordningsnummer) and pass
the Luhn check on its 10-digit form, so case numbers such as "2016:21" or
"106-360/2016" are left alone. ``RedactingFilter`` does the same to log records.
"""
from __future__ import annotations

import logging
import re

TOKENS = {
    "personnummer": "[personnummer]",
    "samordningsnummer": "[personnummer]",
    "telefonnummer": "[telefonnummer]",
    "e-post": "[e-post]",
}

# YYMMDD-NNNN, YYMMDD+NNNN, YYMMDDNNNN, YYYYMMDD-NNNN, YYYYMMDDNNNN
_PNR = re.compile(r"(?<![\w+\-/:.,])(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{4})(?![\w\-/:]|[.,]\d)")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
# +46 70 123 45 67 / 0046 8 123 45 67 / 070-123 45 67 / 08-508 25 471 / 0701234567
_PHONE = re.compile(
    r"(?<![\w+\-/:.,])"
    r"(?:(?:\+|00)46[\s-]?(?:\(0\)[\s-]?)?[1-9]\d{0,2}|0[1-9]\d{0,3})"
    r"(?:[\s-]?\d{2,4}){1,4}"
    r"(?![\w\-/:]|[.,]\d)")


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum used by personnummer (on the 10-digit form)."""
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _pnr_kind(m: re.Match) -> str | None:
    century, yy, mm, dd, _, tail = m.groups()
    if century is not None and century not in ("18", "19", "20"):
        return None
    month, day = int(mm), int(dd)
    if not 1 <= month <= 12:
        return None
    kind = "personnummer"
    if day > 60:
        day -= 60
        kind = "samordningsnummer"
    if not 1 <= day <= 31:
        return None
    return kind if luhn_ok(yy + mm + dd + tail) else None


def _phone_ok(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    if number.startswith("+") or number.startswith("00"):
        national = digits[4:] if number.startswith("00") else digits[2:]
        return 7 <= len(national) <= 9
    return 8 <= len(digits) <= 10


def redact(text: str) -> tuple[str, list[str]]:
    """Replace personal data with tokens.

    Returns:
        The redacted text and the kinds found ("personnummer", "samordningsnummer",
        "telefonnummer", "e-post"), each once, in the order first found.
    """
    if not text:
        return text, []
    found: list[str] = []

    def note(kind: str) -> str:
        if kind not in found:
            found.append(kind)
        return TOKENS[kind]

    def pnr(m: re.Match) -> str:
        kind = _pnr_kind(m)
        return note(kind) if kind else m.group(0)

    def phone(m: re.Match) -> str:
        return note("telefonnummer") if _phone_ok(m.group(0)) else m.group(0)

    text = _EMAIL.sub(lambda m: note("e-post"), text)
    text = _PNR.sub(pnr, text)
    text = _PHONE.sub(phone, text)
    return text, found


def redact_text(text: str) -> str:
    return redact(text)[0]


class RedactingFilter(logging.Filter):
    """Redacts every record's message; strips query strings from uvicorn's access lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) >= 3:
            # uvicorn's AccessFormatter unpacks the args tuple: keep its shape
            args = [redact_text(a) if isinstance(a, str) else a for a in record.args]
            args[2] = str(args[2]).split("?", 1)[0]
            record.args = tuple(args)
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the caller's bug; still redact what we have
            message = str(record.msg)
        clean = redact_text(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True


LOGGERS = ("", "gradio", "uvicorn", "uvicorn.error", "uvicorn.access", "httpx", "handbok", "assistant")


def install_log_redaction(names: tuple[str, ...] = LOGGERS) -> RedactingFilter:
    """Put one ``RedactingFilter`` on the named loggers and on their handlers (idempotent).

    A logger's filter only sees records logged on that logger; records of child
    loggers reach the handlers, which is why the handlers get the filter too.
    """
    existing = [f for f in logging.getLogger().filters if isinstance(f, RedactingFilter)]
    flt = existing[0] if existing else RedactingFilter()
    for name in names:
        logger = logging.getLogger(name)
        if flt not in logger.filters:
            logger.addFilter(flt)
        for handler in logger.handlers:
            if flt not in handler.filters:
                handler.addFilter(flt)
    return flt


def uninstall_log_redaction(names: tuple[str, ...] = LOGGERS) -> None:
    """Take the filters off again (tests that launched a server in-process)."""
    for name in names:
        logger = logging.getLogger(name)
        for owner in [logger, *logger.handlers]:
            for flt in [f for f in owner.filters if isinstance(f, RedactingFilter)]:
                owner.removeFilter(flt)
