"""Reading a cloud answer's JSON body, shared by the IMS client and the API transport."""

from __future__ import annotations

import json
from typing import Any

import httpx

from commissioner.core.cloud.errors import CloudMalformedResponse


def json_body(url: str, response: httpx.Response) -> Any:
    """The parsed body, or None when empty; a non-JSON error body is None (its status speaks),
    while a non-JSON success body is malformed, because a success must carry what was asked."""
    text = response.text
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        if response.status_code >= 400:
            return None
        snippet = text[:80].replace("\n", " ")
        raise CloudMalformedResponse(url, f"the body is not JSON ({snippet!r})", text) from None
