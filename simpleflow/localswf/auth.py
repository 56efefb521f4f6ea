"""Checking that requests to the HTTP service are signed, with AWS Signature Version 4, by a known key.

Without credentials the service lets in anyone who can reach its port, which is why it binds to loopback.
Given one access key and its secret (``localswf.start --credentials`` or ``--credentials-file``), every
request must carry a SigV4 signature made with them, as Amazon SWF requires. The signature is recomputed
from the request with botocore's own signer (``botocore.auth.SigV4Auth``: canonical request, string to
sign, signing key) over the headers the client says it signed, and compared in constant time.

Refusals use the faults AWS's JSON protocol front end sends, each a 400:

- no ``Authorization`` header: ``MissingAuthenticationTokenException``;
- another access key: ``UnrecognizedClientException``;
- a malformed header, a scope that is not ``swf``, a signature that does not match, or an ``X-Amz-Date``
  more than five minutes away from the service's clock: ``InvalidSignatureException``, the skew answered
  with AWS's ``Signature expired`` / ``Signature not yet current`` texts.

The secret is never logged nor put in a message, and :class:`Credentials` does not show it in its repr.
"""

from __future__ import annotations

import datetime
import hmac
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials as BotocoreCredentials

from simpleflow.exceptions import ConfigurationError
from simpleflow.localswf.faults import SWFFault

SERVICE_NAME = "swf"
ALGORITHM = "AWS4-HMAC-SHA256"
#: How far a request's ``X-Amz-Date`` may be from the service's clock, either way: the window AWS's JSON
#: services answer ``Signature expired: ... (... - 5 min.)`` past.
MAX_CLOCK_SKEW = datetime.timedelta(minutes=5)
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-f]{64})\s*\Z"
)
_ACCESS_KEY = re.compile(r"[A-Za-z0-9_.\-]{1,128}\Z")


@dataclass(frozen=True)
class Credentials:
    """The one access key the service accepts, and its secret (left out of ``repr``)."""

    access_key: str
    secret_key: str = field(repr=False)


def parse_credentials(spec: str, *, source: str = "--credentials") -> Credentials:
    """``ACCESS_KEY:SECRET`` as :class:`Credentials`; raises ConfigurationError naming ``source``."""
    access_key, colon, secret_key = spec.strip().partition(":")
    if not colon or not access_key or not secret_key:
        raise ConfigurationError(f"{source}: expected ACCESS_KEY:SECRET, e.g. AKIDLOCAL:a-long-secret")
    if not _ACCESS_KEY.match(access_key):
        raise ConfigurationError(f"{source}: the access key may hold only letters, digits, '_', '.' and '-'")
    if any(character.isspace() for character in secret_key):
        raise ConfigurationError(f"{source}: the secret must not contain whitespace")
    return Credentials(access_key, secret_key)


def read_credentials_file(path: str) -> Credentials:
    """The ``ACCESS_KEY:SECRET`` line of a file (blank lines and ``#`` comments skipped)."""
    source = f"--credentials-file {path}"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise ConfigurationError(f"{source}: cannot read it ({reason})") from error
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if len(lines) != 1:
        raise ConfigurationError(f"{source}: expected one ACCESS_KEY:SECRET line, found {len(lines)}")
    return parse_credentials(lines[0], source=source)


class _GivenHeadersSigner(SigV4Auth):
    """botocore's SigV4 signer, over exactly the headers the client listed as signed.

    botocore's own choice leaves out a few headers (``User-Agent``, ``Expect``, ...) that another SDK may
    sign; the headers to verify are the ones the signature covers, so they are the request's list.
    """

    def __init__(self, credentials: BotocoreCredentials, *, region: str, signed: Mapping[str, str]) -> None:
        super().__init__(credentials, SERVICE_NAME, region)
        self._signed = signed

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        headers = HTTPHeaders()
        for name, value in self._signed.items():
            headers[name] = value
        return headers


