"""Client addresses are never stored as such: truncated to their network, then keyed-hashed."""
from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress


@functools.lru_cache(maxsize=4096)  # readers come back from the same addresses; parsing one is not free
def _prefix(address: str | None, v4: int, v6: int) -> str:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = v4 if ip.version == 4 else v6
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def truncate(address: str) -> str:
    """Keep the network part only: /24 for IPv4, /48 for IPv6."""
    return _prefix(address, 24, 48).split("/")[0]


def network(address: str | None) -> str:
    """The client's network for rate limits, as Isso groups them: its IPv4 /24 or its IPv6 /64.

    One machine easily holds many addresses of its network (an IPv6 /64 is routinely given to one host),
    so counting per address would let it go round any limit.
    """
    return _prefix(address, 24, 64)


def anonymise(address: str | None, key: str) -> str:
    """A stable, irreversible token for the client's network, for spotting abuse."""
    return hmac.new(key.encode(), truncate(address or "").encode(), hashlib.sha256).hexdigest()[:32]
