"""The public API's OpenAPI schema (drf-spectacular): what it shows, and its docs page."""

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from tuidang.lib.http import public_read


def public_endpoints_only(endpoints: list) -> list:
    """SPECTACULAR_SETTINGS' preprocessing hook: keep what anyone may call without a
    token. Volunteers' tools (review, intake) authenticate, so they stay out of the
    public schema, as will any such endpoint added later, with nothing to remember.

    The write endpoints also answer without their trailing slash (a POST cannot follow
    a redirect); the schema names each once, with the slash."""
    paths = {(path, method) for path, _regex, method, _callback in endpoints}
    return [
        (path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
        if not getattr(callback.cls, "authentication_classes", None)
        and (path.endswith("/") or (path + "/", method) not in paths)
    ]


def documented_as(schema_view: type):
    """For a plain Django view on an API path (a hot read, or a CSV that content
    negotiation would refuse): drf-spectacular lists only DRF views, so this names a
    DRF APIView whose `get` carries the schema. Requests never reach that class; the
    schema generator reads `cls` from the URL pattern's callback, as it does for
    APIView.as_view()."""

    def decorate(view):
        view.cls = schema_view
        view.initkwargs = {}
        return view

    return decorate


# The one public page with a script: Swagger UI (drf-spectacular-sidecar's copy, served
# from our static files) and static/api/docs.js, which starts it. Both are files of
# this origin, so the site's `script-src 'self'` covers them with no nonce and no
# inline script; Swagger UI's stylesheet draws its icons as data: images.
@csp_update({"img-src": ["data:"]})
@public_read
@require_safe
def docs(request: HttpRequest) -> HttpResponse:
    schema = reverse("api:schema")
    return render(
        request,
        "api/docs.html",
        {"schema_url": schema, "schema_json_url": f"{schema}?format=json"},
    )
