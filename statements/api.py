import re
from urllib.parse import urlencode

from django.conf import settings
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from statements import exports, services, submitter
from statements.forms import StatementFilterForm, statement_fields
from statements.models import Organization, Region, Statement, Status
from statements.querysets import Cursor, InvalidCursor
from statements.serializers import (
    ErrorSerializer,
    ExportPeriodSerializer,
    ReceiptSerializer,
    ReceiptStatusSerializer,
    RefusedSerializer,
    StatementInputSerializer,
    StatementPageSerializer,
    StatementSerializer,
    SubmittedSerializer,
)
from tuidang.lib.http import public_read
from tuidang.lib.limits import over_limit

# A client's retry key (the Idempotency-Key header): printable ASCII. It should be random
# (a UUID4): anyone who knows a key and the statement sent with it can replay it within
# REPLAY_WINDOW and get its receipt.
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{16,128}")


class PublicAPIView(APIView):
    def initial(self, request: Request, *args, **kwargs) -> None:
        # DRF's parsers read the body as a stream and so skip Django's upload size
        # limit; refuse oversized bodies before anything reads them.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise ParseError() from None
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise RequestTooLarge()
        super().initial(request, *args, **kwargs)


class RequestTooLarge(ParseError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request is too large.")
    default_code = "too_large"


def _too_many_requests() -> Response:
    return Response(
        {"detail": _("Too many requests from your network. Please wait a minute and try again.")},
        status=status.HTTP_429_TOO_MANY_REQUESTS,
    )


def _cursor(raw: str | None) -> Cursor | None:
    return Cursor.decode(raw) if raw else None


# The schema's words for what these views answer (see tuidang.lib.openapi).
TOO_MANY = OpenApiResponse(ErrorSerializer, description="Over the per-client rate limit.")
CURSOR_PARAMETERS = [
    OpenApiParameter(
        "before",
        str,
        description="A cursor (YYYYMMDD-NNNNNNNNNNNNNNNN, from `next`): the page older than it.",
    ),
    OpenApiParameter(
        "after",
        str,
        description="A cursor (from `previous`): the page newer than it.",
    ),
]
# The list's filters, as statements.forms.StatementFilterForm reads them (one parser for
# the HTML list and this API).
FILTER_PARAMETERS = [
    OpenApiParameter(
        "organization",
        str,
        enum=Organization.values,
        description="Only statements that name this organization.",
    ),
    OpenApiParameter(
        "region", str, enum=Region.values, description="Only statements from this region."
    ),
    OpenApiParameter(
        "day",
        OpenApiTypes.DATE,
        description="Only statements published on this day (YYYY-MM-DD); not with `month`.",
    ),
    OpenApiParameter(
        "month",
        str,
        pattern=r"^[0-9]{4}-[0-9]{2}$",
        description="Only statements published in this month (YYYY-MM); not with `day`.",
    ),
]


class StatementCollection(PublicAPIView):
    """GET: published statements, newest first, a page at a time (`before` and `after` take
    the cursors in `next` and `previous`), filtered as the HTML list is (`organization`,
    `region`, `day` or `month`; statements.forms.StatementFilterForm). Each item carries
    the whole text: API clients want the data, and the page weight that makes the HTML
    list show excerpts is a reader's concern. POST: submit one."""

    # Varies on Accept-Language: each statement's "url" is its page in that language.
    @extend_schema(
        operation_id="statements_list",
        description="Published statements, newest first by (published_on, "
        "registration_number), 50 a page, filtered by any of organization, region and day "
        "or month. An invalid filter is a 400 naming the parameter: "
        '{"region": ["Not one of the regions."]}.',
        parameters=CURSOR_PARAMETERS + FILTER_PARAMETERS,
        responses={200: StatementPageSerializer, 400: OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    @method_decorator(public_read)
    def get(self, request: Request) -> Response:
        filters = StatementFilterForm(request.query_params)
        if not filters.is_valid():
            raise ValidationError(filters.api_errors())
        try:
            page = (
                Statement.objects.listed()
                .filtered(**filters.filters())
                .for_list(whole_text=True)
                .page(
                    before=_cursor(request.query_params.get("before")),
                    after=_cursor(request.query_params.get("after")),
                )
            )
        except InvalidCursor:
            raise ParseError({"cursor": [_("This page link is not valid.")]}) from None

        def link(**cursor: str) -> str:
            query = urlencode(filters.query() | cursor)
            return request.build_absolute_uri(f"{reverse('api:statements')}?{query}")

        return Response(
            {
                "results": StatementSerializer(page.rows, many=True).data,
                "next": link(before=page.older.encode()) if page.older else None,
                "previous": link(after=page.newer.encode()) if page.newer else None,
            }
        )

    @extend_schema(
        operation_id="statements_submit",
        description="Submit a statement. It is published only after a volunteer reads it; "
        "the receipt code shows its status at /api/v1/receipts/lookup/.",
        request=StatementInputSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="A random UUID4: a retry with the same key and statement within "
                "24 hours gets the first receipt back (200) instead of a second statement.",
            )
        ],
        responses={
            201: SubmittedSerializer,
            200: OpenApiResponse(SubmittedSerializer, description="A retry: the first answer."),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Field errors (among them a `replaces` no statement has).",
            ),
            409: OpenApiResponse(ErrorSerializer, description="Idempotency-Key too old."),
            413: ErrorSerializer,
            429: TOO_MANY,
        },
    )
    def post(self, request: Request) -> Response:
        if over_limit(request, group="statements:submit", rate=settings.INTAKE_RATE):
            return _too_many_requests()
        key = request.headers.get("Idempotency-Key")
        if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
            raise ValidationError(
                {"Idempotency-Key": [_("Use 16 to 128 visible ASCII characters.")]}
            )
        serializer = StatementInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        replaces = serializer.validated_data.get("replaces")
        if replaces is not None and _over_receipt_limit(request):
            return _too_many_requests()
        try:
            submission = services.submit_statement(
                **statement_fields(serializer.validated_data),
                submission_key=f"api:{key}" if key else None,
                replaces=replaces,
            )
        except services.SubmissionKeyExpired:
            return Response(
                {"detail": _("This Idempotency-Key was used more than a day ago. Use a new one.")},
                status=status.HTTP_409_CONFLICT,
            )
        except submitter.UnknownReceipt:
            unknown = _("No statement has this receipt code.")
            raise ValidationError({"replaces": [unknown]}) from None
        # A retry answers as the first response did (never the statement's later status).
        body = {"receipt": submission.receipt, "status": Status.RECEIVED.value, "replaced": None}
        if submission.replaced is not None:
            # The earlier statement as it is now: retracted, or declined or removed before.
            body["replaced"] = {"status": submission.replaced.status}
        return Response(
            body, status=status.HTTP_201_CREATED if submission.created else status.HTTP_200_OK
        )


