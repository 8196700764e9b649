import re
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import chain

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from counts.days import tally_today
from counts.models import DailyTally, RegionMonthlyTally, TallySummary
from statements.choices import Region
from tuidang.lib.csv import csv_lines
from tuidang.lib.http import public_read
from tuidang.lib.openapi import documented_as

DEFAULT_SERIES_DAYS = 30
# A year and a day per JSON request, however asked; the CSV has no bound (one row a day:
# the whole history since 2005 is some 7,500 lines).
MAX_SERIES_DAYS = 366
CSV_COLUMNS = ("date", "total", "party", "youth_league", "young_pioneers")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def _day(params, name: str) -> date:
    raw = params.get(name, "")
    try:
        if not _DAY.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ParseError({name: [_("Give a day as YYYY-MM-DD.")]}) from None


def asked_span(params, *, default_days: int | None, max_days: int | None) -> tuple[date, date]:
    """The days a request asks for, first and last inclusive: `from` and `to` (both), or
    the last `days` up to today, or the default. 400 (ParseError) for anything else."""
    has_days = "days" in params
    has_from, has_to = "from" in params, "to" in params
    if has_days and (has_from or has_to):
        raise ParseError({"days": [_("Give either days, or from and to, not both.")]})
    if has_from or has_to:
        if not (has_from and has_to):
            missing = "to" if has_from else "from"
            raise ParseError({missing: [_("Give both from and to, as YYYY-MM-DD.")]})
        first, last = _day(params, "from"), _day(params, "to")
        if first > last:
            raise ParseError({"from": [_("from must not be after to.")]})
        if max_days is not None and (last - first).days + 1 > max_days:
            raise ParseError(
                {"to": [_("Give at most %(days)s days at a time.") % {"days": max_days}]}
            )
        return first, last
    today = tally_today()
    if has_days or default_days is None:
        try:
            days = int(params.get("days", ""))
        except ValueError:
            days = 0
        # Unbounded (the CSV), still no further back than the calendar's first day.
        if not 1 <= days <= (max_days or today.toordinal()):
            raise ParseError({"days": [_("Give a number of days from 1 to 366.")]})
        return today - timedelta(days=days - 1), today
    return today - timedelta(days=default_days - 1), today


def _figures(tally: DailyTally) -> dict:
    return {
        "day": tally.day,
        "total": tally.total,
        "by_organization": {
            "party": tally.party,
            "youth_league": tally.youth_league,
            "young_pioneers": tally.young_pioneers,
        },
    }


_SPAN_PARAMETERS = [
    OpenApiParameter("days", int, description="The last 1 to 366 days; 30 if nothing is given."),
    OpenApiParameter("from", str, description="YYYY-MM-DD, with `to`: the first day."),
    OpenApiParameter("to", str, description="YYYY-MM-DD, with `from`: the last day (inclusive)."),
]


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
    last_7_days = serializers.IntegerField(
        help_text="People in the last seven days, today included."
    )
    as_of = serializers.DateTimeField(
        allow_null=True, help_text="When the tallies were last rolled up."
    )


class TallyDaySerializer(serializers.Serializer):
    day = serializers.DateField(help_text="A day in TALLY_TIME_ZONE.")
    total = serializers.IntegerField()
    by_organization = ByOrganizationSerializer()


class DailySeriesSerializer(serializers.Serializer):
    days = TallyDaySerializer(many=True)


class RegionFiguresSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="A region code (statements.choices.Region).")
    total = serializers.IntegerField()


class RegionTalliesSerializer(serializers.Serializer):
    regions = RegionFiguresSerializer(many=True)
    counted_from = serializers.DateField(
        allow_null=True, required=False, help_text="The first day counted from statements."
    )
    month = serializers.CharField(required=False, help_text="YYYY-MM, when asked for.")
    as_of = serializers.DateTimeField(allow_null=True)


class TalliesSchema(APIView):
    """Documents `tallies` (a plain view, see there) for the OpenAPI schema only."""

    @extend_schema(operation_id="tallies", responses=TallySummarySerializer)
    def get(self, request: Request) -> Response:  # pragma: no cover - never routed
        raise NotImplementedError


class DailyCSVSchema(APIView):
    """Documents `daily_csv` (a plain view) for the OpenAPI schema only."""

    @extend_schema(
        operation_id="tallies_daily_csv",
        parameters=_SPAN_PARAMETERS,
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="date,total,party,youth_league,young_pioneers; every day.",
            ),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="A bad span."),
        },
    )
    def get(self, request: Request) -> Response:  # pragma: no cover - never routed
        raise NotImplementedError


