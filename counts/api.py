from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from counts.models import DailyTally
from tuidang.lib.http import public_read

MAX_SERIES_DAYS = 366


# What the views answer, for the OpenAPI schema (tuidang.lib.openapi); the views build it.
class ByOrganizationSerializer(serializers.Serializer):
    party = serializers.IntegerField()
    youth_league = serializers.IntegerField()
    young_pioneers = serializers.IntegerField()


class TallySummarySerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="People, each counted once.")
    by_organization = ByOrganizationSerializer()
    today = serializers.IntegerField()
    yesterday = serializers.IntegerField()
    as_of = serializers.DateTimeField(
        allow_null=True, help_text="When the tallies were last rolled up."
    )


class TallyDaySerializer(serializers.Serializer):
    day = serializers.DateField(help_text="A day in TALLY_TIME_ZONE.")
    total = serializers.IntegerField()
    by_organization = ByOrganizationSerializer()


class DailySeriesSerializer(serializers.Serializer):
    days = TallyDaySerializer(many=True)


# Numbers and days only: the same body whatever language the client asks for.
@method_decorator(public_read(language_neutral=True), name="get")
class Tallies(APIView):
    """The running totals: {"total", "by_organization", "today", "yesterday", "as_of"}."""

    @extend_schema(operation_id="tallies", responses=TallySummarySerializer)
    def get(self, request: Request) -> Response:
        return Response(DailyTally.objects.summary())


@method_decorator(public_read(language_neutral=True), name="get")
class DailySeries(APIView):
    """The last `days` (default 30, at most 366) days, oldest first."""

    @extend_schema(
        operation_id="tallies_daily",
        parameters=[OpenApiParameter("days", int, description="1 to 366; 30 if not given.")],
        responses=DailySeriesSerializer,
    )
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
