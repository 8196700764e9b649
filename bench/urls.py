from django.http import HttpResponse
from django.urls import path

from tuidang.urls import urlpatterns as project_urlpatterns


def bare(request):
    """The baseline: Django's whole middleware stack and nothing else."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *project_urlpatterns]
