"""Limits counted per client network (privacy.network), on the rate limiter's storage (memory or Redis).

For the limits flask-limiter's decorators cannot express: counting only failures, refusing before a
credential is even checked, and answering in our own words.
"""
from __future__ import annotations

import math
import time

from flask import current_app, request
from limits import RateLimitItem

from .api_error import APIError
from .privacy import network


def _strategy():
    return current_app.extensions["boucle_limiter"].limiter


def seconds_blocked(scope: str, items: list[RateLimitItem]) -> int:
    """How long this client's network must wait before `scope` accepts it again (0: now)."""
    key, wait = network(request.remote_addr), 0
    for item in items:
        if not _strategy().test(item, scope, key):
            reset = _strategy().get_window_stats(item, scope, key).reset_time
            wait = max(wait, math.ceil(reset - time.time()), 1)
    return wait


def count(scope: str, items: list[RateLimitItem]) -> None:
    """One more use of `scope` by this client's network."""
    key = network(request.remote_addr)
    for item in items:
        _strategy().hit(item, scope, key)


def refuse_when_blocked(scope: str, items: list[RateLimitItem], code: str) -> None:
    """A 429 with Retry-After, in the API's error shape, while this network has used up `scope`."""
    wait = seconds_blocked(scope, items)
    if wait:
        raise APIError(429, code, headers={"Retry-After": str(wait)})
