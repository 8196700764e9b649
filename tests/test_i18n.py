import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

from tests import factories

LOCALE = Path(settings.BASE_DIR) / "locale"


@pytest.mark.parametrize(
    ("accept", "prefix"),
    [
        ("zh-CN,zh;q=0.9", "/zh-hans/"),
        ("zh-TW,zh;q=0.9,en;q=0.5", "/zh-hant/"),
        ("zh-HK", "/zh-hant/"),
        ("en-US,en;q=0.9", "/en/"),
        ("fr-FR", "/zh-hans/"),
        ("", "/zh-hans/"),
    ],
)
@pytest.mark.django_db
def test_root_redirects_by_accept_language(client, accept, prefix):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == prefix


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant"])
def test_every_string_is_translated(language):
    with open(LOCALE / language / "LC_MESSAGES" / "django.po", "rb") as f:
        catalog = read_po(f)
    assert not catalog.fuzzy
    messages = [m for m in catalog if m.id]
    assert len(messages) > 100
    untranslated = [
        m.id for m in messages if not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    assert untranslated == []
    assert [m.id for m in messages if m.fuzzy] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "brand", "others"),
    [
        ("zh-hans", "退党", ["/zh-hant/", "/en/"]),
        ("zh-hant", "退黨", ["/zh-hans/", "/en/"]),
        ("en", "Tuidang", ["/zh-hans/", "/zh-hant/"]),
    ],
)
def test_pages_render_in_each_language_with_links_to_the_others(client, lang, brand, others):
    for page in ("", "statements/", "submit/", "receipt/", "submit/done/"):
        response = client.get(f"/{lang}/{page}")
        html = response.content.decode()
        assert f'<html lang="{lang}">' in html
        assert brand in html
        for other in others:
            assert f'href="{other}{page}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
def test_form_errors_are_in_the_page_language(client, lang):
    response = client.post(f"/{lang}/submit/", {"name": "王", "region": "CN-GD"})
    with translation.override(lang):
        expected = translation.gettext("Choose at least one organization.")
    assert response.status_code == 400
    assert expected in response.content.decode()
    if lang != "en":
        assert expected != "Choose at least one organization."


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant"])
def test_api_errors_are_in_the_requested_language(api, lang):
    response = api.post(
        "/api/v1/statements/",
        {"name": "王", "organizations": [], "region": "CN-GD"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert response.status_code == 400
    with translation.override(lang):
        assert response.json()["organizations"] == [
            translation.gettext("Choose at least one organization.")
        ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "organizations", "alias"),
    [
        ("zh-hans", "中国共产党、少先队", "（化名）"),
        ("zh-hant", "中國共產黨、少先隊", "（化名）"),
        ("en", "the Communist Party, the Young Pioneers", "(alias)"),
    ],
)
def test_statements_read_naturally_in_each_language(client, reviewer, lang, organizations, alias):
    statement = factories.approved_statement(
        reviewer=reviewer, organizations=["party", "young_pioneers"], is_alias=True
    )
    html = client.get(f"/{lang}/statements/{statement.registration_number}/").content.decode()
    assert organizations in html
    assert alias in html


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
def test_form_labels_carry_no_ascii_colon(client, lang):
    html = client.get(f"/{lang}/submit/").content.decode()
    assert re.findall(r"<label[^>]*>([^<]*)</label>", html)
    assert not [
        label for label in re.findall(r"<label[^>]*>([^<]*)</label>", html) if label.endswith(":")
    ]
