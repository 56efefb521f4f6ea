"""``nextPageToken`` for every listing: an opaque token holding the sort key of the last item returned.

Keyset paging (``WHERE key > last``) stays right while rows are added between two pages, unlike offsets.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from simpleflow.localswf.faults import validation_error
from simpleflow.localswf.limits import Limits


def encode_page_token(position: Any) -> str:
    """An opaque token for ``position`` (any JSON value)."""
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode()


def decode_page_token(token: str | None) -> Any:
    """The position a token holds; None for no token; ValidationException for a token we did not give."""
    if not token:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise validation_error("Invalid nextPageToken") from exc


def page_size(params: dict[str, Any], limits: Limits) -> int:
    """``maximumPageSize``, where 0 or absent means SWF's default of the maximum."""
    size = params.get("maximumPageSize") or limits.max_page_size
    return min(int(size), limits.max_page_size)
