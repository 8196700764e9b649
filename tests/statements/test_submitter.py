"""The submitter's own actions with their receipt code (statements.submitter): hide, show
again, retract, replace; each audited without an actor, and the tallies follow."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from counts.services import rollup_recent
from statements import receipts, review, services, submitter
from statements.models import AuditEvent, Statement, Status
from tests import factories
from tests.concurrency import run_at_once


def _audit(statement) -> list[tuple[str, str, str]]:
    return list(
        AuditEvent.objects.filter(statement=statement)
        .exclude(action__in=["screened", "approved"])
        .order_by("id")
        .values_list("action", "from_status", "to_status")
    )


@pytest.fixture
def published(reviewer):
    """A published statement of the web form and its receipt code."""
    sent = factories.submission()
    services.screen_received()
    factories.approve(sent.statement, reviewer=reviewer)
    sent.statement.refresh_from_db()
    assert sent.statement.status == Status.PUBLISHED
    return sent.statement, sent.receipt


@pytest.mark.django_db
def test_hiding_takes_it_off_the_list_keeps_it_published_and_is_audited(published):
    statement, receipt = published

    result = submitter.hide(receipt=receipt)

    assert result.changed
    assert (result.statement.status, result.statement.hidden) == (Status.PUBLISHED, True)
    statement.refresh_from_db()
    assert statement.hidden and statement.status == Status.PUBLISHED
    assert not Statement.objects.listed().filter(pk=statement.pk).exists()
    assert not Statement.objects.by_number(statement.registration_number).exists()
    event = AuditEvent.objects.get(statement=statement, action="hidden")
    assert (event.actor, event.from_status, event.to_status) == (None, "published", "published")
    assert event.detail == {} and event.reason == ""


@pytest.mark.django_db
def test_hiding_twice_changes_nothing_the_second_time(published):
    _statement, receipt = published
    assert submitter.hide(receipt=receipt).changed
    again = submitter.hide(receipt=receipt)
    assert not again.changed
    assert again.statement.hidden
    assert AuditEvent.objects.filter(action="hidden").count() == 1


@pytest.mark.django_db
def test_showing_again_puts_it_back_on_the_list(published):
    statement, receipt = published
    submitter.hide(receipt=receipt)

    result = submitter.unhide(receipt=receipt)

    assert result.changed and not result.statement.hidden
    assert Statement.objects.by_number(statement.registration_number).exists()
    assert not submitter.unhide(receipt=receipt).changed
    assert _audit(statement) == [
        ("hidden", "published", "published"),
        ("shown", "published", "published"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["received", "in_review", "rejected", "removed"])
def test_only_a_published_statement_can_be_hidden(reviewer, status):
    sent = factories.submission()
    if status != "received":
        services.screen_received()
    if status == "rejected":
        factories.reject(sent.statement, reviewer=reviewer)
    if status == "removed":
        factories.approve(sent.statement, reviewer=reviewer)
        services.remove(statement_id=sent.statement.pk, actor=reviewer, reason="test")

    for act in (submitter.hide, submitter.unhide):
        with pytest.raises(submitter.NotAllowed) as refused:
            act(receipt=sent.receipt)
        assert refused.value.status == status
    sent.statement.refresh_from_db()
    assert sent.statement.status == status and not sent.statement.hidden
    assert not AuditEvent.objects.filter(action__in=["hidden", "shown"]).exists()


@pytest.mark.django_db
def test_an_unknown_receipt_is_refused_by_every_action():
    code = factories.submission().receipt
    other = code[:-1] + ("0" if code[-1] != "0" else "1")
    for act in (submitter.hide, submitter.unhide, submitter.retract):
        with pytest.raises(submitter.UnknownReceipt):
            act(receipt=other)
    with pytest.raises(submitter.UnknownReceipt):
        submitter.look_up(receipt=other)


@pytest.mark.django_db
def test_no_action_reaches_an_imported_statement():
    """Imported statements never had a receipt (their hash only fills the column); even a
    code whose digest one held finds nothing, as with every look-up by code."""
    imported = factories.published_statement(channel="imported")
    code = receipts.new_code()
    Statement.objects.filter(pk=imported.pk).update(receipt_hash=receipts.digest(code))
    for act in (submitter.hide, submitter.unhide, submitter.retract):
        with pytest.raises(submitter.UnknownReceipt):
            act(receipt=code)
    with pytest.raises(submitter.UnknownReceipt):
        factories.submission(replaces=code)
    assert Statement.objects.get(pk=imported.pk).status == Status.PUBLISHED
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["received", "in_review", "published", "hidden"])
def test_retracting_from_every_status_that_allows_it(reviewer, status):
    sent = factories.submission()
    if status != "received":
        services.screen_received()
    if status in ("published", "hidden"):
        factories.approve(sent.statement, reviewer=reviewer)
    if status == "hidden":
        submitter.hide(receipt=sent.receipt)
    sent.statement.refresh_from_db()
    number = sent.statement.registration_number

    result = submitter.retract(receipt=sent.receipt)

    assert result.changed and result.statement.status == Status.RETRACTED
    statement = Statement.objects.get(pk=sent.statement.pk)
    assert statement.status == Status.RETRACTED
    # A number, once given, stays with it: it is never drawn again.
    assert statement.registration_number == number
    from_status = "published" if status == "hidden" else status
    event = AuditEvent.objects.get(statement=statement, action="retracted")
    assert (event.actor, event.from_status, event.to_status) == (None, from_status, "retracted")
    assert not Statement.objects.listed().filter(pk=statement.pk).exists()
    # Final: retracting again changes nothing, and nothing else brings it back.
    assert not submitter.retract(receipt=sent.receipt).changed
    assert AuditEvent.objects.filter(action="retracted").count() == 1
    with pytest.raises(submitter.NotAllowed):
        submitter.unhide(receipt=sent.receipt)


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["rejected", "removed"])
def test_a_declined_or_removed_statement_cannot_be_retracted(reviewer, status):
    sent = factories.submission()
    services.screen_received()
    if status == "rejected":
        factories.reject(sent.statement, reviewer=reviewer)
    else:
        factories.approve(sent.statement, reviewer=reviewer)
        services.remove(statement_id=sent.statement.pk, actor=reviewer, reason="test")

    with pytest.raises(submitter.NotAllowed) as refused:
        submitter.retract(receipt=sent.receipt)

    assert refused.value.status == status
    assert Statement.objects.get(pk=sent.statement.pk).status == status


@pytest.mark.django_db
def test_the_tallies_follow_hide_and_retract(published, reviewer, api):
    _statement, receipt = published
    factories.approved_statement(reviewer=reviewer)
    rollup_recent()
    assert api.get(reverse("api:tallies")).json()["total"] == 2

    submitter.hide(receipt=receipt)
    rollup_recent()
    assert api.get(reverse("api:tallies")).json()["total"] == 2  # hidden still counts

    submitter.retract(receipt=receipt)
    rollup_recent()
    assert api.get(reverse("api:tallies")).json()["total"] == 1  # retracted does not


@pytest.mark.django_db
def test_a_retraction_long_after_publication_is_taken_out_of_its_day(reviewer, api):
    """The rollup finds the day from status_changed_at and the publication day, however
    old the day is."""
    old = factories.published_statement(published_at=timezone.now() - timedelta(days=40))
    code = receipts.new_code()
    Statement.objects.filter(pk=old.pk).update(receipt_hash=receipts.digest(code))
    rollup_recent()
    assert api.get(reverse("api:tallies")).json()["total"] == 1

    submitter.retract(receipt=code)
    rollup_recent()

    assert api.get(reverse("api:tallies")).json()["total"] == 0


@pytest.mark.django_db
def test_the_review_queue_never_hands_out_a_retracted_statement(reviewer, other_reviewer):
    retracted = factories.submission()
    kept = factories.submission()
    services.screen_received()
    submitter.retract(receipt=retracted.receipt)

    lease = review.claim(reviewer=reviewer, size=200)

    assert list(review.batch(lease).values_list("pk", flat=True)) == [kept.statement.pk]


@pytest.mark.django_db
def test_a_statement_retracted_while_claimed_leaves_the_claim_and_cannot_be_decided(reviewer):
    sent = factories.submission()
    services.screen_received()
    lease = review.claim(reviewer=reviewer, size=10)
    assert review.batch(lease).filter(pk=sent.statement.pk).exists()

    submitter.retract(receipt=sent.receipt)

    statement = Statement.objects.get(pk=sent.statement.pk)
    assert (statement.lease_id, statement.lease_expires_at) == (None, None)
    assert not review.batch(lease).exists()
    outcome = review.decide(
        reviewer=reviewer,
        lease_id=lease.pk,
        decisions=[review.Decision(statement.pk, "approve")],
    )
    assert outcome.refused == {statement.pk: review.NOT_HELD}
    assert Statement.objects.get(pk=statement.pk).status == Status.RETRACTED


@pytest.mark.django_db
def test_a_decision_cannot_be_undone_onto_a_retracted_statement(published, reviewer):
    statement, receipt = published
    submitter.retract(receipt=receipt)
    assert review.undo(reviewer=reviewer, statement_id=statement.pk) is False
    assert Statement.objects.get(pk=statement.pk).status == Status.RETRACTED


@pytest.mark.django_db(transaction=True)
def test_a_retraction_racing_a_publication_ends_retracted(reviewer):
    """The submitter retracts as a reviewer publishes: whichever locks the row first acts,
    and the other sees its result. Either way the statement ends retracted."""
    sent = factories.submission()
    services.screen_received()
    lease = review.claim(reviewer=reviewer, size=10)

    def publish():
        return review.decide(
            reviewer=reviewer,
            lease_id=lease.pk,
            decisions=[review.Decision(sent.statement.pk, "approve")],
        )

    outcomes = run_at_once(publish, lambda: submitter.retract(receipt=sent.receipt))

    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert outcomes[1].changed
    statement = Statement.objects.get(pk=sent.statement.pk)
    assert statement.status == Status.RETRACTED
    retracted = AuditEvent.objects.get(statement=statement, action="retracted")
    # From what the reviewer left it as: published if the decision came first.
    published_first = statement.pk in outcomes[0].approved
    assert retracted.from_status == ("published" if published_first else "in_review")


@pytest.mark.django_db
def test_a_retracted_statement_is_no_duplicate_of_the_next(reviewer):
    first = factories.submission(display_name="重发者", text="同样的话")
    submitter.retract(receipt=first.receipt)
    again = factories.submission(display_name="重发者", text="同样的话")
    services.screen_received()
    again.statement.refresh_from_db()
    assert "duplicate" not in again.statement.screening_flags


# --- Replace ----------------------------------------------------------------------------


def _resend(receipt: str, **overrides) -> services.Submission:
    return factories.submission(replaces=receipt, **overrides)


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["received", "in_review", "published"])
def test_a_new_version_retracts_the_one_it_replaces(reviewer, status):
    first = factories.submission(text="第一版")
    if status != "received":
        services.screen_received()
    if status == "published":
        factories.approve(first.statement, reviewer=reviewer)

    second = _resend(first.receipt, text="改过的第二版")

    assert second.created and second.statement.status == Status.RECEIVED
    assert second.replaced.pk == first.statement.pk
    assert second.replaced.status == Status.RETRACTED
    assert Statement.objects.get(pk=first.statement.pk).status == Status.RETRACTED
    event = AuditEvent.objects.get(statement=first.statement, action="replaced")
    assert (event.actor, event.from_status, event.to_status) == (None, status, "retracted")
    # Nothing joins the two: a person may have sent the new version under an alias.
    assert event.detail == {} and event.reason == ""
    assert not AuditEvent.objects.filter(statement=second.statement).exists()


@pytest.mark.django_db
def test_replacing_with_an_unknown_code_stores_nothing():
    first = factories.submission()
    unknown = first.receipt[:-1] + ("0" if first.receipt[-1] != "0" else "1")
    with pytest.raises(submitter.UnknownReceipt):
        _resend(unknown, text="新版")
    assert Statement.objects.count() == 1
    assert Statement.objects.get().status == Status.RECEIVED


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["rejected", "retracted"])
def test_replacing_a_statement_already_gone_stores_the_new_one_and_leaves_the_old(reviewer, status):
    first = factories.submission()
    services.screen_received()
    if status == "rejected":
        factories.reject(first.statement, reviewer=reviewer)
    else:
        submitter.retract(receipt=first.receipt)

    second = _resend(first.receipt, text="再来一次")

    assert second.created
    assert second.replaced.status == status
    assert not AuditEvent.objects.filter(action="replaced").exists()


@pytest.mark.django_db
def test_a_resent_replacement_stores_once_and_retracts_once():
    first = factories.submission()
    key = "form:resent-replacement-token"
    a = _resend(first.receipt, display_name="重发", text="新版", submission_key=key)
    b = _resend(first.receipt, display_name="重发", text="新版", submission_key=key)
    assert (a.created, b.created) == (True, False)
    assert a.statement.pk == b.statement.pk
    assert b.replaced.status == Status.RETRACTED
    assert AuditEvent.objects.filter(action="replaced").count() == 1
    assert Statement.objects.count() == 2


@pytest.mark.django_db
def test_the_statement_history_shows_the_submitter_s_actions_as_theirs(
    client, published, coordinator
):
    statement, receipt = published
    submitter.hide(receipt=receipt)
    submitter.retract(receipt=receipt)
    factories.sign_in(client, coordinator)

    html = client.get(
        reverse("volunteers:statement", args=[statement.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Hidden by its submitter" in html
    assert "Retracted by its submitter: Published → Retracted" in html
    assert html.count("<td>its submitter</td>") == 2
