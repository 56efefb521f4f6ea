"""SWF faults as the service returns them: SWF's own fault names, in the JSON 1.0 error shape."""

from __future__ import annotations


class SWFFault(Exception):
    """Raised by the service for any request SWF would refuse; ``code`` is SWF's fault name.

    Transports turn it into an HTTP error with body ``{"__type": "...#<code>", "message": ...}``, which
    botocore parses into a ``ClientError`` whose ``Error.Code`` is ``code``.
    """

    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

    def to_body(self) -> dict[str, str]:
        """The error document of the JSON 1.0 protocol."""
        return {"__type": f"com.amazonaws.swf.base.model#{self.code}", "message": self.message}


def unknown_resource(message: str) -> SWFFault:
    """SWF's answer for a domain, type, execution or task token it does not know."""
    return SWFFault("UnknownResourceFault", message)


def validation_error(message: str) -> SWFFault:
    """SWF's answer for a request that breaks the API's constraints."""
    return SWFFault("ValidationException", message)
