import pytest

from statements import services
from statements.models import AuditEvent, Statement, Status
from tests import factories
from tests.concurrency import run_at_once


@pytest.mark.django_db
def test_removal_takes_a_published_statement_down(reviewer):
    statement = factories.approved_statement(reviewer=reviewer)

    services.remove(statement_id=statement.pk, actor=reviewer, reason="本人要求撤下")

    statement.refresh_from_db()
    assert statement.status == Status.REMOVED
    assert AuditEvent.objects.get(statement=statement, action="removed").reason == "本人要求撤下"
    with pytest.raises(services.TransitionRefused):
        services.remove(statement_id=statement.pk, actor=reviewer, reason="again")


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
