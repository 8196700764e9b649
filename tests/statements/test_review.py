from datetime import timedelta

import pytest
from django.utils import timezone

from counts import services as counts_services
from counts.models import TallySummary
from statements import review
from statements.models import AuditEvent, ReviewLease, Statement, Status
from tests import factories
from tests.concurrency import run_at_once
from volunteers.roles import Role


def waiting(n: int, **fields) -> list[Statement]:
    return [factories.in_review_statement(**fields) for _ in range(n)]


def ids(rows) -> list[int]:
    return [row.pk for row in rows]


def held(lease) -> list[int]:
    return ids(review.batch(lease))


@pytest.mark.django_db
def test_a_claim_takes_the_oldest_statements_in_queue_order(reviewer, settings):
    statements = waiting(5)

    lease = review.claim(reviewer=reviewer, size=3)

    assert held(lease) == ids(statements[:3])
    assert lease.reviewer == reviewer
    expected = lease.created_at + timedelta(minutes=settings.REVIEW_LEASE_MINUTES)
    assert lease.expires_at == expected
    row = Statement.objects.get(pk=statements[0].pk)
    assert (row.lease_id, row.lease_expires_at) == (lease.pk, lease.expires_at)


@pytest.mark.django_db
def test_a_second_reviewer_gets_the_next_statements(reviewer, other_reviewer):
    statements = waiting(4)

    first = review.claim(reviewer=reviewer, size=2)
    second = review.claim(reviewer=other_reviewer, size=5)

    assert held(first) == ids(statements[:2])
    assert held(second) == ids(statements[2:])


@pytest.mark.django_db
def test_claiming_again_extends_and_tops_up_the_live_lease(reviewer):
    statements = waiting(5)
    start = timezone.now()
    lease = review.claim(reviewer=reviewer, size=2, now=start)
    factories_outcome = review.approve_many(
        reviewer=reviewer, lease_id=lease.pk, statement_ids=[statements[0].pk], now=start
    )
    assert factories_outcome.approved == [statements[0].pk]

    later = start + timedelta(minutes=10)
    again = review.claim(reviewer=reviewer, size=3, now=later)

    assert again.pk == lease.pk
    assert ReviewLease.objects.filter(reviewer=reviewer).count() == 1
    assert held(again) == ids(statements[1:4])
    assert again.expires_at > later + timedelta(minutes=14)
    assert set(
        Statement.objects.filter(lease=lease).values_list("lease_expires_at", flat=True)
    ) == {again.expires_at}


@pytest.mark.django_db
def test_an_expired_lease_is_passed_over_without_a_sweeper(reviewer, other_reviewer, settings):
    statements = waiting(2)
    start = timezone.now()
    review.claim(reviewer=reviewer, size=2, now=start)
    assert held(review.claim(reviewer=other_reviewer, size=2, now=start)) == []

    later = start + timedelta(minutes=settings.REVIEW_LEASE_MINUTES, seconds=1)
    taken = review.claim(reviewer=other_reviewer, size=2, now=later)

    assert held(taken) == ids(statements)
    # And the first reviewer's decisions under the expired lease are refused.
    old = ReviewLease.objects.get(reviewer=reviewer)
    outcome = review.approve_many(
        reviewer=reviewer, lease_id=old.pk, statement_ids=ids(statements), now=later
    )
    assert outcome.approved == []
    assert set(outcome.refused.values()) == {review.NOT_LIVE}


@pytest.mark.django_db
def test_claim_size_is_bounded(reviewer, settings):
    for size in (0, -1, settings.REVIEW_BATCH_MAX + 1):
        with pytest.raises(ValueError):
            review.claim(reviewer=reviewer, size=size)
    assert not ReviewLease.objects.exists()


@pytest.mark.django_db
def test_release_gives_the_rest_back_in_its_old_place(reviewer, other_reviewer):
    statements = waiting(3)
    lease = review.claim(reviewer=reviewer, size=2)

    review.release(reviewer=reviewer, lease_id=lease.pk)

    lease.refresh_from_db()
    assert (lease.end, lease.ended_at is not None) == (ReviewLease.End.RELEASED, True)
    assert held(review.claim(reviewer=other_reviewer, size=3)) == ids(statements)
    with pytest.raises(review.LeaseRefused):
        review.release(reviewer=reviewer, lease_id=lease.pk)


@pytest.mark.django_db
def test_only_the_holder_releases_a_lease(reviewer, other_reviewer):
    waiting(1)
    lease = review.claim(reviewer=reviewer, size=1)
    with pytest.raises(review.LeaseRefused):
        review.release(reviewer=other_reviewer, lease_id=lease.pk)
    assert held(lease) != []


