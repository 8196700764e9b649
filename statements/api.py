import re
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from statements import services
from statements.forms import StatementFilterForm, statement_fields
from statements.models import Statement, Status
from statements.querysets import Cursor, InvalidCursor
from statements.serializers import (
    ReceiptSerializer,
    StatementInputSerializer,
    StatementSerializer,
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


class StatementCollection(PublicAPIView):
    """GET: published statements, newest first, a page at a time (`before` and `after` take
    the cursors in `next` and `previous`), filtered as the HTML list is (`organization`,
    `region`, `day` or `month`; statements.forms.StatementFilterForm). Each item carries
    the whole text: API clients want the data, and the page weight that makes the HTML
    list show excerpts is a reader's concern. POST: submit one."""

    # Varies on Accept-Language: each statement's "url" is its page in that language.
    @method_decorator(public_read)
    def get(self, request: Request) -> Response:
        filters = StatementFilterForm(request.query_params)
        if not filters.is_valid():
            raise ValidationError(filters.api_errors())
        try:
            page = (
                Statement.objects.listed()
                .filtered(**filters.filters())
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
        try:
            submission = services.submit_statement(
                **statement_fields(serializer.validated_data),
                submission_key=f"api:{key}" if key else None,
            )
        except services.SubmissionKeyExpired:
            return Response(
                {"detail": _("This Idempotency-Key was used more than a day ago. Use a new one.")},
                status=status.HTTP_409_CONFLICT,
            )
        # A retry answers as the first response did (never the statement's later status).
        return Response(
            {"receipt": submission.receipt, "status": Status.RECEIVED.value},
            status=status.HTTP_201_CREATED if submission.created else status.HTTP_200_OK,
        )


class StatementDetail(PublicAPIView):
    # Cached for one rollup interval only: a removed statement must leave shared caches
    # quickly.
    @method_decorator(public_read)
    def get(self, request: Request, number: int) -> Response:
        statement = get_object_or_404(Statement.objects.by_number(number))
        return Response(StatementSerializer(statement).data)


class ReceiptLookup(PublicAPIView):
    """POST {"receipt": "..."}: the status of the statement it belongs to.

    A POST so the code never appears in a URL (logs, proxies, history keep URLs).
    """

    def post(self, request: Request) -> Response:
        if over_limit(request, group="statements:receipt", rate=settings.RECEIPT_LOOKUP_RATE):
            return _too_many_requests()
        serializer = ReceiptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        receipt = serializer.validated_data["receipt"]
        statement = (
            Statement.objects.by_receipt(receipt)
            .only("id", "status", "hidden", "registration_number")
            .first()
        )
        if statement is None:
            return Response({"detail": _("No statement has this receipt code.")}, status=404)
        body = {"status": statement.status, "registration_number": None, "statement": None}
        if statement.status == Status.PUBLISHED:
            body["registration_number"] = statement.registration_display.replace(" ", "")
            if not statement.hidden:
                body["statement"] = request.build_absolute_uri(
                    reverse("api:statement_detail", args=[statement.registration_number])
                )
        return Response(body)
