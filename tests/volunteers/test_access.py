"""Every volunteer page and review API endpoint checks its permission: each role and an
outsider (an account with no role) on each, and a visitor who is not signed in."""

import uuid

import pytest
from django.urls import reverse

from tests import factories

ROLES = ["outsider", "volunteer", "reviewer", "coordinator"]
RANK = {role: n for n, role in enumerate(ROLES)}

# (URL name, args, method, the lowest role allowed). "outsider": any signed-in account.
PAGES = [
    ("volunteers:review", [], "get", "reviewer"),
    ("volunteers:claim", [], "post", "reviewer"),
    ("volunteers:decide", [], "post", "reviewer"),
    ("volunteers:approve_unflagged", [], "post", "reviewer"),
    ("volunteers:decline_cluster", [], "post", "reviewer"),
    ("volunteers:release", [], "post", "reviewer"),
    ("volunteers:undo", [], "post", "reviewer"),
    ("volunteers:find_statement", [], "get", "reviewer"),
    ("volunteers:statement", ["STATEMENT"], "get", "reviewer"),
    ("volunteers:redact", ["STATEMENT"], "post", "reviewer"),
    ("volunteers:remove", ["STATEMENT"], "post", "coordinator"),
    ("volunteers:break_lease", [uuid.uuid4()], "post", "coordinator"),
    ("volunteers:dashboard", [], "get", "coordinator"),
    ("volunteers:team", [], "get", "coordinator"),
    ("volunteers:create_volunteer", [], "post", "coordinator"),
    ("volunteers:change_role", ["OTHER"], "post", "coordinator"),
    ("volunteers:deactivate", ["OTHER"], "post", "coordinator"),
    ("volunteers:reset_two_factor", ["OTHER"], "post", "coordinator"),
    ("volunteers:enter", [], "get", "volunteer"),
    ("volunteers:enter", [], "post", "volunteer"),
    ("volunteers:entry_slip", [], "get", "volunteer"),
    ("volunteers:paper_upload", [], "get", "volunteer"),
    ("volunteers:paper_upload", [], "post", "volunteer"),
    ("volunteers:paper_template", [], "get", "volunteer"),
    ("volunteers:callbacks", [], "get", "volunteer"),
    ("volunteers:claim_callback", [], "post", "volunteer"),
    ("volunteers:account", [], "get", "outsider"),
    ("volunteers:change_password", [], "get", "outsider"),
    ("volunteers:issue_token", [], "post", "outsider"),
    ("volunteers:sign_out_everywhere", [], "post", "outsider"),
]
API = ["api:review_claim", "api:review_decisions", "api:review_release"]


@pytest.fixture
def cast(volunteer, reviewer, coordinator, outsider):
    return {
        "outsider": outsider,
        "volunteer": volunteer,
        "reviewer": reviewer,
        "coordinator": coordinator,
    }


def _url(name, args, statement, other):
    resolved = [statement.pk if a == "STATEMENT" else other.pk if a == "OTHER" else a for a in args]
    return reverse(name, args=resolved)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "args", "method", "lowest"), PAGES, ids=[f"{p[0]}-{p[2]}" for p in PAGES]
)
def test_each_page_admits_exactly_the_roles_it_should(client, cast, name, args, method, lowest):
    statement = factories.approved_statement(reviewer=cast["reviewer"])
    other = factories.account("someone-else", role="volunteer")
    url = _url(name, args, statement, other)

    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302, name
    assert anonymous["Location"].startswith(reverse("volunteers:login")), name

    for role in ROLES:
        factories.sign_in(client, cast[role])
        status = getattr(client, method)(url).status_code
        allowed = RANK[role] >= RANK[lowest]
        assert (status != 403) == allowed, f"{name} as {role}: {status}"
        assert status < 500, f"{name} as {role}: {status}"
        client.logout()


@pytest.mark.django_db
@pytest.mark.parametrize("name", API)
def test_each_review_endpoint_needs_a_reviewers_token(api, cast, name):
    url = reverse(name)
    assert api.post(url, {}, format="json").status_code == 401
    for role in ROLES:
        token = factories.api_token(cast[role])
        status = api.post(url, {}, format="json", HTTP_AUTHORIZATION=f"Token {token}").status_code
        assert (status != 403) == (RANK[role] >= RANK["reviewer"]), f"{name} as {role}: {status}"
        assert status < 500
