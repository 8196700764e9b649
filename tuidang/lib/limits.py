"""Rate limits: intake, receipt look-ups, volunteer sign-in."""

import logging

from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited
from redis.exceptions import RedisError

from tuidang.lib.privacy import client_signal

logger = logging.getLogger(__name__)


def over_limit(
    request: HttpRequest, *, group: str, rate: str, key: str | None = None, fail_open: bool = True
) -> bool:
    """Count this request against a limit and say whether it is over.

    The limit is per client (a keyed digest of its address) unless `key` names another
    bucket. If the cache (Redis) is unreachable the answer is `not fail_open`: intake
    stays open, since taking statements matters more than limiting them and review holds
    floods out of the count; volunteer sign-in closes.
    """
    bucket = key if key is not None else client_signal(request)
    try:
        return is_ratelimited(
            request, group=group, key=lambda _group, _request: bucket, rate=rate, increment=True
        )
    except (RedisError, OSError):
        logger.warning(
            "rate limit for %s: cache unavailable, %s", group, "open" if fail_open else "closed"
        )
        return not fail_open
