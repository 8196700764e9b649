import uuid

import pytest
from django.urls import reverse

from statements.models import AuditEvent, ReviewLease, Statement, Status
from tests import factories
from volunteers.models import AccountEvent


def auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {factories.api_token(user)}"}


def post(api, name, body, user=None, **headers):
    if user is not None:
        headers.update(auth(user))
    return api.post(reverse(name), body, format="json", **headers)


@pytest.mark.django_db
def test_claim_answers_the_batch_with_flags_and_clusters(api, reviewer, settings):
    first = factories.in_review_statement(display_name="王五", text="退出")
    copy = factories.in_review_statement(display_name="王五", text="退出")
    phone = factories.in_review_statement(text="电话13812345678")
    factories.in_review_statement()

    response = post(api, "api:review_claim", {"size": 3}, reviewer)

    assert response.status_code == 200
    body = response.json()
    lease = ReviewLease.objects.get(pk=body["lease"])
    assert lease.reviewer == reviewer
    assert body["expires_at"]
    assert [s["id"] for s in body["statements"]] == [first.pk, copy.pk, phone.pk]
    by_id = {s["id"]: s for s in body["statements"]}
    assert by_id[copy.pk] == {
        "id": copy.pk,
        "name": "王五",
        "is_alias": False,
        "organizations": ["party"],
        "region": "CN-GD",
        "text": "退出",
        "flags": ["duplicate"],
        "cluster_size": 2,
        "earliest_copy": first.pk,
    }
    assert (by_id[first.pk]["cluster_size"], by_id[first.pk]["earliest_copy"]) == (2, None)
    assert by_id[phone.pk]["flags"] == ["contact_number"]
    assert AccountEvent.objects.get(action="claimed").subject == reviewer

    default = post(api, "api:review_claim", {}, reviewer).json()
    assert default["lease"] == body["lease"]  # the same live lease, topped up
    assert len(default["statements"]) == 4


@pytest.mark.django_db
def test_decisions_answer_one_result_per_item_in_order(api, reviewer):
    plain, blocked, declined, overridden = (
        factories.in_review_statement(),
        factories.in_review_statement(text="13812345678"),
        factories.in_review_statement(),
        factories.in_review_statement(text="me@example.com"),
    )
    factories.rejection_reason("flood")
    headers = auth(reviewer)
    lease = api.post(reverse("api:review_claim"), {}, format="json", **headers).json()["lease"]
    someone_elses = factories.approved_statement(reviewer=reviewer)

    response = api.post(
        reverse("api:review_decisions"),
        {
            "lease": lease,
            "decisions": [
                {"id": blocked.pk, "decision": "approve"},
                {"id": plain.pk, "decision": "approve"},
                {"id": declined.pk, "decision": "reject", "reason": "flood", "note": "同IP"},
                {"id": overridden.pk, "decision": "approve", "override": "本人同意公开"},
                {"id": someone_elses.pk, "decision": "approve"},
                {"id": plain.pk, "decision": "reject", "reason": "flood"},
            ],
        },
        format="json",
        **headers,
    )

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"id": blocked.pk, "outcome": "refused", "detail": "needs_redaction_or_override"},
        {"id": plain.pk, "outcome": "approved", "detail": ""},
        {"id": declined.pk, "outcome": "rejected", "detail": ""},
        {"id": overridden.pk, "outcome": "approved", "detail": ""},
        {"id": someone_elses.pk, "outcome": "refused", "detail": "not_in_lease"},
        {"id": plain.pk, "outcome": "refused", "detail": "repeated"},
    ]
    statuses = dict(Statement.objects.values_list("pk", "status"))
    assert statuses[blocked.pk] == Status.IN_REVIEW
    assert statuses[plain.pk] == statuses[overridden.pk] == Status.PUBLISHED
    assert statuses[declined.pk] == Status.REJECTED
    event = AuditEvent.objects.get(statement=overridden, action="approved")
    assert (event.actor, event.reason, event.detail) == (
        reviewer,
        "本人同意公开",
        {"override": ["email"]},
    )


