import pytest

from statements import services
from statements.models import AuditEvent, Statement, Status
from tests import factories
from tests.concurrency import run_at_once


@pytest.mark.django_db
def test_approval_publishes_and_is_audited(reviewer):
    statement = factories.in_review_statement()

    services.approve(statement_id=statement.pk, reviewer=reviewer)

    statement.refresh_from_db()
    assert statement.status == Status.PUBLISHED
    assert statement.published_at is not None
    event = AuditEvent.objects.get(statement=statement, action="approved")
    assert (event.actor, event.from_status, event.to_status) == (reviewer, "in_review", "published")


@pytest.mark.django_db
def test_rejection_keeps_the_reason_and_is_audited(reviewer):
    statement = factories.in_review_statement()

    services.reject(statement_id=statement.pk, reviewer=reviewer, reason="机器人灌水")

    statement.refresh_from_db()
    assert (statement.status, statement.rejection_reason, statement.published_at) == (
        Status.REJECTED,
        "机器人灌水",
        None,
    )
    assert AuditEvent.objects.get(statement=statement, action="rejected").reason == "机器人灌水"


@pytest.mark.django_db
def test_only_statements_in_review_can_be_decided(reviewer):
    published = factories.approved_statement(reviewer=reviewer)
    received = factories.received_statement()

    for statement in (received, published):
        with pytest.raises(services.TransitionRefused):
            services.approve(statement_id=statement.pk, reviewer=reviewer)
        with pytest.raises(services.TransitionRefused):
            services.reject(statement_id=statement.pk, reviewer=reviewer, reason="x")
    assert AuditEvent.objects.filter(action__in=["approved", "rejected"]).count() == 1


@pytest.mark.django_db
def test_removal_takes_a_published_statement_down(reviewer):
    statement = factories.approved_statement(reviewer=reviewer)

    services.remove(statement_id=statement.pk, actor=reviewer, reason="本人要求撤下")

    statement.refresh_from_db()
    assert statement.status == Status.REMOVED
    assert AuditEvent.objects.get(statement=statement, action="removed").reason == "本人要求撤下"
    with pytest.raises(services.TransitionRefused):
        services.remove(statement_id=statement.pk, actor=reviewer, reason="again")


def refused(outcome) -> bool:
    return isinstance(outcome, services.TransitionRefused)


@pytest.mark.django_db(transaction=True)
def test_double_approval_at_the_same_moment_publishes_once(reviewer, other_reviewer):
    statement = factories.in_review_statement()

    outcomes = run_at_once(
        lambda: services.approve(statement_id=statement.pk, reviewer=reviewer),
        lambda: services.approve(statement_id=statement.pk, reviewer=other_reviewer),
    )

    assert sorted(map(refused, outcomes)) == [False, True]
    assert not any(isinstance(o, Exception) and not refused(o) for o in outcomes)
    assert Statement.objects.get(pk=statement.pk).status == Status.PUBLISHED
    assert AuditEvent.objects.filter(statement=statement, action="approved").count() == 1


@pytest.mark.django_db(transaction=True)
def test_approve_and_reject_at_the_same_moment_decide_once(reviewer, other_reviewer):
    statement = factories.in_review_statement()

    outcomes = run_at_once(
        lambda: services.approve(statement_id=statement.pk, reviewer=reviewer),
        lambda: services.reject(statement_id=statement.pk, reviewer=other_reviewer, reason="x"),
    )

    assert sorted(map(refused, outcomes)) == [False, True]
    assert not any(isinstance(o, Exception) and not refused(o) for o in outcomes)
    decisions = AuditEvent.objects.filter(statement=statement, action__in=["approved", "rejected"])
    assert decisions.count() == 1
    assert Statement.objects.get(pk=statement.pk).status == decisions.get().to_status


@pytest.mark.django_db(transaction=True)
def test_the_same_submission_sent_twice_at_once_is_stored_once():
    fields = {
        "display_name": "同时提交",
        "is_alias": False,
        "organizations": ["party"],
        "region": "CN-GD",
        "text": "",
        "language": "zh-hans",
        "submission_key": "form:double-click-token-123",
    }

    outcomes = run_at_once(*[lambda: services.submit_statement(**fields)] * 3)

    assert all(isinstance(o, services.Submission) for o in outcomes), outcomes
    assert len({o.receipt for o in outcomes}) == 1
    assert sorted(o.created for o in outcomes) == [False, False, True]
    assert Statement.objects.count() == 1
