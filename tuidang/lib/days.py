"""Days as the tallies count them: calendar days in TALLY_TIME_ZONE."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def tally_zone() -> ZoneInfo:
    return ZoneInfo(settings.TALLY_TIME_ZONE)


def tally_today() -> date:
    return timezone.now().astimezone(tally_zone()).date()


def tally_day_of(moment: datetime) -> date:
    return moment.astimezone(tally_zone()).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a tally day as aware datetimes (DST-safe: each end is computed)."""
    zone = tally_zone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end
