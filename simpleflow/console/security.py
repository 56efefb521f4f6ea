"""Who may use the console and how: loopback or a token, a Host check, and cross-site request checks.

- The console binds loopback by default. Any other address needs ``allow_remote`` and then an access
  token: every request carries it (a cookie set by the ``?token=`` link printed at start-up, or an
  ``Authorization: Bearer`` header), so a colleague on the network cannot read or steer executions.
- The ``Host`` header must name the console itself: a hostile page cannot reach it through a DNS name
  rebound to 127.0.0.1.
- An action (a POST) must come from the console's own pages: the form carries this process's CSRF
  secret, and a browser's ``Origin`` (or ``Referer``) must be the console's origin.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from simpleflow.console.errors import ConsoleRequestError
from simpleflow.exceptions import ConfigurationError

TOKEN_COOKIE = "simpleflow_console_token"
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``127.0.0.0/8``, ``::1`` or ``localhost``)."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_and_port(value: str) -> tuple[str, int | None]:
    parsed = urlsplit("//" + value)
    try:
        port = parsed.port
    except ValueError:
        return value.lower(), -1
    return (parsed.hostname or "").lower(), port


@dataclass(frozen=True)
class Guard:
    """The console's security settings for one process (see the module docstring).

    ``access_token`` is None on loopback without ``--token``: then anyone who can open a socket on this
    machine may use the console, as with the embedded SWF service itself.
    """

    host: str
    port: int
    read_only: bool = False
    access_token: str | None = None
    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @classmethod
    def for_binding(
        cls, host: str, port: int, *, allow_remote: bool, token: str | None, read_only: bool
    ) -> Guard:
        """The guard of a console bound to ``host:port``; a token is generated for a remote binding.

        Raises ConfigurationError for a non-loopback ``host`` without ``allow_remote``.
        """
        if not is_loopback(host) and not allow_remote:
            raise ConfigurationError(
                f"--host {host} is not a loopback address: add --allow-remote to serve the console "
                "to the network (it then requires a token)"
            )
        if token is not None and len(token) < 16:
            raise ConfigurationError("--token must be at least 16 characters")
        if token is None and not is_loopback(host):
            token = secrets.token_urlsafe(24)
        return cls(host=host, port=port, read_only=read_only, access_token=token)

    def _allowed_hosts(self) -> set[str]:
        hosts = {self.host.lower()}
        if is_loopback(self.host):
            hosts |= {"localhost", "127.0.0.1", "::1"}
        if self.host in ("0.0.0.0", "::"):
            # Bound to every address: the browser may use any name of this machine; the token guards it.
            return set()
        return hosts

    def check_host(self, host_header: str | None) -> None:
        """Refuse a request whose ``Host`` header does not name this console (DNS rebinding)."""
        if not host_header:
            raise ConsoleRequestError("a Host header is required", status=400)
        host, port = _host_and_port(host_header)
        allowed = self._allowed_hosts()
        if (allowed and host not in allowed) or (port is not None and port != self.port):
            raise ConsoleRequestError(f"this console does not serve the host {host_header!r}", status=421)

    def is_authorized(
        self, *, cookie_header: str | None, authorization: str | None, query_token: str | None
    ) -> bool:
        """Whether a request carries the access token (always true when there is none)."""
        if self.access_token is None:
            return True
        candidates = [query_token]
        if authorization and authorization.lower().startswith("bearer "):
            candidates.append(authorization[7:].strip())
        if cookie_header:
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(cookie_header)
            except Exception:
                cookie = SimpleCookie()
            if TOKEN_COOKIE in cookie:
                candidates.append(cookie[TOKEN_COOKIE].value)
        return any(
            candidate is not None and hmac.compare_digest(candidate.encode(), self.access_token.encode())
            for candidate in candidates
        )

    def check_action(self, form: Mapping[str, str], *, headers: Mapping[str, str | None]) -> None:
        """Refuse an action that is turned off, lacks this process's CSRF secret or comes from elsewhere."""
        if self.read_only:
            raise ConsoleRequestError("this console is read-only (--read-only): actions are off", status=403)
        sent = form.get("csrf", "")
        if not hmac.compare_digest(sent.encode(), self.csrf_token.encode()):
            raise ConsoleRequestError(
                "the form's security token is missing or stale: reload the page and try again", status=403
            )
        origin = headers.get("origin") or headers.get("referer")
        if origin and origin != "null":
            parsed = urlsplit(origin)
            if (
                parsed.scheme not in ("http", "https")
                or parsed.netloc.lower() != (headers.get("host") or "").lower()
            ):
                raise ConsoleRequestError(f"cross-site request refused (from {origin})", status=403)
        elif origin == "null":
            raise ConsoleRequestError("cross-site request refused (opaque origin)", status=403)
