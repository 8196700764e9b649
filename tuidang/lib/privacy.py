"""The one place the client address is read.

It is turned into a keyed digest that changes every UTC day, for rate limiting only:
the address itself is never stored, logged or passed on, and yesterday's digests cannot
be linked to today's.
"""

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


def client_signal(request: HttpRequest) -> str:
    address = request.META.get(settings.CLIENT_ADDRESS_META_KEY, "")
    day = timezone.now().strftime("%Y-%m-%d")
    key = hashlib.sha256(f"client-signal|{settings.SECRET_KEY}|{day}".encode()).digest()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]