class StatementDetail(PublicAPIView):
    # Cached for one rollup interval only: a removed statement must leave shared caches
    # quickly.
    @extend_schema(
        operation_id="statement_detail",
        parameters=[
            OpenApiParameter(
                "number", str, OpenApiParameter.PATH, description="The registration number."
            )
        ],
        responses={200: StatementSerializer, 404: ErrorSerializer},
    )
    @method_decorator(public_read)
    def get(self, request: Request, number: int) -> Response:
        statement = get_object_or_404(Statement.objects.by_number(number))
        return Response(StatementSerializer(statement).data)


# Every use of a receipt code counts against one limit (see statements.views).
def _over_receipt_limit(request: Request) -> bool:
    return over_limit(request, group="statements:receipt", rate=settings.RECEIPT_LOOKUP_RATE)


def _receipt_body(request: Request, statement: Statement) -> dict:
    """What the submitter may know of their statement: its status; when published its
    registration number, whether they hid it, and its address unless hidden; when
    declined, the reason from the coordinators' list in the request's language (never
    the reviewer's free note, which is written for the other volunteers)."""
    body = {
        "status": statement.status,
        "hidden": False,
        "registration_number": None,
        "statement": None,
        "reason": None,
    }
    if statement.status == Status.PUBLISHED:
        body["hidden"] = statement.hidden
        body["registration_number"] = statement.registration_display.replace(" ", "")
        if not statement.hidden:
            body["statement"] = request.build_absolute_uri(
                reverse("api:statement_detail", args=[statement.registration_number])
            )
    elif statement.status == Status.REJECTED and statement.rejection is not None:
        body["reason"] = {"code": statement.rejection.code, "label": statement.rejection.label}
    return body


