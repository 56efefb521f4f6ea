"""The AWS region a request is addressed to, which the service writes into the ARNs it answers.

Over HTTP, a signed request names it in its SigV4 credential scope
(``Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/swf/aws4_request, ...``); in process,
the transport passes the boto3 client's own region. An unsigned request names none: it gets
:data:`DEFAULT_REGION`. Reading the scope checks nothing: a server given credentials verifies the
signature itself (:mod:`~simpleflow.localswf.auth`).
"""

from __future__ import annotations

import re

#: The region of a request that names none (unsigned, or signed in another scheme).
DEFAULT_REGION = "us-east-1"
_SIGV4 = "AWS4-HMAC-SHA256"
# What a region name can be (us-east-1, cn-north-1, us-gov-west-1, ...): it is written into ARNs, so
# nothing else from a header gets there.
_REGION_NAME = re.compile(r"[a-z]{2,}(-[a-z0-9]+){1,4}")


def region_from_authorization(header: str | None) -> str:
    """The region of a SigV4 ``Authorization`` header's credential scope, else :data:`DEFAULT_REGION`."""
    if not header or not header.startswith(_SIGV4):
        return DEFAULT_REGION
    _, found, rest = header.partition("Credential=")
    if not found:
        return DEFAULT_REGION
    # The scope is <access key>/<date>/<region>/<service>/aws4_request; the access key has no "/".
    scope = rest.split(",", 1)[0].strip().split("/")
    if len(scope) != 5 or _REGION_NAME.fullmatch(scope[2]) is None:
        return DEFAULT_REGION
    return scope[2]
