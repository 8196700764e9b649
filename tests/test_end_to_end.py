"""The issue's acceptance path, over HTTP only: a statement submitted with a plain form
post is screened, approved by a reviewer in a claimed batch, listed, counted and findable by
its receipt."""

import re

import pytest
from django.test import Client

from counts.tasks import rollup_tallies
from statements.tasks import screen_statements
from tests import factories


@pytest.mark.django_db
def test_statement_goes_from_form_to_published_and_counted(reviewer):
    public = Client()
    before = public.get("/api/v1/tallies/").json()

    posted = public.post(
        "/zh-hans/submit/",
        {
            "name": "刘德明",
            "is_alias": "on",
            "organizations": ["party", "young_pioneers"],
            "region": "CN-HB",
            "text": "我自愿声明退出中共和少先队。",
        },
    )
    receipt = re.search(r"<code>(.*?)</code>", public.get(posted["Location"]).content.decode())[1]

    screen_statements.apply()  # beat, every 5 s

    volunteer = Client()
    second_step = volunteer.post(
        "/volunteer/login/", {"username": "reviewer", "password": "a-long-test-password"}
    )
    volunteer.post(second_step["Location"], {"code": factories.totp_code(reviewer)})
    volunteer.post("/volunteer/review/claim/")
    batch = volunteer.get("/volunteer/review/").content.decode()
    statement_id = int(re.search(r'<article [^>]*data-id="(\d+)"', batch)[1])
    lease = re.search(r'name="lease" value="([^"]+)"', batch)[1]
    assert "刘德明" in batch
    volunteer.post(
        "/volunteer/review/decide/",
        {"lease": lease, "statement": [statement_id], f"{statement_id}-choice": "approve"},
    )

    rollup_tallies.apply()  # beat, every 15 s

    after = public.get("/api/v1/tallies/").json()
    assert after["total"] == before["total"] + 1
    assert after["today"] == before["today"] + 1
    assert after["by_organization"]["party"] == before["by_organization"]["party"] + 1
    assert (
        after["by_organization"]["young_pioneers"]
        == before["by_organization"]["young_pioneers"] + 1
    )
    assert after["by_organization"]["youth_league"] == before["by_organization"]["youth_league"]
    listing = public.get("/zh-hans/statements/").content.decode()
    # The public knows it by its registration number only.
    number = re.search(r'href="/zh-hans/statements/(\d{16})/"', listing)[1]
    assert (
        "我自愿声明退出中共和少先队。"
        in public.get(f"/zh-hans/statements/{number}/").content.decode()
    )
    assert '<p class="total">1</p>' in public.get("/zh-hans/").content.decode()
    status = public.post(
        "/api/v1/receipts/lookup", {"receipt": receipt}, content_type="application/json"
    )
    assert status.json()["status"] == "published"
    assert status.json()["registration_number"] == number
    api_item = public.get("/api/v1/statements/").json()["results"][0]
    assert (api_item["registration_number"], api_item["is_alias"]) == (number, True)
