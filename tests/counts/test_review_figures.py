from datetime import timedelta

import pytest
from django.utils import timezone

from counts.days import tally_today
from counts.models import IntakeTally, QueueSnapshot, ReviewerHour
from counts.services import rollup_review_figures
from statements.models import ReviewLease, Statement
from tests import factories


@pytest.mark.django_db
def test_queue_depth_counts_statements_waiting_and_those_in_a_live_claim(reviewer):
    waiting = [factories.in_review_statement() for _ in range(4)]
    factories.received_statement()  # not yet screened: not waiting for a reviewer
    now = timezone.now()
    live = ReviewLease.objects.create(reviewer=reviewer, expires_at=now + timedelta(minutes=5))
    expired = ReviewLease.objects.create(reviewer=reviewer, expires_at=now - timedelta(seconds=1))
    for statement, lease in zip(waiting, [live, live, expired], strict=False):
        Statement.objects.filter(pk=statement.pk).update(
            lease=lease, lease_expires_at=lease.expires_at
        )

    rollup_review_figures()

    snapshot = QueueSnapshot.objects.get()
    assert (snapshot.waiting, snapshot.claimed) == (4, 2)


@pytest.mark.django_db
def test_intake_is_counted_per_channel_and_flag_for_today():
    factories.in_review_statement(text="电话 13812345678", channel="phone")
    factories.in_review_statement(channel="phone")
    factories.in_review_statement(text="邮箱 someone@example.org")

    rollup_review_figures()
    rollup_review_figures()  # idempotent

    rows = {t.channel: t for t in IntakeTally.objects.filter(day=tally_today())}
    assert rows["phone"].total == 2
    assert rows["phone"].flags == {"contact_number": 1}
    assert rows["web"].total == 1
    assert rows["web"].flags == {"email": 1}


@pytest.mark.django_db
def test_decisions_are_counted_per_reviewer_per_hour(reviewer, other_reviewer):
    for _ in range(2):
        factories.approved_statement(reviewer=reviewer)
    factories.approved_statement(reviewer=other_reviewer)

    rollup_review_figures()

    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    counted = {r.reviewer_id: r.decisions for r in ReviewerHour.objects.filter(hour=hour)}
    assert counted == {reviewer.pk: 2, other_reviewer.pk: 1}
