"""Logging filters: the log shows what went wrong, not every refusal the site meant to make."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """A refusal (4xx: not found, not allowed, bad request) is one line: Django logs a
    PermissionDenied or a SuspiciousOperation with its traceback, which buries the real errors."""

    def filter(self, record):
        status = getattr(record, "status_code", None)
        if status is not None and status < 500 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
