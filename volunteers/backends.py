"""The authentication backend: Django's, with the account row loaded alongside."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Loads the signed-in user with its `Account` in one query, so the middleware can
    compare the session's generation on every request without a query of its own."""

    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("account").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
