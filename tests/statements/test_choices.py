"""Choice labels, looked up once per language instead of translated per row."""

import pytest
from django.utils.translation import override

from statements.choices import Channel, Organization, Region, Status, choice_label
from statements.models import Statement
from tests import factories

LABELS = {
    "en": {"region": "Guangdong", "organization": "the Young Pioneers", "channel": "In person"},
    "zh-hans": {"region": "广东", "organization": "少先队", "channel": "当面"},
    "zh-hant": {"region": "廣東", "organization": "少先隊", "channel": "當面"},
}


def statement(**fields) -> Statement:
    defaults = {"region": Region.GUANGDONG, "channel": Channel.VOLUNTEER}
    return Statement(status=Status.PUBLISHED, left_young_pioneers=True, **(defaults | fields))


def test_labels_are_in_the_active_language_whichever_was_asked_first():
    row = statement()
    # Every language twice, interleaved: a label kept for one must not answer another.
    for language in ["zh-hant", "en", "zh-hans", "en", "zh-hant", "zh-hans"]:
        with override(language):
            assert row.get_region_display() == LABELS[language]["region"]
            assert row.get_organizations_display() == LABELS[language]["organization"]
            assert row.get_channel_display() == LABELS[language]["channel"]


@pytest.mark.parametrize("language", ["en", "zh-hans", "zh-hant"])
def test_every_label_is_what_django_translates(language):
    with override(language):
        for choices, field in [(Region, "region"), (Channel, "channel")]:
            for choice in choices:
                row = statement(**{field: choice.value})
                assert getattr(row, f"get_{field}_display")() == str(choice.label)
        for choice in Status:
            assert Statement(status=choice.value).get_status_display() == str(choice.label)
        for choice in Organization:
            assert choice_label(Organization, choice.value) == str(choice.label)


def test_a_value_outside_the_choices_is_shown_as_it_is():
    # What Django's get_FOO_display does for a value the field does not list.
    with override("en"):
        assert statement(region="XX-ZZ").get_region_display() == "XX-ZZ"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans", "zh-hant"])
def test_the_list_page_names_regions_in_its_language(client, language):
    Statement.objects.filter(pk=factories.published_statement().pk).update(region="CN-GD")
    html = client.get(f"/{language}/statements/").content.decode()
    for other, labels in LABELS.items():
        assert (labels["region"] in html) == (other == language), other
