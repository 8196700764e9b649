from django.urls import path

from pages import views
from pages.models import InfoPage

app_name = "pages"
# One URL per page, named after it (pages:safety, pages:counting, pages:about).
urlpatterns = [
    path(f"{slug}/", views.info_page, {"slug": slug}, name=slug) for slug in InfoPage.Slug.values
]