@pytest.mark.django_db
def test_a_skipped_statement_goes_behind_the_others(reviewer, other_reviewer):
    statements = waiting(3)
    lease = review.claim(reviewer=reviewer, size=1)

    outcome = review.skip(reviewer=reviewer, lease_id=lease.pk, statement_id=statements[0].pk)

    assert outcome.skipped == [statements[0].pk]
    assert held(lease) == []
    order = ids(Statement.objects.review_queue())
    assert order == [statements[1].pk, statements[2].pk, statements[0].pk]
    event = AuditEvent.objects.get(statement=statements[0], action="skipped")
    assert (event.actor, event.to_status) == (reviewer, "in_review")


@pytest.mark.django_db
def test_a_broken_lease_refuses_later_decisions(reviewer):
    statements = waiting(2)
    lease = review.claim(reviewer=reviewer, size=2)

    broken = review.break_lease(lease_id=lease.pk)

    assert broken.end == ReviewLease.End.BROKEN
    outcome = review.approve_many(
        reviewer=reviewer, lease_id=lease.pk, statement_ids=ids(statements)
    )
    assert outcome.approved == []
    assert Statement.objects.filter(status=Status.IN_REVIEW, lease__isnull=True).count() == 2
    with pytest.raises(review.LeaseRefused):
        review.break_lease(lease_id=lease.pk)


@pytest.mark.django_db(transaction=True)
def test_reviewers_claiming_at_the_same_instant_never_share_a_statement():
    statements = waiting(30)
    reviewers = [factories.account(f"racer{n}", role=Role.REVIEWER) for n in range(5)]

    outcomes = run_at_once(*[lambda r=r: review.claim(reviewer=r, size=8) for r in reviewers])

    assert all(isinstance(o, ReviewLease) for o in outcomes), outcomes
    batches = [held(lease) for lease in outcomes]
    claimed = [pk for batch in batches for pk in batch]
    assert len(claimed) == len(set(claimed)) == 30
    assert set(claimed) == set(ids(statements))


@pytest.mark.django_db(transaction=True)
def test_one_reviewer_claiming_twice_at_once_gets_one_lease():
    waiting(6)
    reviewer = factories.account("twotabs", role=Role.REVIEWER)

    outcomes = run_at_once(*[lambda: review.claim(reviewer=reviewer, size=3)] * 2)

    assert {o.pk for o in outcomes} == {outcomes[0].pk}, outcomes
    assert len(held(outcomes[0])) == 3


@pytest.mark.django_db
def test_approve_many_publishes_the_batch_with_one_audit_row_each(
    reviewer, django_assert_max_num_queries
):
    statements = waiting(40)
    lease = review.claim(reviewer=reviewer, size=40)

    # lease lock, row lock, update, audit insert, and the savepoints around them and
    # around the publishing update (a registration number drawn twice is drawn again):
    # not one per statement
    with django_assert_max_num_queries(8):
        outcome = review.approve_many(
            reviewer=reviewer, lease_id=lease.pk, statement_ids=ids(statements)
        )

    assert sorted(outcome.approved) == ids(statements)
    published = Statement.objects.filter(status=Status.PUBLISHED)
    assert published.count() == 40
    assert not published.filter(published_at__isnull=True).exists()
    assert not published.filter(lease__isnull=False).exists()
    events = AuditEvent.objects.filter(action="approved")
    assert events.count() == 40
    assert {(e.actor_id, e.from_status, e.to_status) for e in events} == {
        (reviewer.pk, "in_review", "published")
    }


@pytest.mark.django_db
def test_decisions_only_touch_statements_of_the_lease(reviewer, other_reviewer):
    mine, theirs = waiting(2)
    lease = review.claim(reviewer=reviewer, size=1)
    their_lease = review.claim(reviewer=other_reviewer, size=1)
    published = factories.approved_statement(reviewer=other_reviewer)

    outcome = review.approve_many(
        reviewer=reviewer, lease_id=lease.pk, statement_ids=[mine.pk, theirs.pk, published.pk]
    )
    assert outcome.approved == [mine.pk]
    assert outcome.refused == {theirs.pk: review.NOT_HELD, published.pk: review.NOT_HELD}

    # Someone else's lease id is no use either.
    outcome = review.approve_many(
        reviewer=reviewer, lease_id=their_lease.pk, statement_ids=[theirs.pk]
    )
    assert outcome.refused == {theirs.pk: review.NOT_LIVE}
    assert Statement.objects.get(pk=theirs.pk).status == Status.IN_REVIEW
    outcome = review.approve_many(reviewer=reviewer, lease_id="not-a-uuid", statement_ids=[1])
    assert outcome.refused == {1: review.NOT_LIVE}


