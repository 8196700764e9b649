"""Per-client rate limits: intake, receipt look-ups, volunteer sign-in."""

import logging

from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited
from redis.exceptions import RedisError

from tuidang.lib.privacy import client_signal

logger = logging.getLogger(__name__)


def _key(group: str, request: HttpRequest) -> str:
    return client_signal(request)


def over_limit(request: HttpRequest, *, group: str, rate: str) -> bool:
    """Count this request against the client's limit and say whether it is over.

    If the cache (Redis) is unreachable the request is let through: taking statements
    matters more than limiting them, and review holds floods out of the count anyway.
    """
    try:
        return is_ratelimited(request, group=group, key=_key, rate=rate, increment=True)
    except (RedisError, OSError):
        logger.warning("rate limit for %s skipped: cache unavailable", group)
        return False
