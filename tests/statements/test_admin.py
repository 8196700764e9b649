import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from statements.admin import CappedPaginator
from statements.models import AuditEvent
from tests import factories


@pytest.fixture
def staff_coordinator_client(client, coordinator):
    get_user_model().objects.filter(pk=coordinator.pk).update(is_staff=True)
    factories.sign_in(client, get_user_model().objects.get(pk=coordinator.pk))
    return client


@pytest.mark.django_db
def test_a_coordinator_reads_the_audit_by_person_in_a_fixed_number_of_queries(
    staff_coordinator_client, reviewer, other_reviewer, django_assert_max_num_queries
):
    for _ in range(3):
        factories.approved_statement(reviewer=reviewer)
    factories.approved_statement(reviewer=other_reviewer)
    url = reverse("admin:statements_auditevent_changelist")

    with django_assert_max_num_queries(14):
        response = staff_coordinator_client.get(url, {"actor": reviewer.pk, "action": "approved"})

    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert len(shown) == 3
    assert {event.actor_id for event in shown} == {reviewer.pk}


@pytest.mark.django_db
def test_the_admin_never_counts_past_its_cap(monkeypatch, reviewer):
    for _ in range(4):
        factories.approved_statement(reviewer=reviewer)
    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", 5)

    paginator = CappedPaginator(AuditEvent.objects.order_by("-id"), 2)

    assert AuditEvent.objects.count() == 8  # screened and approved, four times
    assert paginator.count == 5
