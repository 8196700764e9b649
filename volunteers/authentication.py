"""`Authorization: Token <token>` for the review API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from volunteers.models import ApiToken


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A live (unrevoked) token of an active account. One indexed lookup by digest."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as: Token <token>."))
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        found = ApiToken.objects.for_token(token).select_related("user").first()
        if found is None or not found.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return found.user, found

    def authenticate_header(self, request):
        return self.keyword
