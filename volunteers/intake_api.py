"""The intake API for integrations (the phone hotline): `POST /api/v1/intake/batch` with
`Authorization: Token <integration token>` and `{"items": [...]}`, at most
INTAKE_BATCH_MAX_ITEMS items and INTAKE_BATCH_MAX_BYTES of body. One result per item, in
order: `created`, `duplicate` or `invalid` with its field errors. Valid items are stored
even when others are not (volunteers.hotline.take_batch).

No answer, error or log line ever repeats a phone number: the validators' messages do
not quote the value, and the results carry only the external id.
"""

from __future__ import annotations

import io
import re

from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables
from rest_framework import permissions, serializers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from statements.api import RequestTooLarge
from statements.models import Region
from statements.serializers import StatementInputSerializer
from statements.services import NewStatement
from tuidang.lib.parsers import StrictJSONParser
from volunteers import hotline
from volunteers.authentication import TokenHeaderAuthentication
from volunteers.models import Integration

EXTERNAL_ID_MAX_LENGTH = 100
# The phone system's own id of an item: printable ASCII, so it can be echoed safely.
_EXTERNAL_ID = re.compile(rf"[\x21-\x7e]{{1,{EXTERNAL_ID_MAX_LENGTH}}}")
_PHONE_LIKE = re.compile(r"\+?[0-9][0-9 ().-]{5,}")
# E.164: a plus, a country code that does not start with 0, at most 15 digits in all.
E164 = RegexValidator(
    r"^\+[1-9][0-9]{1,14}\Z",
    message=gettext_lazy("Not a phone number in E.164 form (+, country code, number)."),
)

CREATED, DUPLICATE, INVALID = "created", "duplicate", "invalid"


class IntegrationAuthentication(TokenHeaderAuthentication):
    """`Authorization: Token <token>` of a live integration: one seek by digest. A
    volunteer's API token is not an integration's and is refused."""

    def authenticate_token(self, token: str) -> tuple | None:
        integration = Integration.objects.for_token(token).first()
        return None if integration is None else (None, integration)


class FromIntegration(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, Integration)


_language = {
    "choices": settings.LANGUAGES,
    "default": settings.LANGUAGE_CODE,
    "error_messages": {"invalid_choice": gettext_lazy("Not one of the site's languages.")},
}


class WithdrawItemSerializer(StatementInputSerializer):
    # What the caller gave or an alias the phone system assigned: an alias unless told.
    is_alias = serializers.BooleanField(default=True)
    region = serializers.ChoiceField(
        choices=Region.choices,
        default=Region.UNDISCLOSED,
        error_messages={"invalid_choice": gettext_lazy("Not one of the regions.")},
    )
    language = serializers.ChoiceField(**_language)


class CallbackItemSerializer(serializers.Serializer):
    phone_number = serializers.CharField(max_length=16, validators=[E164])
    language = serializers.ChoiceField(**_language)


SERIALIZERS = {"withdraw": WithdrawItemSerializer, "callback": CallbackItemSerializer}


def _looks_like_a_number(external_id: str, phone_number) -> bool:
    """A phone number in E.164 form, or an id holding this item's number's digits."""
    if _PHONE_LIKE.fullmatch(external_id):
        return True
    if isinstance(phone_number, str):
        digits = "".join(c for c in phone_number if c.isascii() and c.isdigit())
        # The national part: the last seven digits are what identifies a line.
        return len(digits) >= 7 and digits[-7:] in external_id
    return False