class ReceiptLookup(PublicAPIView):
    """POST {"receipt": "..."}: the status of the statement it belongs to.

    A POST so the code never appears in a URL (logs, proxies, history keep URLs).
    """

    @extend_schema(
        operation_id="receipt_lookup",
        request=ReceiptSerializer,
        responses={200: ReceiptStatusSerializer, 404: ErrorSerializer, 429: TOO_MANY},
    )
    def post(self, request: Request) -> Response:
        if _over_receipt_limit(request):
            return _too_many_requests()
        serializer = ReceiptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            statement = submitter.look_up(receipt=serializer.validated_data["receipt"])
        except submitter.UnknownReceipt:
            return Response({"detail": _("No statement has this receipt code.")}, status=404)
        return Response(_receipt_body(request, statement))


class ReceiptAction(PublicAPIView):
    """POST {"receipt": "..."}: act on the statement of a receipt (statements.submitter).
    200 with the lookup's body after the action (also when it was already done), 404 for
    an unknown code, 409 with the current `status` when that status does not allow it,
    400 for a malformed code. Retracting asks for no confirmation here: a client asks
    its user before it posts."""

    act: staticmethod  # submitter.hide, unhide or retract

    def post(self, request: Request) -> Response:
        if _over_receipt_limit(request):
            return _too_many_requests()
        serializer = ReceiptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = self.act(receipt=serializer.validated_data["receipt"])
        except submitter.UnknownReceipt:
            return Response({"detail": _("No statement has this receipt code.")}, status=404)
        except submitter.NotAllowed as refused:
            return Response(
                {
                    "detail": _("This cannot be done with your statement as it is now."),
                    "status": refused.status,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(_receipt_body(request, result.statement))


def _action_schema(operation_id: str, description: str):
    return extend_schema(
        operation_id=operation_id,
        description=description,
        request=ReceiptSerializer,
        responses={
            200: OpenApiResponse(
                ReceiptStatusSerializer, description="Done (or done before): the new status."
            ),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Not a receipt code."),
            404: ErrorSerializer,
            409: OpenApiResponse(RefusedSerializer, description="Its status does not allow it."),
            429: TOO_MANY,
        },
    )


class ReceiptHide(ReceiptAction):
    act = staticmethod(submitter.hide)

    @_action_schema(
        "receipt_hide",
        "Hide a published statement from the list and its page; it still counts.",
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class ReceiptUnhide(ReceiptAction):
    act = staticmethod(submitter.unhide)

    @_action_schema("receipt_unhide", "Show a hidden statement on the list again.")
    def post(self, request: Request) -> Response:
        return super().post(request)


class ReceiptRetract(ReceiptAction):
    act = staticmethod(submitter.retract)

    @_action_schema(
        "receipt_retract",
        "Retract a statement received, in review or published, for good: it leaves the "
        "review queue, the list and the tallies. Final; ask your user first.",
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class _CSVOrJSONErrors(BaseContentNegotiation):
    """The export answers CSV whatever Accept says, and its errors JSON (the one
    renderer), rather than 406 to a client that asks for text/csv."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class StatementsCSV(PublicAPIView):
    """GET ?month=YYYY-MM or ?day=YYYY-MM-DD: the listed statements published then,
    newest first, as CSV (UTF-8 with a byte order mark), streamed."""

    content_negotiation_class = _CSVOrJSONErrors

    @extend_schema(
        operation_id="statements_csv",
        tags=["statements"],
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM: a month of publication."),
            OpenApiParameter("day", str, description="YYYY-MM-DD: a day of publication."),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="Columns: " + ", ".join(exports.COLUMNS) + ".",
            ),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="No period, or a bad one."),
            429: TOO_MANY,
        },
    )
    # No words in it, so one cached copy serves every language. Streamed, so it has no
    # ETag (PublicResponseMiddleware would have to read the whole export to take one).
    @method_decorator(public_read(language_neutral=True))
    def get(self, request: Request) -> StreamingHttpResponse | Response:
        period = ExportPeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        if request.method == "GET" and over_limit(
            request, group="statements:csv", rate=settings.EXPORT_RATE
        ):
            return _too_many_requests()
        statements = self._statements(request, period.validated_data)
        # HEAD answers the headers only: its body would be thrown away, so never query it.
        chunks = exports.csv_chunks(statements) if request.method == "GET" else iter(())
        response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
        filename = f"statements-{period.validated_data['label']}.csv"
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @staticmethod
    def _statements(request: Request, period: dict):
        """What the export holds: the list's statements in the period. The one place the
        list's own filters (region, …) plug in when the list has them."""
        return Statement.objects.listed().filter(
            published_day__gte=period["first"], published_day__lte=period["last"]
        )
