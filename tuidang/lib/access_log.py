"""Request lines in logs carry no secret: a volunteer's setup link holds a token that
stays valid until the link is used (up to a day), so its path is logged without it; and
no query string is logged at all (a search by registration number is often the person
looking up their own statement; cursors and filters say what a reader read).
Used by gunicorn's access log (tuidang.lib.gunicorn_logger) and runserver's
(the embedded default, through LOGGING's filter)."""

import logging
import re

# /volunteer/setup/<uidb64>/<token>/ -> /volunteer/setup/-/
_SETUP_LINK = re.compile(r"(/volunteer/setup/)[^\s?#]*")


# A query string, up to the end of the request target.
_QUERY = re.compile(r"\?[^\s\"]*")


def redact_path(text: str) -> str:
    return _QUERY.sub("", _SETUP_LINK.sub(r"\1-/", text))


def request_record_filter(record: logging.LogRecord) -> bool:
    """For loggers whose records carry a request's path (`django.request` logs every 4xx
    and 5xx as "Bad Request: <path>"): redact setup links in the arguments."""
    if isinstance(record.args, tuple):
        record.args = tuple(
            redact_path(arg) if isinstance(arg, str) else arg for arg in record.args
        )
    return True


def server_record_filter(record: logging.LogRecord) -> bool:
    """For runserver's `django.server` logger: drop the "Broken pipe from <address>"
    lines, and redact setup links in the rest."""
    if str(record.msg).startswith("- Broken pipe from"):
        return False
    return request_record_filter(record)