class SignatureVerifier:
    """Verifies the SigV4 signature of each request against one access key (see the module's text).

    ``clock``: seconds since the epoch (``time.time``), for the skew check.
    """

    def __init__(self, credentials: Credentials, *, clock: Callable[[], float] = time.time) -> None:
        self._credentials = credentials
        self._botocore_credentials = BotocoreCredentials(credentials.access_key, credentials.secret_key)
        self._clock = clock

    def verify(self, *, method: str, path: str, headers: Mapping[str, str], body: bytes) -> None:
        """Return quietly when the request is signed with the service's key; raise ``SWFFault`` if not.

        ``headers``: the request's, with lower-cased names, as received.
        """
        authorization = headers.get("authorization")
        if not authorization:
            raise SWFFault("MissingAuthenticationTokenException", "Request is missing Authentication Token")
        match = _AUTHORIZATION.match(authorization.strip())
        if match is None:
            raise _invalid("The Authorization header is not a well-formed AWS4-HMAC-SHA256 signature")
        scope = match["credential"].split("/")
        if len(scope) != 5 or scope[4] != "aws4_request":
            raise _invalid("The credential scope must be ACCESS_KEY/DATE/REGION/SERVICE/aws4_request")
        access_key, scope_date, region, service = scope[:4]
        if not hmac.compare_digest(access_key.encode(), self._credentials.access_key.encode()):
            raise SWFFault(
                "UnrecognizedClientException", "The security token included in the request is invalid."
            )
        if service != SERVICE_NAME:
            raise _invalid(f"Credential should be scoped to correct service: '{SERVICE_NAME}'.")
        amz_date = headers.get("x-amz-date", "")
        signed_time = _parse_amz_date(amz_date)
        if scope_date != amz_date[:8]:
            raise _invalid(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP"
            )
        self._check_skew(amz_date, signed_time)
        signed_names = match["signed"].split(";")
        if "host" not in signed_names or "x-amz-date" not in signed_names:
            raise _invalid("The request must sign at least the Host and X-Amz-Date headers")
        missing = [name for name in signed_names if name not in headers]
        if missing:
            raise _invalid(f"The signed header {missing[0]!r} is not in the request")
        signed = {name: headers[name] for name in signed_names}
        request = AWSRequest(method=method, url=f"http://{headers['host']}{path}", data=body)
        request.context["timestamp"] = amz_date
        signer = _GivenHeadersSigner(self._botocore_credentials, region=region, signed=signed)
        for name, value in signed.items():
            request.headers[name] = value
        canonical_request = signer.canonical_request(request)
        expected = signer.signature(signer.string_to_sign(request, canonical_request), request)
        if not hmac.compare_digest(expected.encode(), match["signature"].encode()):
            raise _invalid(
                "The request signature we calculated does not match the signature you provided. Check your "
                "AWS Secret Access Key and signing method. Consult the service documentation for details."
            )

    def _check_skew(self, amz_date: str, signed_time: datetime.datetime) -> None:
        now = datetime.datetime.fromtimestamp(self._clock(), tz=datetime.timezone.utc)
        now_text = now.strftime(SIGV4_TIMESTAMP)
        if signed_time < now - MAX_CLOCK_SKEW:
            earliest = (now - MAX_CLOCK_SKEW).strftime(SIGV4_TIMESTAMP)
            raise _invalid(
                f"Signature expired: {amz_date} is now earlier than {earliest} ({now_text} - 5 min.)"
            )
        if signed_time > now + MAX_CLOCK_SKEW:
            latest = (now + MAX_CLOCK_SKEW).strftime(SIGV4_TIMESTAMP)
            raise _invalid(
                f"Signature not yet current: {amz_date} is still later than {latest} ({now_text} + 5 min.)"
            )


def _parse_amz_date(text: str) -> datetime.datetime:
    try:
        return datetime.datetime.strptime(text, SIGV4_TIMESTAMP).replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise _invalid("The request needs an X-Amz-Date header of the form YYYYMMDDTHHMMSSZ") from None


def _invalid(message: str) -> SWFFault:
    return SWFFault("InvalidSignatureException", message)
