"""bench/seed.py writes rows the app lists, counts and finds, in the documented mix."""

from collections import Counter

import pytest
from django.db import connection
from django.db.models.functions import Length

from bench.seed import RARE_REGION, RARE_SHARE, TEXT_MIX, region_thresholds, seed_published
from counts.services import build_all
from statements.choices import Region
from statements.models import Statement

ROWS = 4000


@pytest.fixture
def seeded(db):
    with connection.cursor() as cursor:
        seeded = seed_published(cursor, ROWS)
    build_all()
    return seeded


def test_the_app_lists_counts_and_finds_the_seeded_rows(seeded, client, api):
    page = client.get("/en/statements/")
    assert page.status_code == 200
    assert page.content.decode().count('<article class="statement">') == 50
    listed = api.get("/api/v1/statements/")
    assert listed.status_code == 200
    assert len(listed.json()["results"]) == 50
    assert listed.json()["next"]
    assert api.get("/api/v1/tallies/").json()["total"] == ROWS
    found = api.post("/api/v1/receipts/lookup", {"receipt": seeded.receipt}, format="json")
    assert found.status_code == 200
    assert found.json()["status"] == "published"


def test_the_seed_has_the_documented_mix(seeded):
    lengths = Counter()
    for n in Statement.objects.annotate(n=Length("text")).values_list("n", flat=True):
        kind = (
            "blank"
            if n == 0
            else "formula"
            if 10 <= n <= 40
            else "paragraph"
            if 100 <= n <= 300
            else "long"
            if 1000 <= n <= 5000
            else f"other ({n})"
        )
        lengths[kind] += 1
    assert set(lengths) == set(TEXT_MIX)
    for kind, share in TEXT_MIX.items():
        assert abs(lengths[kind] / ROWS - share) < 0.015, (kind, lengths[kind])

    names = Statement.objects.annotate(n=Length("display_name")).values_list("n", flat=True)
    assert set(names) <= {2, 3, 4}
    aliases = Statement.objects.filter(is_alias=True).count()
    assert 0.25 < aliases / ROWS < 0.35

    left = {
        field: Statement.objects.filter(**{field: True}).count() / ROWS
        for field in ("left_party", "left_youth_league", "left_young_pioneers")
    }
    assert left["left_young_pioneers"] > left["left_youth_league"] > left["left_party"] > 0.1
    assert {s.status for s in Statement.objects.only("status")[:100]} == {"published"}

    # Newer days hold more statements than older ones.
    times = sorted(Statement.objects.values_list("published_at", flat=True))
    newest, oldest = times[-1], times[0]
    middle = oldest + (newest - oldest) / 2
    assert sum(t >= middle for t in times) > 1.5 * sum(t < middle for t in times)


def test_regions_cover_the_choices_with_one_rare_region():
    codes, bounds = region_thresholds()
    assert sorted(codes) == sorted(Region.values)
    assert bounds == sorted(bounds)
    assert codes[-1] == RARE_REGION
    assert 1 - bounds[-1] == pytest.approx(RARE_SHARE)
