"""Client addresses are never stored as such: truncated to their network, then keyed-hashed."""
from __future__ import annotations

import hashlib
import hmac
import ipaddress


def truncate(address: str) -> str:
    """Keep the network part only: /24 for IPv4, /48 for IPv6."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def anonymise(address: str | None, key: str) -> str:
    """A stable, irreversible token for the client's network, for spotting abuse."""
    return hmac.new(key.encode(), truncate(address or "").encode(), hashlib.sha256).hexdigest()[:32]
