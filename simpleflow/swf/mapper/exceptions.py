"""simpleflow 0.x's ``simpleflow.swf.mapper.exceptions``, as this project's SWF errors.

``DoesNotExistError`` is :class:`~simpleflow.exceptions.UnknownResource`; the other 0.x classes are
:class:`~simpleflow.exceptions.SWFError` (whose ``code`` is SWF's fault name, e.g.
``DomainAlreadyExistsFault``), so ``except`` clauses written for 0.x still catch them.
"""

from __future__ import annotations

from typing import Any

from simpleflow.exceptions import SWFError, Throttled, UnknownResource

__all__ = [
    "AlreadyExistsError",
    "DoesNotExistError",
    "InvalidCredentialsError",
    "PollTimeout",
    "RateLimitExceededError",
    "ResponseError",
    "SWFError",
    "extract_error_code",
]

DoesNotExistError = UnknownResource
AlreadyExistsError = SWFError
ResponseError = SWFError
InvalidCredentialsError = SWFError
RateLimitExceededError = Throttled
PollTimeout = SWFError


def extract_error_code(error: Any) -> str | None:
    """SWF's error code of ``error`` (an :class:`SWFError` or a botocore ``ClientError``), or None."""
    code = getattr(error, "code", None)
    if code:
        return str(code)
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None
