"""`Authorization: Token <token>` for the review API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from volunteers.models import ApiToken


class TokenHeaderAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <token>`, the token looked up by `authenticate_token`
    (a subclass's: which kind of token it is). A malformed header is a 401."""

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
        found = self.authenticate_token(token)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return found

    def authenticate_token(self, token: str) -> tuple | None:
        raise NotImplementedError

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenAuthentication(TokenHeaderAuthentication):
    """A live (unrevoked) token of an active account. One indexed lookup by digest."""

    def authenticate_token(self, token: str) -> tuple | None:
        found = ApiToken.objects.for_token(token).select_related("user").first()
        if found is None or not found.user.is_active:
            return None
        return found.user, found
