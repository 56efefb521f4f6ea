"""simpleflow 0.x's ``ConnectedSWFObject``: something holding an SWF connection.

Here the connection is a boto3 client from :func:`simpleflow.swf.client.make_client`; 0.x's boto2
``connection`` attribute is that same client, and its ``boto3_client`` too.
"""

from __future__ import annotations

import os
from typing import Any

from simpleflow.swf.client import SWFClient, make_client

__all__ = ["RETRIES", "ConnectedSWFObject", "default_client"]

#: How many attempts an SWF call makes (``SWF_CONNECTION_RETRIES``), as in 0.x.
RETRIES = int(os.environ.get("SWF_CONNECTION_RETRIES", "5"))

_default: list[SWFClient] = []


def default_client() -> SWFClient:
    """The client 0.x-style objects use when given none: made once per process."""
    if not _default:
        _default.append(make_client())
    return _default[0]


class ConnectedSWFObject:
    """Holds ``region`` and an SWF client (``connection`` and ``boto3_client`` name the same client)."""

    def __init__(
        self, *args: Any, region: str | None = None, client: SWFClient | None = None, **kwargs: Any
    ) -> None:
        given = client or kwargs.pop("boto3_client", None) or kwargs.pop("connection", None)
        self.boto3_client: SWFClient = given or (make_client(region=region) if region else default_client())
        self.connection = self.boto3_client
        self.region: str = self.boto3_client.meta.region_name
