from django.conf import settings
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tuidang.lib.limits import over_limit


class SignInView(LoginView):
    template_name = "volunteers/login.html"
    redirect_authenticated_user = True

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "label_suffix": ""}

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Per client and per account name, so guesses spread over many addresses are
        # still limited; and closed, not open, when the cache is down.
        username = request.POST.get("username", "")
        limited = over_limit(
            request, group="volunteers:login", rate=settings.LOGIN_RATE, fail_open=False
        ) or over_limit(
            request,
            group="volunteers:login-account",
            rate=settings.LOGIN_RATE,
            fail_open=False,
            key=f"account:{username.casefold()}",
        )
        if limited:
            return render(request, "429.html", status=429)
        return super().post(request, *args, **kwargs)
