"""Run by tests/test_embedded.py in a separate process with the embedded default:
SQLite, no Redis, tasks in-process. Walks the whole path once and prints OK."""

import os
import re

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuidang.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from counts.tasks import rollup_tallies  # noqa: E402
from statements.choices import Region  # noqa: E402
from statements.models import Statement  # noqa: E402
from statements.tasks import screen_statements  # noqa: E402
from tests import factories  # noqa: E402

assert connection.vendor == "sqlite", connection.vendor
assert settings.EMBEDDED and settings.CELERY_TASK_ALWAYS_EAGER

setup_test_environment()
call_command("migrate", verbosity=0)
call_command("load_demo_data", verbosity=0)
call_command("load_demo_data", verbosity=0)  # idempotent
demo_count = Statement.objects.count()
assert demo_count > 300, demo_count
published = Statement.objects.published()
assert set(published.values_list("region", flat=True)) == set(Region.values)
for column in ("left_party", "left_youth_league", "left_young_pioneers"):
    assert published.filter(**{column: True}).exists(), column
assert published.filter(is_alias=True).exists() and published.filter(is_alias=False).exists()

client = Client()
before = client.get("/api/v1/tallies/").json()["total"]
assert client.get("/zh-hans/").status_code == 200
regions = client.get("/zh-hans/regions/").content.decode()
assert "广东" in regions, regions
assert client.get("/api/v1/tallies/regions/").json()["regions"][0]["region"] == "CN-BJ"

response = client.post(
    "/zh-hans/submit/", {"name": "嵌入测试", "organizations": ["party"], "region": "CN-GD"}
)
assert response.status_code == 302, response.status_code
code = re.search(r"<code>(.*?)</code>", client.get(response["Location"]).content.decode())[1]

# What beat triggers in production runs in-process here (runembedded's thread).
screen_statements.delay()
reviewer_client = Client()
# As after both sign-in steps (volunteers.middleware refuses a bare force_login).
factories.sign_in(reviewer_client, get_user_model().objects.get(username="demo-reviewer"))
statement = Statement.objects.get(display_name="嵌入测试")
assert statement.status == "in_review"
# A reviewer claims a batch (every waiting statement fits in one) and decides it.
assert reviewer_client.post("/volunteer/review/claim/").status_code == 302
batch = reviewer_client.get("/volunteer/review/").content.decode()
assert f'data-id="{statement.pk}"' in batch, batch
lease = re.search(r'name="lease" value="([^"]+)"', batch)[1]
decided = reviewer_client.post(
    "/volunteer/review/decide/",
    {"lease": lease, "statement": [statement.pk], f"{statement.pk}-choice": "approve"},
)
assert decided.status_code == 302
rollup_tallies.delay()

assert client.get("/api/v1/tallies/").json()["total"] == before + 1
lookup = client.post("/api/v1/receipts/lookup", {"receipt": code}, content_type="application/json")
assert lookup.json()["status"] == "published"
number = lookup.json()["registration_number"]
assert f"/zh-hans/statements/{number}/" in client.get("/zh-hans/statements/").content.decode()
# The list's filters, which SQLite reads as one query (no ordered UNION parts).
filtered = "/zh-hans/statements/?organization=party&region=CN-GD"
assert f"/zh-hans/statements/{number}/" in client.get(filtered).content.decode()
items = client.get("/api/v1/statements/?organization=party&region=CN-GD").json()["results"]
assert items and all(i["region"] == "CN-GD" and "party" in i["organizations"] for i in items)
print("EMBEDDED OK")
