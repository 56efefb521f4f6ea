"""Secrets kept out of the logs: AWS session tokens, signatures and secret keys become ``<redacted>``.

At ``LOG_LEVEL=DEBUG`` botocore logs each request it sends: its headers (``X-Amz-Security-Token``,
``Authorization``) and the canonical request it signs (``x-amz-security-token:...``). Anyone who can read
a decider's or a worker's log could then act with its role until the token expires. Every handler that
simpleflow installs carries :class:`RedactingFilter`, so what reaches the stream has these values masked.
"""

from __future__ import annotations

import logging
import re

__all__ = ["REDACTED", "RedactingFilter", "redact"]

REDACTED = "<redacted>"

# A value as botocore and Python print it: quoted (bytes or str), else up to a separator.
_VALUE = r"""(?:b?'[^']*'|b?"[^"]*"|[^\s,;&}'"]+)"""
_SECRET_NAMES = (
    r"x-amz-security-token|x-amz-signature|"
    r"(?:aws_)?secret_access_key|(?:aws_)?session_token|(?:aws_)?security_token|"
    r"secretaccesskey|sessiontoken|secretkey"
)
_PATTERNS = (
    # 'X-Amz-Security-Token': b'...', x-amz-security-token:..., aws_secret_access_key = ...
    re.compile(rf"""(?i)(['"]?\b(?:{_SECRET_NAMES})['"]?\s*[:=]\s*){_VALUE}"""),
    # 'Authorization': b'AWS4-HMAC-SHA256 Credential=..., Signature=...' (quoted: the whole value)
    re.compile(r"""(?i)(['"]?\bauthorization['"]?\s*[:=]\s*)(?:b?'[^']*'|b?"[^"]*")"""),
    # Authorization: AWS4-HMAC-SHA256 ... (unquoted, as in a header line: up to the end of the line)
    re.compile(r"""(?i)(\bauthorization\s*:\s*)(?!\s*b?['"])[^\r\n]+"""),
    # A signature wherever it is printed on its own.
    re.compile(r"""(?i)(\bsignature=)[0-9a-f]{16,}"""),
)


def redact(text: str) -> str:
    """``text`` with every session token, signature, Authorization value and secret key masked."""
    if not text:
        return text
    for pattern in _PATTERNS:
        text = pattern.sub(rf"\g<1>{REDACTED}", text)
    return text


class RedactingFilter(logging.Filter):
    """Masks secrets in a record's message and traceback (see :func:`redact`); never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that cannot be rendered: the handler reports it, as logging does
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
