import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from counts.models import TallyDrift
from counts.services import rollup_review_figures
from statements import review
from statements.models import ReviewLease
from tests import factories


@pytest.mark.django_db
def test_the_dashboard_shows_each_figure_to_a_coordinator(
    coordinator_client, reviewer, django_assert_max_num_queries
):
    for _ in range(4):
        factories.in_review_statement(channel="phone")
    factories.approved_statement(reviewer=reviewer)
    rollup_review_figures()

    # session, user, device, permissions (2), snapshot, queue head, intake, hours, leases
    with django_assert_max_num_queries(12):
        response = coordinator_client.get(
            reverse("volunteers:dashboard"), HTTP_ACCEPT_LANGUAGE="en"
        )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Waiting for review</dt><dd>4</dd>" in html
    assert "Received today</dt><dd>5</dd>" in html
    assert "<td>Phone</td><td>4</td>" in html
    assert f'<th scope="row">{reviewer.username}</th><td>1</td>' in html


@pytest.mark.django_db
def test_the_dashboard_is_for_coordinators_only(client, reviewer):
    factories.sign_in(client, reviewer)
    assert client.get(reverse("volunteers:dashboard")).status_code == 403


@pytest.mark.django_db
def test_a_coordinator_breaks_a_claim_from_the_dashboard_and_comes_back_to_it(
    coordinator_client, reviewer
):
    factories.in_review_statement()
    lease = review.claim(reviewer=reviewer, size=1)
    dashboard = reverse("volunteers:dashboard")
    url = reverse("volunteers:break_lease", args=[lease.pk])

    html = coordinator_client.get(dashboard, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'action="{url}"' in html
    assert '<input type="hidden" name="next" value="dashboard">' in html
    response = coordinator_client.post(url, {"next": "dashboard"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert response["Location"] == dashboard
    lease.refresh_from_db()
    assert lease.end == ReviewLease.End.BROKEN
    html = coordinator_client.get(dashboard, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The claim of reviewer is broken" in html
    assert "No one holds a batch." in html


@pytest.mark.django_db
def test_the_bar_leads_coordinators_to_the_dashboard_and_the_team(client, reviewer, coordinator):
    dashboard, team = reverse("volunteers:dashboard"), reverse("volunteers:team")
    factories.sign_in(client, coordinator)
    html = client.get(reverse("volunteers:review")).content.decode()
    assert f'href="{dashboard}"' in html and f'href="{team}"' in html

    factories.sign_in(client, reviewer)
    html = client.get(reverse("volunteers:review")).content.decode()
    assert f'href="{dashboard}"' not in html and f'href="{team}"' not in html


@pytest.mark.django_db
def test_coordinators_see_the_tally_drift_of_the_last_week(coordinator_client):
    now = timezone.now()
    TallyDrift.objects.create(
        day=date(2026, 3, 1), region="", field="party", stored=9, recounted=4, found_at=now
    )
    TallyDrift.objects.create(
        day=date(2026, 3, 2),
        region="CN-GD",
        field="total",
        stored=None,
        recounted=12345,
        found_at=now,
    )
    TallyDrift.objects.create(
        day=date(2026, 1, 1),
        field="total",
        stored=1,
        recounted=2,
        found_at=now - timedelta(days=8),
    )

    html = coordinator_client.get(
        reverse("volunteers:dashboard"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Tally drift found in the last 7 days" in html
    # Once, in the page's body: never in its <title>.
    assert html.count("Tally drift found") == 1
    assert re.search(r"<title>Coordinator dashboard ·[^<]*</title>", html)
    assert (
        "<td>2026-03-01</td><td>–</td><td>Left the Communist Party</td><td>9</td><td>4</td>" in html
    )
    assert "<td>2026-03-02</td><td>CN-GD</td><td>People</td><td>–</td><td>12,345</td>" in html
    assert "2026-01-01" not in html


@pytest.mark.django_db
def test_without_drift_the_dashboard_says_so(coordinator_client):
    html = coordinator_client.get(
        reverse("volunteers:dashboard"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "None: the stored tallies matched the published statements." in html


@pytest.mark.django_db
def test_drift_is_read_only_in_the_admin_for_coordinators_and_hidden_from_reviewers(
    client, coordinator, reviewer
):
    TallyDrift.objects.create(
        day=date(2026, 3, 1), field="total", stored=9, recounted=4, found_at=timezone.now()
    )
    url = reverse("admin:counts_tallydrift_changelist")
    # Coordinators are staff (volunteers.services sets it with the role).
    get_user_model().objects.filter(pk=coordinator.pk).update(is_staff=True)
    factories.sign_in(client, get_user_model().objects.get(pk=coordinator.pk))
    response = client.get(url)
    assert response.status_code == 200
    assert "2026" in response.content.decode()
    assert client.get(reverse("admin:counts_tallydrift_add")).status_code == 403

    factories.sign_in(client, reviewer)
    assert client.get(reverse("volunteers:dashboard")).status_code == 403
    assert client.get(url).status_code in (302, 403)
