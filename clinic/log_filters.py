"""Logging filters that keep secrets out of the logs."""

import logging
import re

# A calendar feed address carries its only key in the path: Django logs the path of
# every 404 (an old, revoked address a calendar keeps asking for), so all but the first
# characters of the token are cut before the record is written.
_FEED_TOKEN = re.compile(r"(/calendar/[A-Za-z0-9_-]{4})[^/\s\"']*\.ics")


class HideCalendarFeedTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = _FEED_TOKEN.sub(r"\1….ics", message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True
