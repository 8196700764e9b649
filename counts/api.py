from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from counts.models import DailyTally
from tuidang.lib.http import public_read

MAX_SERIES_DAYS = 366


# Numbers and days only: the same body whatever language the client asks for.
@method_decorator(public_read(language_neutral=True), name="get")
class Tallies(APIView):
    """The running totals: {"total", "by_organization", "today", "yesterday", "as_of"}."""

    def get(self, request: Request) -> Response:
        return Response(DailyTally.objects.summary())


@method_decorator(public_read(language_neutral=True), name="get")
class DailySeries(APIView):
    """The last `days` (default 30, at most 366) days, oldest first."""

    def get(self, request: Request) -> Response:
        try:
            days = int(request.query_params.get("days", 30))
        except ValueError:
            days = 0
        if not 1 <= days <= MAX_SERIES_DAYS:
            raise ParseError({"days": [_("Give a number of days from 1 to 366.")]})
        series = DailyTally.objects.series(days=days)
        return Response(
            {
                "days": [
                    {
                        "day": t.day,
                        "total": t.total,
                        "by_organization": {
                            "party": t.party,
                            "youth_league": t.youth_league,
                            "young_pioneers": t.young_pioneers,
                        },
                    }
                    for t in series
                ]
            }
        )
