from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from counts.models import DailyTally

MAX_SERIES_DAYS = 366


class Tallies(APIView):
    """The running totals: {"total", "by_organization", "today", "yesterday", "as_of"}."""

    def get(self, request: Request) -> Response:
        response = Response(DailyTally.objects.summary())
        response["Cache-Control"] = "public, max-age=15"
        return response


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
        response = Response(
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
        response["Cache-Control"] = "public, max-age=15"
        return response
