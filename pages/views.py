from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from pages.models import InfoPage
from tuidang.lib.http import public_read


@public_read
@require_safe
def info_page(request: HttpRequest, slug: str) -> HttpResponse:
    page = get_object_or_404(InfoPage, slug=slug)
    return render(request, "pages/page.html", {"page": page})