# Numbers and days only: the same body whatever language the client asks for.
@documented_as(TalliesSchema)
@public_read(language_neutral=True)
@require_safe
def tallies(request: HttpRequest) -> HttpResponse:
    """The running totals: {"total", "by_organization", "today", "yesterday",
    "last_7_days", "as_of"}, from the summary row (one seek by primary key). A plain view
    rather than DRF's: the hottest read of the API has no input to parse, and DRF's
    request wrapping, negotiation and rendering cost about as much as the rest of it.
    DRF's encoder and separators, so the body is what DRF would send."""
    return JsonResponse(
        TallySummary.objects.current().figures(),
        encoder=JSONEncoder,
        json_dumps_params={"separators": (",", ":"), "ensure_ascii": False},
    )


@method_decorator(public_read(language_neutral=True), name="get")
class DailySeries(APIView):
    """Days oldest first: the last `days` (default 30), or `from` to `to` inclusive
    (YYYY-MM-DD), at most 366 days either way."""

    @extend_schema(
        operation_id="tallies_daily",
        parameters=_SPAN_PARAMETERS,
        responses=DailySeriesSerializer,
    )
    def get(self, request: Request) -> Response:
        first, last = asked_span(
            request.query_params, default_days=DEFAULT_SERIES_DAYS, max_days=MAX_SERIES_DAYS
        )
        series = DailyTally.objects.series(first=first, last=last)
        return Response({"days": [_figures(t) for t in series]})


@documented_as(DailyCSVSchema)
@public_read(language_neutral=True)
@require_safe
def daily_csv(request: HttpRequest) -> HttpResponse:
    """The daily series as CSV, streamed: `from`/`to` or `days` as for the JSON, within
    the first stored day (imported history included) and today; without either, all of
    those days. A plain view, not DRF's: a client asking for text/csv must not
    be refused by content negotiation. Errors are JSON, as the API's are."""
    params = request.GET
    today = tally_today()
    stored = DailyTally.objects.order_by("day").values_list("day", flat=True).first()
    try:
        if {"from", "to", "days"} & set(params):
            first, last = asked_span(params, default_days=None, max_days=None)
        else:
            first, last = min(stored or today, today), today
    except ParseError as error:
        return JsonResponse(error.detail, status=400)
    # Days before the first stored one and after today hold nobody: they are left out,
    # so a span of ten thousand years costs what the history costs (some 7,500 lines).
    first, last = max(first, min(stored or today, today)), min(last, today)
    response = StreamingHttpResponse(
        csv_lines(chain([CSV_COLUMNS], _csv_rows(first, last))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="tallies-{first}-{last}.csv"'
    return response


def _csv_rows(first: date, last: date) -> Iterator[tuple]:
    """Every day from first to last, empty days as zeros, read in chunks as it streams."""
    day = first
    stored = (
        DailyTally.objects.filter(day__gte=first, day__lte=last)
        .order_by("day")
        .values_list("day", "total", "party", "youth_league", "young_pioneers")
        .iterator(chunk_size=1000)
    )
    for row in stored:
        while day < row[0]:
            yield (day, 0, 0, 0, 0)
            day += timedelta(days=1)
        yield row
        if row[0] == last:
            return
        day = row[0] + timedelta(days=1)
    # By ordinal: a date past `last` may not exist (last can be 9999-12-31).
    for ordinal in range(day.toordinal(), last.toordinal() + 1):
        yield (date.fromordinal(ordinal), 0, 0, 0, 0)


@method_decorator(public_read(language_neutral=True), name="get")
class RegionTallies(APIView):
    """People per region, from published statements only (imported history has no
    regions), every region in the order of statements.choices.Region:

    {"regions": [{"region": "CN-BJ", "total": n}, ...], "counted_from", "as_of"}, in
    all; with ?month=YYYY-MM, that month's: {"month": "YYYY-MM", "regions": [...],
    "as_of"}."""

    @extend_schema(
        operation_id="tallies_regions",
        parameters=[OpenApiParameter("month", str, description="YYYY-MM: one month's.")],
        responses=RegionTalliesSerializer,
    )
    def get(self, request: Request) -> Response:
        summary = TallySummary.objects.current()
        if "month" not in request.query_params:
            return Response(
                {
                    "regions": _by_region(summary.by_region),
                    "counted_from": summary.counted_from,
                    "as_of": summary.as_of,
                }
            )
        raw = request.query_params["month"]
        match = _MONTH.fullmatch(raw)
        try:
            if not match:
                raise ValueError(raw)
            month = date(int(match[1]), int(match[2]), 1)
        except ValueError:
            raise ParseError({"month": [_("Give a month as YYYY-MM.")]}) from None
        people = dict(RegionMonthlyTally.objects.filter(month=month).values_list("region", "total"))
        return Response(
            {"month": f"{month:%Y-%m}", "regions": _by_region(people), "as_of": summary.as_of}
        )


def _by_region(people: dict[str, int]) -> list[dict]:
    return [{"region": code, "total": people.get(code, 0)} for code in Region.values]