@pytest.mark.django_db
def test_reject_many_keeps_the_reason_and_note(reviewer):
    statements = waiting(2)
    lease = review.claim(reviewer=reviewer, size=2)
    reason = factories.rejection_reason("flood")

    outcome = review.reject_many(
        reviewer=reviewer,
        lease_id=lease.pk,
        statement_ids=ids(statements),
        reason=reason,
        note=" 同一IP批量 ",
    )

    assert sorted(outcome.rejected) == ids(statements)
    row = Statement.objects.get(pk=statements[0].pk)
    assert (row.status, row.rejection, row.rejection_reason, row.published_at) == (
        Status.REJECTED,
        reason,
        "同一IP批量",
        None,
    )
    event = AuditEvent.objects.filter(action="rejected").first()
    assert (event.reason, event.detail) == ("flood: 同一IP批量", {"rejection": "flood"})


@pytest.mark.django_db
def test_one_decision_mixes_outcomes_with_one_update_each(reviewer):
    a, b, c, d = waiting(4)
    lease = review.claim(reviewer=reviewer, size=4)
    flood, abusive = factories.rejection_reason("flood"), factories.rejection_reason("abusive")

    outcome = review.decide(
        reviewer=reviewer,
        lease_id=lease.pk,
        decisions=[
            review.Decision(a.pk, "approve"),
            review.Decision(b.pk, "reject", reason=flood),
            review.Decision(c.pk, "reject", reason=abusive, note="骂人"),
            review.Decision(d.pk, "skip"),
            review.Decision(a.pk, "reject", reason=flood),
        ],
    )

    assert (outcome.approved, outcome.rejected, outcome.skipped) == ([a.pk], [b.pk, c.pk], [d.pk])
    assert outcome.refused == {}  # the repeat of `a` is ignored: its first mention counts
    assert outcome.result(a.pk) == ("approved", "")
    rows = {s.pk: s for s in Statement.objects.filter(pk__in=[b.pk, c.pk])}
    assert (rows[b.pk].rejection, rows[b.pk].rejection_reason) == (flood, "")
    assert (rows[c.pk].rejection, rows[c.pk].rejection_reason) == (abusive, "骂人")
    assert Statement.objects.get(pk=a.pk).status == Status.PUBLISHED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("电话 13812345678", "contact_number"),
        ("身份证 11010519491231002X", "id_number"),
        ("邮箱 me@example.com", "email"),
        ("住在广东省深圳市南山区科技园路1号", "street_address"),
    ],
)
def test_a_statement_with_personal_details_is_not_published_without_an_override(
    reviewer, text, flag
):
    blocked = factories.in_review_statement(text=text)
    assert blocked.blocking_flags == [flag]
    lease = review.claim(reviewer=reviewer, size=1)

    outcome = review.approve_many(reviewer=reviewer, lease_id=lease.pk, statement_ids=[blocked.pk])
    assert outcome.blocked == [blocked.pk]
    assert Statement.objects.get(pk=blocked.pk).status == Status.IN_REVIEW

    outcome = review.approve_many(
        reviewer=reviewer,
        lease_id=lease.pk,
        statement_ids=[blocked.pk],
        overrides={blocked.pk: "   "},
    )
    assert outcome.blocked == [blocked.pk]  # blank is not a reason

    outcome = review.approve_many(
        reviewer=reviewer,
        lease_id=lease.pk,
        statement_ids=[blocked.pk],
        overrides={blocked.pk: "本人要求公开联系方式"},
    )
    assert outcome.approved == [blocked.pk]
    event = AuditEvent.objects.get(statement=blocked, action="approved")
    assert (event.reason, event.detail) == ("本人要求公开联系方式", {"override": [flag]})


@pytest.mark.django_db
def test_bulk_approval_skips_blocked_statements_and_says_how_many(reviewer):
    plain = waiting(3)
    blocked = factories.in_review_statement(text="电话13812345678")
    lease = review.claim(reviewer=reviewer, size=10)

    outcome = review.approve_many(
        reviewer=reviewer, lease_id=lease.pk, statement_ids=[*ids(plain), blocked.pk]
    )

    assert sorted(outcome.approved) == ids(plain)
    assert outcome.blocked == [blocked.pk]


