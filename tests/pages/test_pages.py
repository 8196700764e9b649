"""The information pages: public, in three languages, edited by coordinators in the
admin; and the footer links to them and to what the settings name."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse
from django.utils.translation import override

from pages.models import InfoPage
from pages.validators import validate_page_html
from tests import factories
from tuidang.lib.env import env_url

LANGUAGES = ("zh-hans", "zh-hant", "en")
SLUGS = ("safety", "counting", "about")
# A word each default page holds in each language.
MARKS = {
    ("safety", "zh-hans"): "化名",
    ("safety", "zh-hant"): "橋接",
    ("safety", "en"): "Tor Browser",
    ("counting", "zh-hans"): "每人只计一次",
    ("counting", "zh-hant"): "每人只計一次",
    ("counting", "en"): "counts once",
    ("about", "zh-hans"): "关于本站",
    ("about", "zh-hant"): "關於本站",
    ("about", "en"): "About this site",
}


def url(name, *, lang, args=()):
    with override(lang):
        return reverse(name, args=args)


@pytest.fixture
def staff_coordinator_client(client, coordinator):
    # Coordinators are staff (volunteers.services sets it with the role): they open the admin.
    get_user_model().objects.filter(pk=coordinator.pk).update(is_staff=True)
    factories.sign_in(client, get_user_model().objects.get(pk=coordinator.pk))
    return client


def change_form(page: InfoPage, **changes) -> dict:
    fields = {
        f"{part}_{lang}": getattr(page, f"{part}_{lang}")
        for part in ("title", "body")
        for lang in ("zh_hans", "zh_hant", "en")
    }
    return fields | changes


@pytest.mark.django_db
def test_every_page_exists_in_every_language_with_markup_the_check_accepts():
    pages = {page.slug: page for page in InfoPage.objects.all()}

    assert set(pages) == set(SLUGS)
    for page in pages.values():
        for lang in ("zh_hans", "zh_hant", "en"):
            assert getattr(page, f"title_{lang}").strip()
            body = getattr(page, f"body_{lang}")
            assert len(body) > 300, (page.slug, lang)
            validate_page_html(body)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", SLUGS)
def test_each_page_is_a_public_read_in_its_language(
    client, slug, lang, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1):
        response = client.get(url(f"pages:{slug}", lang=lang))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in html
    page = InfoPage.objects.get(slug=slug)
    with override(lang):
        assert f"<h1>{page.title}</h1>" in html
        assert f'<meta name="description" content="{page.description[:20]}' in html
    assert MARKS[slug, lang] in html
    assert response.cookies == {}
    assert "public" in response["Cache-Control"]
    assert "<script" not in html
    policy = response["Content-Security-Policy"].split("; ")
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy


@pytest.mark.django_db
def test_the_pages_live_under_each_language_prefix():
    for lang in LANGUAGES:
        assert [url(f"pages:{slug}", lang=lang) for slug in SLUGS] == [
            f"/{lang}/safety/",
            f"/{lang}/counting/",
            f"/{lang}/about/",
        ]


@pytest.mark.django_db
def test_a_coordinator_edits_a_page_in_the_admin_and_readers_see_it(
    staff_coordinator_client, client
):
    page = InfoPage.objects.get(slug="about")
    change = reverse("admin:pages_infopage_change", args=[page.pk])

    assert staff_coordinator_client.get(change).status_code == 200
    response = staff_coordinator_client.post(
        change,
        change_form(page, title_zh_hant="關於我們", body_zh_hant="<p>新的說明。</p>"),
    )

    assert response.status_code == 302
    page.refresh_from_db()
    assert (page.title_zh_hant, page.body_zh_hant) == ("關於我們", "<p>新的說明。</p>")
    assert page.title_en == "About this site"  # the other languages as they were
    client.logout()
    html = client.get(url("pages:about", lang="zh-hant")).content.decode()
    assert "<h1>關於我們</h1>" in html
    assert "<p>新的說明。</p>" in html


@pytest.mark.django_db
def test_the_admin_refuses_markup_beyond_text_and_links(staff_coordinator_client):
    page = InfoPage.objects.get(slug="safety")
    before = page.body_en
    change = reverse("admin:pages_infopage_change", args=[page.pk])

    response = staff_coordinator_client.post(
        change, change_form(page, body_en='<p>Hi</p><script src="/x.js"></script>')
    )

    assert response.status_code == 200
    assert "&lt;script&gt;" in response.content.decode()
    page.refresh_from_db()
    assert page.body_en == before


@pytest.mark.django_db
def test_coordinators_neither_add_nor_delete_pages(staff_coordinator_client):
    page = InfoPage.objects.get(slug="counting")

    assert staff_coordinator_client.get(reverse("admin:pages_infopage_add")).status_code == 403
    delete = reverse("admin:pages_infopage_delete", args=[page.pk])
    assert staff_coordinator_client.post(delete, {"post": "yes"}).status_code == 403
    assert InfoPage.objects.filter(slug="counting").exists()


@pytest.mark.django_db
def test_the_coordinator_role_holds_the_pages_and_no_lesser_role_does(
    coordinator, reviewer, volunteer
):
    assert coordinator.has_perm("pages.change_infopage")
    for user in (reviewer, volunteer):
        assert not user.has_perm("pages.change_infopage")
        assert not user.has_perm("pages.view_infopage")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["volunteer", "reviewer"])
def test_volunteers_and_reviewers_cannot_edit_a_page(client, request, role):
    user = request.getfixturevalue(role)
    factories.sign_in(client, user)
    page = InfoPage.objects.get(slug="about")
    change = reverse("admin:pages_infopage_change", args=[page.pk])

    # The admin sends them to its sign-in, which refuses a signed-in account it cannot admit.
    assert client.get(change, follow=True).status_code == 403
    posted = client.post(change, change_form(page, title_en="Taken over"), follow=True)
    assert posted.status_code == 403
    page.refresh_from_db()
    assert page.title_en == "About this site"


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>",
        '<p onclick="alert(1)">x</p>',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="//elsewhere.example/">x</a>',
        '<img src="https://elsewhere.example/pixel.gif">',
        '<iframe src="/"></iframe>',
        '<meta http-equiv="refresh" content="0; url=https://elsewhere.example/">',
        '<p style="display:none">x</p>',
        "<form><input name=q></form>",
        "<!DOCTYPE html>",
    ],
)
def test_the_check_refuses_anything_but_text_markup(markup):
    with pytest.raises(ValidationError):
        validate_page_html(f"<p>Before.</p>{markup}")


def test_the_check_accepts_text_headings_lists_and_links():
    validate_page_html(
        '<h2 id="tor">Tor</h2><p>Read <a href="/en/safety/">this</a>, '
        '<a href="#tor">that</a>, <a href="https://www.torproject.org/">the Tor Project</a> '
        'or write to <a href="mailto:someone@example.org">us</a>.</p>'
        "<ul><li><strong>one</strong></li><li><em>two</em> <code>@GetBridgesBot</code></li></ul>"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_footer_links_the_pages_and_no_donation_by_default(client, settings, lang):
    settings.DONATE_URL = ""
    settings.ABOUT_URL = ""
    html = client.get(url("counts:home", lang=lang)).content.decode()
    footer = html[html.index('<footer class="site">') :]

    for slug in SLUGS:
        assert f'href="/{lang}/{slug}/"' in footer
    assert footer.count("<a ") == len(SLUGS)  # no donate link


@pytest.mark.django_db
def test_the_footer_shows_the_donate_and_about_links_the_settings_name(client, settings):
    settings.DONATE_URL = "https://donate.example.org/tuidang"
    settings.ABOUT_URL = "https://about.example.org/"
    html = client.get(url("statements:list", lang="en")).content.decode()
    footer = html[html.index('<footer class="site">') :]

    assert '<a href="https://donate.example.org/tuidang">Donate</a>' in footer
    assert '<a href="https://about.example.org/">About</a>' in footer
    assert 'href="/en/about/"' not in footer
    assert 'href="/en/safety/"' in footer


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", ""), ("https://example.org/donate", "https://example.org/donate")],
)
def test_footer_addresses_are_read_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("DONATE_URL", value)
    assert env_url("DONATE_URL") == expected


@pytest.mark.parametrize("value", ["javascript:alert(1)", "/donate", "example.org", "ftp://x.org"])
def test_a_footer_address_that_is_not_a_web_address_refuses_to_start(monkeypatch, value):
    monkeypatch.setenv("DONATE_URL", value)
    with pytest.raises(ImproperlyConfigured, match="DONATE_URL"):
        env_url("DONATE_URL")
