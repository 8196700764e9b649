import pytest
from django.urls import reverse

from counts.services import rollup_review_figures
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