@pytest.mark.django_db
def test_approve_all_unflagged_leaves_every_flagged_statement(reviewer):
    plain = waiting(2)
    original = factories.in_review_statement(display_name="复制", text="退出")
    copy = factories.in_review_statement(display_name="复制", text="退出")
    phone = factories.in_review_statement(text="13812345678")
    lease = review.claim(reviewer=reviewer, size=10)

    outcome, left = review.approve_unflagged(reviewer=reviewer, lease_id=lease.pk)

    assert sorted(outcome.approved) == sorted([*ids(plain), original.pk])
    assert left == 2
    assert set(held(lease)) == {copy.pk, phone.pk}


@pytest.mark.django_db
def test_declining_a_cluster_declines_every_copy_not_held_by_someone_else(reviewer, other_reviewer):
    copies = waiting(4, display_name="灌水", text="同样的话")
    other = factories.in_review_statement()
    their_lease = review.claim(reviewer=other_reviewer, size=1)
    assert held(their_lease) == [copies[0].pk]
    lease = review.claim(reviewer=reviewer, size=1)
    assert held(lease) == [copies[1].pk]
    flood = factories.rejection_reason("flood")

    declined = review.reject_cluster(
        reviewer=reviewer, lease_id=lease.pk, statement_id=copies[1].pk, reason=flood
    )

    assert sorted(declined) == ids(copies[1:])
    assert Statement.objects.get(pk=copies[0].pk).status == Status.IN_REVIEW
    assert Statement.objects.get(pk=other.pk).status == Status.IN_REVIEW
    assert AuditEvent.objects.filter(action="rejected", detail={"rejection": "flood"}).count() == 3
    # Not from a statement the reviewer does not hold.
    assert (
        review.reject_cluster(
            reviewer=reviewer, lease_id=lease.pk, statement_id=copies[0].pk, reason=flood
        )
        == []
    )


@pytest.mark.django_db
def test_undo_returns_a_publication_to_review_and_the_tallies_follow(reviewer):
    statement = factories.in_review_statement()
    counts_services.rollup_recent()
    before = TallySummary.objects.current().total
    factories.approve(statement, reviewer=reviewer)
    counts_services.rollup_recent()
    assert TallySummary.objects.current().total == before + 1

    assert review.undo(reviewer=reviewer, statement_id=statement.pk)

    counts_services.rollup_recent()
    assert TallySummary.objects.current().total == before
    statement.refresh_from_db()
    assert (statement.status, statement.published_at) == (Status.IN_REVIEW, None)
    event = AuditEvent.objects.get(statement=statement, action="reopened")
    assert (event.actor, event.from_status, event.to_status) == (reviewer, "published", "in_review")
    assert not review.undo(reviewer=reviewer, statement_id=statement.pk)  # nothing left to undo


@pytest.mark.django_db
def test_undo_of_a_rejection_clears_the_reason_and_returns_to_the_reviewers_batch(reviewer):
    statement = factories.in_review_statement()
    lease = review.claim(reviewer=reviewer, size=1)
    review.reject_many(
        reviewer=reviewer,
        lease_id=lease.pk,
        statement_ids=[statement.pk],
        reason=factories.rejection_reason(),
        note="误点",
    )

    assert review.undo(reviewer=reviewer, statement_id=statement.pk)

    statement.refresh_from_db()
    assert (statement.status, statement.rejection, statement.rejection_reason) == (
        Status.IN_REVIEW,
        None,
        "",
    )
    assert held(lease) == [statement.pk]


@pytest.mark.django_db
def test_undo_is_only_for_ones_own_recent_decision(reviewer, other_reviewer, settings):
    statement = factories.in_review_statement()
    factories.approve(statement, reviewer=reviewer)
    event = AuditEvent.objects.get(statement=statement, action="approved")

    assert not review.undo(reviewer=other_reviewer, statement_id=statement.pk)
    too_late = event.created_at + timedelta(minutes=settings.REVIEW_UNDO_MINUTES, seconds=1)
    assert not review.undo(reviewer=reviewer, statement_id=statement.pk, now=too_late)
    assert Statement.objects.get(pk=statement.pk).status == Status.PUBLISHED
    assert not review.undo(reviewer=reviewer, statement_id=factories.in_review_statement().pk)


