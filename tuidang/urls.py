from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView

from counts import api as counts_api
from statements import api as statements_api
from statements.converters import RegistrationNumberConverter
from tuidang.lib import openapi
from tuidang.lib.http import public_read
from volunteers import api as review_api
from volunteers import intake_api

register_converter(RegistrationNumberConverter, "number")

api_patterns = [
    path("statements/", statements_api.StatementCollection.as_view(), name="statements"),
    # A POST cannot follow APPEND_SLASH's redirect (clients turn it into a GET and the
    # statement is lost), so the write endpoints answer with and without the slash.
    path("statements", statements_api.StatementCollection.as_view()),
    path("statements.csv", statements_api.StatementsCSV.as_view(), name="statements_csv"),
    path(
        "statements/<number:number>/",
        statements_api.StatementDetail.as_view(),
        name="statement_detail",
    ),
    path("receipts/lookup", statements_api.ReceiptLookup.as_view(), name="receipt_lookup"),
    path("receipts/lookup/", statements_api.ReceiptLookup.as_view()),
    path("receipts/hide", statements_api.ReceiptHide.as_view(), name="receipt_hide"),
    path("receipts/hide/", statements_api.ReceiptHide.as_view()),
    path("receipts/unhide", statements_api.ReceiptUnhide.as_view(), name="receipt_unhide"),
    path("receipts/unhide/", statements_api.ReceiptUnhide.as_view()),
    path("receipts/retract", statements_api.ReceiptRetract.as_view(), name="receipt_retract"),
    path("receipts/retract/", statements_api.ReceiptRetract.as_view()),
    path("tallies/", counts_api.tallies, name="tallies"),
    path("tallies/daily/", counts_api.DailySeries.as_view(), name="tallies_daily"),
    path("tallies/daily.csv", counts_api.daily_csv, name="tallies_daily_csv"),
    path("tallies/regions/", counts_api.RegionTallies.as_view(), name="tallies_regions"),
    path("review/claim", review_api.Claim.as_view(), name="review_claim"),
    path("review/claim/", review_api.Claim.as_view()),
    path("review/decisions", review_api.Decisions.as_view(), name="review_decisions"),
    path("review/decisions/", review_api.Decisions.as_view()),
    path("review/release", review_api.Release.as_view(), name="review_release"),
    path("review/release/", review_api.Release.as_view()),
    path("intake/batch", intake_api.IntakeBatch.as_view(), name="intake_batch"),
    path("intake/batch/", intake_api.IntakeBatch.as_view()),
    path("schema/", public_read(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", openapi.docs, name="docs"),
]

urlpatterns = [
    path("api/v1/", include((api_patterns, "api"))),
    path("volunteer/admin/", admin.site.urls),
    path("volunteer/", include("volunteers.urls")),
]
# "/" has no page of its own: LocaleMiddleware redirects it to the language prefix that
# Accept-Language asks for.
urlpatterns += i18n_patterns(
    path("", include("counts.urls")),
    path("", include("statements.urls")),
    path("", include("pages.urls")),
)