@pytest.mark.django_db
def test_decisions_under_a_lease_that_is_not_live_are_refused(api, reviewer, other_reviewer):
    statement = factories.in_review_statement()
    lease = post(api, "api:review_claim", {}, reviewer).json()["lease"]
    ReviewLease.objects.filter(pk=lease).update(ended_at="2026-01-01T00:00:00Z")

    for user, lease_id in [(reviewer, lease), (other_reviewer, lease), (reviewer, uuid.uuid4())]:
        response = post(
            api,
            "api:review_decisions",
            {"lease": str(lease_id), "decisions": [{"id": statement.pk, "decision": "approve"}]},
            user,
        )
        assert response.status_code == 200
        assert response.json()["results"] == [
            {"id": statement.pk, "outcome": "refused", "detail": "lease_not_live"}
        ]
    assert Statement.objects.get(pk=statement.pk).status == Status.IN_REVIEW


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("api:review_claim", {"size": 0}),
        ("api:review_claim", {"size": 201}),
        ("api:review_claim", {"size": "many"}),
        ("api:review_claim", {"size": True}),
        ("api:review_claim", []),
        ("api:review_decisions", {}),
        ("api:review_decisions", {"lease": "x", "decisions": []}),
        ("api:review_decisions", {"lease": str(uuid.uuid4()), "decisions": []}),
        ("api:review_decisions", {"lease": str(uuid.uuid4()), "decisions": "approve"}),
        ("api:review_decisions", {"lease": str(uuid.uuid4()), "decisions": [{"id": 1}]}),
        (
            "api:review_decisions",
            {"lease": str(uuid.uuid4()), "decisions": [{"id": 1, "decision": "publish"}]},
        ),
        (
            "api:review_decisions",
            {"lease": str(uuid.uuid4()), "decisions": [{"id": 1, "decision": "reject"}]},
        ),
        (
            "api:review_decisions",
            {
                "lease": str(uuid.uuid4()),
                "decisions": [{"id": 1, "decision": "reject", "reason": "no-such-reason"}],
            },
        ),
        (
            "api:review_decisions",
            {"lease": str(uuid.uuid4()), "decisions": [{"id": -1, "decision": "approve"}]},
        ),
        (
            "api:review_decisions",
            {"lease": str(uuid.uuid4()), "decisions": [{"id": 10**30, "decision": "approve"}]},
        ),
        (
            "api:review_decisions",
            {
                "lease": str(uuid.uuid4()),
                "decisions": [{"id": 1, "decision": "approve", "override": "x\x00y"}],
            },
        ),
        (
            "api:review_decisions",
            {
                "lease": str(uuid.uuid4()),
                "decisions": [{"id": n, "decision": "approve"} for n in range(1, 300)],
            },
        ),
        ("api:review_release", {}),
        ("api:review_release", {"lease": 5}),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_writes_nothing(api, reviewer, name, body):
    statement = factories.in_review_statement()
    events = AccountEvent.objects.count()

    response = post(api, name, body, reviewer)

    assert response.status_code == 400, response.content
    assert isinstance(response.json(), dict | list)
    assert not ReviewLease.objects.exists()
    assert AccountEvent.objects.count() == events
    assert Statement.objects.get(pk=statement.pk).status == Status.IN_REVIEW


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_refused(api, reviewer):
    response = api.post(
        reverse("api:review_claim"), "size=3", content_type="text/plain", **auth(reviewer)
    )
    assert response.status_code == 415
    assert not ReviewLease.objects.exists()


@pytest.mark.django_db
def test_release_gives_the_batch_back_and_refuses_what_is_not_a_live_lease(
    api, reviewer, other_reviewer
):
    statement = factories.in_review_statement()
    lease = post(api, "api:review_claim", {}, reviewer).json()["lease"]

    assert post(api, "api:review_release", {"lease": lease}, other_reviewer).status_code == 409
    response = post(api, "api:review_release", {"lease": lease}, reviewer)

    assert response.status_code == 200
    assert Statement.objects.get(pk=statement.pk).lease_id is None
    assert AccountEvent.objects.filter(action="released", subject=reviewer).count() == 1
    assert post(api, "api:review_release", {"lease": lease}, reviewer).status_code == 409
    assert (
        post(api, "api:review_release", {"lease": str(uuid.uuid4())}, reviewer).status_code == 409
    )


@pytest.mark.django_db
def test_the_api_needs_a_token_of_a_reviewer(api, volunteer, outsider, coordinator):
    statement = factories.in_review_statement()
    bodies = {
        "api:review_claim": {},
        "api:review_decisions": {
            "lease": str(uuid.uuid4()),
            "decisions": [{"id": statement.pk, "decision": "approve"}],
        },
        "api:review_release": {"lease": str(uuid.uuid4())},
    }
    for name, body in bodies.items():
        assert post(api, name, body).status_code == 401, name
        assert post(api, name, body, HTTP_AUTHORIZATION="Token nope").status_code == 401
        for user in (volunteer, outsider):
            assert post(api, name, body, user).status_code == 403, (name, user)
    assert not ReviewLease.objects.exists()
    assert post(api, "api:review_claim", {}, coordinator).status_code == 200


@pytest.mark.django_db
def test_the_endpoints_answer_with_and_without_the_slash(api, reviewer):
    headers = auth(reviewer)
    for name in ("api:review_claim", "api:review_decisions", "api:review_release"):
        path = reverse(name)
        assert not path.endswith("/")
        assert api.post(path + "/", {}, format="json", **headers).status_code in (200, 400)