@pytest.mark.django_db
def test_redaction_masks_only_the_spans_and_screens_again(reviewer):
    statement = factories.in_review_statement(text="我的电话是13812345678，我退出。")
    assert statement.blocking_flags == ["contact_number"]
    lease = review.claim(reviewer=reviewer, size=1)
    start = statement.text.index("138")

    review.redact(
        reviewer=reviewer,
        lease_id=lease.pk,
        statement_id=statement.pk,
        field="text",
        spans=[(start + 3, start + 11), (start, start + 4)],
    )

    statement.refresh_from_db()
    assert statement.text == "我的电话是＊＊＊＊＊＊＊＊＊＊＊，我退出。"
    assert statement.screening_flags == []
    assert statement.status == Status.IN_REVIEW
    event = AuditEvent.objects.get(statement=statement, action="redacted")
    assert event.detail == {"field": "text", "spans": [[start, start + 11]]}
    assert "138" not in str(event.detail) + event.reason
    assert review.approve_many(
        reviewer=reviewer, lease_id=lease.pk, statement_ids=[statement.pk]
    ).approved == [statement.pk]


@pytest.mark.django_db
def test_a_masked_copy_is_no_longer_a_duplicate_and_its_hash_follows(reviewer):
    first = factories.in_review_statement(display_name="王五", text="退出")
    copy = factories.in_review_statement(display_name="王五", text="退出")
    assert copy.screening_flags == ["duplicate"]
    lease = review.claim(reviewer=reviewer, size=2)

    review.redact(
        reviewer=reviewer,
        lease_id=lease.pk,
        statement_id=copy.pk,
        field="display_name",
        spans=[(1, 2)],
    )

    copy.refresh_from_db()
    assert (copy.display_name, copy.screening_flags) == ("王＊", [])
    assert copy.content_hash != first.content_hash
    # A second copy masked the same way is a duplicate of the first masked one.
    review.redact(
        reviewer=reviewer,
        lease_id=lease.pk,
        statement_id=first.pk,
        field="display_name",
        spans=[(1, 2)],
    )
    first.refresh_from_db()
    assert first.screening_flags == []  # the earlier one is never the duplicate
    assert first.content_hash == copy.content_hash


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spans", [[], [(0, 0)], [(3, 2)], [(-1, 2)], [(0, 99)], [("a", 1)], [(1,)], [None]]
)
def test_redaction_refuses_spans_outside_the_field(reviewer, spans):
    statement = factories.in_review_statement(display_name="李四", text="退出")
    lease = review.claim(reviewer=reviewer, size=1)

    with pytest.raises(review.InvalidSpans):
        review.redact(
            reviewer=reviewer,
            lease_id=lease.pk,
            statement_id=statement.pk,
            field="display_name",
            spans=spans,
        )
    assert Statement.objects.get(pk=statement.pk).display_name == "李四"
    assert not AuditEvent.objects.filter(action="redacted").exists()


@pytest.mark.django_db
def test_redaction_needs_the_lease_and_a_redactable_field(reviewer, other_reviewer):
    statement = factories.in_review_statement(display_name="李四")
    lease = review.claim(reviewer=reviewer, size=1)
    with pytest.raises(review.LeaseRefused):
        review.redact(
            reviewer=other_reviewer,
            lease_id=lease.pk,
            statement_id=statement.pk,
            field="display_name",
            spans=[(0, 1)],
        )
    with pytest.raises(review.InvalidSpans):
        review.redact(
            reviewer=reviewer,
            lease_id=lease.pk,
            statement_id=statement.pk,
            field="region",
            spans=[(0, 1)],
        )
    assert Statement.objects.get(pk=statement.pk).display_name == "李四"


def test_occurrences_match_full_width_and_half_width_alike():
    assert review.occurrences("电话１３８ 和 138", "138") == [(2, 5), (8, 11)]
    assert review.occurrences("Mail ME@x.cn", "me@X.CN") == [(5, 12)]
    assert review.occurrences("aaa", "aa") == [(0, 2)]
    assert review.occurrences("abc", " ") == []


@pytest.mark.django_db(transaction=True)
def test_two_decisions_on_one_lease_at_once_decide_once():
    reviewer = factories.account("hasty", role=Role.REVIEWER)
    statement = factories.in_review_statement()
    lease = review.claim(reviewer=reviewer, size=1)
    reason = factories.rejection_reason()

    outcomes = run_at_once(
        lambda: review.approve_many(
            reviewer=reviewer, lease_id=lease.pk, statement_ids=[statement.pk]
        ),
        lambda: review.reject_many(
            reviewer=reviewer, lease_id=lease.pk, statement_ids=[statement.pk], reason=reason
        ),
    )

    decided = [len(o.approved) + len(o.rejected) for o in outcomes]
    assert sorted(decided) == [0, 1], outcomes
    assert AuditEvent.objects.filter(action__in=["approved", "rejected"]).count() == 1
