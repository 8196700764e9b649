from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from counts.models import DailyTally
from tuidang.lib.http import public_read

SERIES_DAYS = 30


@public_read
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    series = DailyTally.objects.series(days=SERIES_DAYS)
    return render(
        request,
        "counts/home.html",
        {
            "summary": DailyTally.objects.summary(),
            "series": list(reversed(series)),
            "series_max": max((t.total for t in series), default=0) or 1,
        },
    )