@sensitive_variables("raw", "fields", "serializer", "data")
def _parse(raw) -> tuple[str | None, hotline.WithdrawItem | hotline.CallbackItem | dict]:
    """(external id or None, a valid item or its field errors)."""
    if not isinstance(raw, dict):
        return None, {"non_field_errors": [_("An item is a JSON object.")]}
    external_id = raw.get("external_id")
    errors: dict = {}
    if not isinstance(external_id, str) or not _EXTERNAL_ID.fullmatch(external_id):
        errors["external_id"] = [
            _("Required: 1 to %(max)d printable ASCII characters.")
            % {"max": EXTERNAL_ID_MAX_LENGTH}
        ]
        external_id = None
    elif _looks_like_a_number(external_id, raw.get("phone_number")):
        # Intake items are kept for good (they make replays harmless), so an id must not
        # be the caller's number, which is erased within 14 days everywhere else.
        errors["external_id"] = [
            _("An external id must be the call's own id, never a phone number.")
        ]
        external_id = None
    kind = raw.get("kind")
    serializer_class = SERIALIZERS.get(kind) if isinstance(kind, str) else None
    if serializer_class is None:
        errors["kind"] = [_("Required: withdraw or callback.")]
        return external_id, errors
    fields = {k: v for k, v in raw.items() if k not in ("external_id", "kind")}
    serializer = serializer_class(data=fields)
    if not serializer.is_valid():
        errors.update(serializer.errors)
    if errors:
        return external_id, errors
    data = serializer.validated_data
    if kind == "callback":
        return external_id, hotline.CallbackItem(
            external_id=external_id, phone_number=data["phone_number"], language=data["language"]
        )
    return external_id, hotline.WithdrawItem(
        external_id=external_id,
        statement=NewStatement(
            display_name=data["name"],
            is_alias=data["is_alias"],
            organizations=data["organizations"],
            region=data["region"],
            language=data["language"],
            text=data["text"],
        ),
    )


class IntakeJSONParser(BaseParser):
    """The project's strict JSON, read from the stream up to INTAKE_BATCH_MAX_BYTES.
    Not a JSONParser subclass on purpose: DRF reads those through `request.body`, which
    enforces DATA_UPLOAD_MAX_MEMORY_SIZE (64 KiB, right for every other request)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.INTAKE_BATCH_MAX_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise _too_large()
        return StrictJSONParser().parse(io.BytesIO(body), media_type, parser_context)


def _too_large() -> RequestTooLarge:
    return RequestTooLarge(
        _("The request is too large: at most %(max)d bytes.")
        % {"max": settings.INTAKE_BATCH_MAX_BYTES}
    )


class IntakeBatch(APIView):
    """POST {"items": [...]}: store what is new and valid, answer every item in order."""

    authentication_classes = [IntegrationAuthentication]
    permission_classes = [FromIntegration]
    parser_classes = [IntakeJSONParser]

    def initial(self, request: Request, *args, **kwargs) -> None:
        # Refused before anything reads the body; IntakeJSONParser bounds the read too.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise ParseError() from None
        if length > settings.INTAKE_BATCH_MAX_BYTES:
            raise _too_large()
        super().initial(request, *args, **kwargs)

    # Exception reports must never carry the numbers the items hold.
    @method_decorator(sensitive_variables("raw_items", "items", "parsed"))
    def post(self, request: Request) -> Response:
        raw_items = request.data.get("items") if isinstance(request.data, dict) else None
        if not isinstance(raw_items, list):
            raise ValidationError({"items": [_('Send {"items": [...]}, a list of items.')]})
        limit = settings.INTAKE_BATCH_MAX_ITEMS
        if len(raw_items) > limit:
            raise ValidationError(
                {
                    "items": [
                        _("At most %(max)d items a call; this one has %(count)d.")
                        % {"max": limit, "count": len(raw_items)}
                    ]
                }
            )
        parsed = [_parse(raw) for raw in raw_items]
        valid, seen = [], set()
        for external_id, item in parsed:
            if not isinstance(item, dict) and external_id not in seen:
                seen.add(external_id)
                valid.append(item)
        created = hotline.take_batch(integration=request.auth, items=valid)
        results, answered = [], set()
        for external_id, item in parsed:
            if isinstance(item, dict):
                results.append({"external_id": external_id, "status": INVALID, "errors": item})
                continue
            first = external_id not in answered
            answered.add(external_id)
            status = CREATED if first and external_id in created else DUPLICATE
            results.append({"external_id": external_id, "status": status})
        return Response({"results": results})
