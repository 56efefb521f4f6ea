"""The console's errors: a missing extra, and a request the console refuses (with its HTTP status)."""

from __future__ import annotations

from simpleflow.exceptions import ConfigurationError, SimpleflowError

#: How to get what the console needs; the CLI prints it when the extra is missing.
INSTALL_HINT = "pip install 'simpleflow[console]'"


class ConsoleUnavailable(ConfigurationError):
    """Raised when the packages of the ``console`` extra are not installed."""

    def __init__(self, missing: str) -> None:
        super().__init__(f"the web console needs the 'console' extra ({missing} is missing): {INSTALL_HINT}")
        self.missing = missing


class ConsoleRequestError(SimpleflowError):
    """Raised when a console request is refused or cannot be answered; ``status`` is its HTTP status."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
