"""The public API's OpenAPI schema (/api/v1/schema/) and its docs page (/api/v1/docs/):
a valid schema of exactly the public endpoints, whose shapes are what they answer, and a
docs page whose only scripts are files of our own."""

import json
import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from counts.tasks import rollup_tallies
from statements import receipts
from statements.models import Statement
from tests import factories
from tests.browser import WAIT, chromium, console_errors, page_text

PUBLIC_PATHS = {
    "/api/v1/statements/",
    "/api/v1/statements.csv",
    "/api/v1/statements/{number}/",
    "/api/v1/receipts/lookup/",
    "/api/v1/receipts/hide/",
    "/api/v1/receipts/unhide/",
    "/api/v1/receipts/retract/",
    "/api/v1/tallies/",
    "/api/v1/tallies/daily/",
    "/api/v1/tallies/daily.csv",
    "/api/v1/tallies/regions/",
}
SCRIPTS = re.compile(r"<script\b[^>]*>")


def csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_the_schema_is_valid_openapi_without_a_single_warning(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == PUBLIC_PATHS


@pytest.mark.django_db
def test_the_schema_is_served_as_yaml_and_json_and_shows_no_volunteer_endpoint(client):
    as_yaml = client.get(reverse("api:schema"))
    as_json = client.get(reverse("api:schema"), {"format": "json"})

    assert as_yaml.status_code == as_json.status_code == 200
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    schema = yaml.safe_load(as_yaml.content)
    assert schema == json.loads(as_json.content)
    assert set(schema["paths"]) == PUBLIC_PATHS
    # Review and intake need a token: volunteers' tools, not the public API.
    components = " ".join(schema["components"]["schemas"]).lower()
    for internal in ("review", "intake", "claim", "decision", "lease", "callback"):
        assert not any(internal in path for path in schema["paths"])
        assert internal not in components
    assert "security" not in schema.get("components", {})
    assert "public" in as_yaml["Cache-Control"]
    assert not as_yaml.cookies


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node or "allOf" in node:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        else:
            node = node["allOf"][0]
    return node


def assert_conforms(value, node: dict, schema: dict, where: str = "$") -> None:
    """`value` has exactly the shape the schema documents: the same keys at every level,
    values of the documented types (a small OpenAPI 3.0 check, nullable included)."""
    if value is None:
        # A nullable object is documented as {"allOf": [{"$ref": …}], "nullable": true}.
        nullable = node.get("nullable") or resolve(schema, node).get("nullable")
        assert nullable, f"{where} is null, not documented nullable"
        return
    node = resolve(schema, node)
    kind = node.get("type", "object" if "properties" in node else None)
    if "enum" in node:
        assert value in node["enum"], where
    if kind == "object":
        assert isinstance(value, dict), where
        assert set(value) == set(node["properties"]), (where, set(value), set(node["properties"]))
        for key, item in value.items():
            assert_conforms(item, node["properties"][key], schema, f"{where}.{key}")
    elif kind == "array":
        assert isinstance(value, list), where
        for n, item in enumerate(value):
            assert_conforms(item, node["items"], schema, f"{where}[{n}]")
    elif kind == "integer":
        assert isinstance(value, int) and not isinstance(value, bool), where
    elif kind == "boolean":
        assert isinstance(value, bool), where
    elif kind == "string":
        assert isinstance(value, str), where
        if node.get("format") == "date":
            assert re.fullmatch(r"\d{4}-\d\d-\d\d", value), where


def documented(schema: dict, path: str, method: str, status: int) -> dict:
    content = schema["paths"][path][method]["responses"][str(status)]["content"]
    return content["application/json"]["schema"]


@pytest.mark.django_db
def test_every_documented_answer_has_the_shape_the_api_answers_with(client, api, reviewer):
    schema = yaml.safe_load(client.get(reverse("api:schema")).content)
    code = receipts.new_code()
    statement = factories.approved_statement(reviewer=reviewer, text="声明")
    Statement.objects.filter(pk=statement.pk).update(receipt_hash=receipts.digest(code))
    factories.published_statement(is_alias=True)
    rollup_tallies.apply()
    number = statement.registration_number

    answers = [
        ("/api/v1/statements/", "get", 200, client.get(reverse("api:statements"))),
        (
            "/api/v1/statements/{number}/",
            "get",
            200,
            client.get(reverse("api:statement_detail", args=[number])),
        ),
        (
            "/api/v1/statements/{number}/",
            "get",
            404,
            client.get(reverse("api:statement_detail", args=[1234567890123452])),
        ),
        (
            "/api/v1/receipts/lookup/",
            "post",
            200,
            api.post(reverse("api:receipt_lookup"), {"receipt": code}, format="json"),
        ),
        (
            "/api/v1/receipts/lookup/",
            "post",
            404,
            api.post(
                reverse("api:receipt_lookup"), {"receipt": receipts.new_code()}, format="json"
            ),
        ),
        (
            "/api/v1/statements/",
            "post",
            201,
            api.post(
                reverse("api:statements"),
                {"name": "王", "organizations": ["party"], "region": "CN-BJ"},
                format="json",
            ),
        ),
        (
            "/api/v1/receipts/hide/",
            "post",
            200,
            api.post(reverse("api:receipt_hide"), {"receipt": code}, format="json"),
        ),
        (
            "/api/v1/receipts/unhide/",
            "post",
            200,
            api.post(reverse("api:receipt_unhide"), {"receipt": code}, format="json"),
        ),
        (
            "/api/v1/receipts/retract/",
            "post",
            200,
            api.post(reverse("api:receipt_retract"), {"receipt": code}, format="json"),
        ),
        (
            "/api/v1/receipts/hide/",
            "post",
            409,
            api.post(reverse("api:receipt_hide"), {"receipt": code}, format="json"),
        ),
        (
            "/api/v1/statements/",
            "post",
            201,
            api.post(
                reverse("api:statements"),
                {"name": "李", "organizations": ["party"], "region": "CN-BJ", "replaces": code},
                format="json",
            ),
        ),
        ("/api/v1/tallies/", "get", 200, client.get(reverse("api:tallies"))),
        ("/api/v1/tallies/daily/", "get", 200, client.get(reverse("api:tallies_daily"))),
    ]
    for path, method, status, response in answers:
        assert response.status_code == status, (path, method)
        assert_conforms(response.json(), documented(schema, path, method, status), schema, path)
    # The list held both statements, so every field of an item was checked.
    assert len(answers[0][3].json()["results"]) == 2


@pytest.mark.django_db
def test_the_docs_page_loads_only_scripts_of_our_own_static_files(client):
    response = client.get(reverse("api:docs"))

    assert response.status_code == 200
    html = response.content.decode()
    tags = SCRIPTS.findall(html)
    sources = [re.search(r'src="([^"]+)"', tag).group(1) for tag in tags]
    assert len(tags) == len(sources) == 2
    assert all(src.startswith("/static/") for src in sources), sources
    # No inline script: every <script> is an empty element that names a file.
    assert re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S) == ["", ""]
    assert all(
        finders.find(re.sub(r"\.[0-9a-f]{12}(\.js)$", r"\1", src.removeprefix("/static/")))
        for src in sources
    ), sources
    policy = csp(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'none'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert "unsafe" not in response["Content-Security-Policy"]
    assert not response.cookies


@pytest.mark.django_db
def test_the_docs_page_speaks_the_readers_language(client):
    for lang, accept in (("zh-hans", "zh-CN"), ("zh-hant", "zh-TW"), ("en", "en")):
        html = client.get(reverse("api:docs"), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
        with translation.override(lang):
            assert f"<h1>{gettext('API documentation')}</h1>" in html
            assert f'<html lang="{lang}">' in html


# --- In a browser ------------------------------------------------------------------------


@pytest.mark.process
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_shows_the_public_api_under_the_sites_own_policy(request, tmp_path, live_server):
    factories.published_statement()
    browser = chromium(request, tmp_path, javascript=True, language="en")

    browser.get(f"{live_server.url}/api/v1/docs/")

    paths = WebDriverWait(browser, WAIT).until(
        lambda driver: driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")
    )
    shown = {path.get_attribute("data-path") for path in paths}
    assert shown == PUBLIC_PATHS
    # Nothing was refused by the Content-Security-Policy, and no script failed.
    assert console_errors(browser) == []
    # Only GET can be tried from the page: it must not file statements.
    post = browser.find_element(By.CSS_SELECTOR, ".opblock-post")
    post.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    WebDriverWait(browser, WAIT).until(
        lambda driver: post.find_elements(By.CSS_SELECTOR, ".opblock-body")
    )
    assert not post.find_elements(By.CSS_SELECTOR, ".try-out__btn")
    assert console_errors(browser) == []


@pytest.mark.process
@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_docs_page_links_the_schema(request, tmp_path, live_server):
    browser = chromium(request, tmp_path, javascript=False, language="zh-hant")

    browser.get(f"{live_server.url}/api/v1/docs/")

    with translation.override("zh-hant"):
        assert gettext("API documentation") in page_text(browser)
    links = {a.text: a.get_attribute("href") for a in browser.find_elements(By.TAG_NAME, "a")}
    assert links["YAML"] == f"{live_server.url}/api/v1/schema/"
    assert links["JSON"] == f"{live_server.url}/api/v1/schema/?format=json"
    assert console_errors(browser) == []
