"""The fixed vocabularies of a statement."""

from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# (choices, language) -> {value: label}: each language's labels, translated once.
_LABELS: dict[tuple[type[models.Choices], str | None], dict[str, str]] = {}


def choice_label(choices: type[models.Choices], value: str) -> str:
    """The label of `value` in the active language, or `value` itself if it is none of
    `choices` (as Django's get_FOO_display answers).

    Django's get_FOO_display builds a dict of every label of the field on each call, and
    hashing a lazy label translates it: for a region that is 35 translations per row,
    31% of the list page's CPU. Here each language's labels are translated once per
    process; a race between two threads builds the same dict twice, harmlessly.
    """
    language = get_language()
    labels = _LABELS.get((choices, language))
    if labels is None:
        labels = {str(choice.value): str(choice.label) for choice in choices}
        _LABELS[(choices, language)] = labels
    return labels.get(value, value)


@receiver(setting_changed)
def _forget_labels(*, setting: str, **kwargs) -> None:
    # Tests that change the languages or the catalogs get labels translated afresh.
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"):
        _LABELS.clear()


class Organization(models.TextChoices):
    PARTY = "party", _("the Communist Party")
    YOUTH_LEAGUE = "youth_league", _("the Communist Youth League")
    YOUNG_PIONEERS = "young_pioneers", _("the Young Pioneers")


class Region(models.TextChoices):
    """Provincial-level divisions of mainland China, Hong Kong and Macau (ISO 3166-2:CN)."""

    BEIJING = "CN-BJ", _("Beijing")
    TIANJIN = "CN-TJ", _("Tianjin")
    HEBEI = "CN-HE", _("Hebei")
    SHANXI = "CN-SX", _("Shanxi")
    INNER_MONGOLIA = "CN-NM", _("Inner Mongolia")
    LIAONING = "CN-LN", _("Liaoning")
    JILIN = "CN-JL", _("Jilin")
    HEILONGJIANG = "CN-HL", _("Heilongjiang")
    SHANGHAI = "CN-SH", _("Shanghai")
    JIANGSU = "CN-JS", _("Jiangsu")
    ZHEJIANG = "CN-ZJ", _("Zhejiang")
    ANHUI = "CN-AH", _("Anhui")
    FUJIAN = "CN-FJ", _("Fujian")
    JIANGXI = "CN-JX", _("Jiangxi")
    SHANDONG = "CN-SD", _("Shandong")
    HENAN = "CN-HA", _("Henan")
    HUBEI = "CN-HB", _("Hubei")
    HUNAN = "CN-HN", _("Hunan")
    GUANGDONG = "CN-GD", _("Guangdong")
    GUANGXI = "CN-GX", _("Guangxi")
    HAINAN = "CN-HI", _("Hainan")
    CHONGQING = "CN-CQ", _("Chongqing")
    SICHUAN = "CN-SC", _("Sichuan")
    GUIZHOU = "CN-GZ", _("Guizhou")
    YUNNAN = "CN-YN", _("Yunnan")
    TIBET = "CN-XZ", _("Tibet")
    SHAANXI = "CN-SN", _("Shaanxi")
    GANSU = "CN-GS", _("Gansu")
    QINGHAI = "CN-QH", _("Qinghai")
    NINGXIA = "CN-NX", _("Ningxia")
    XINJIANG = "CN-XJ", _("Xinjiang")
    HONG_KONG = "CN-HK", _("Hong Kong")
    MACAU = "CN-MO", _("Macau")
    OVERSEAS = "overseas", _("Overseas")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    VOLUNTEER = "volunteer", _("In person")
    PHONE = "phone", _("Phone")
    PAPER = "paper", _("Paper")
    OTHER = "other", _("Other")
    # Published elsewhere before the cut-over and loaded by `manage.py
    # import_statements`: no one here holds a receipt for it, and it was never reviewed
    # here (statements.importing).
    IMPORTED = "imported", _("Imported")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not published")
    REMOVED = "removed", _("Removed")
    # Withdrawn by its submitter with the receipt code (statements.submitter): final.
    RETRACTED = "retracted", _("Retracted")


# No longer live: declined, removed, or retracted by the submitter. A statement like one
# of these is no duplicate (statement_live_hash_idx leaves them out): a person may send
# again what was declined, taken down or withdrawn.
GONE = (Status.REJECTED, Status.REMOVED, Status.RETRACTED)


class Flag(models.TextChoices):
    """What screening found; a hint for the reviewer, never a verdict."""

    DUPLICATE = "duplicate", _("Duplicate of an earlier statement")
    CONTACT_NUMBER = "contact_number", _("Contains a phone number")
    ID_NUMBER = "id_number", _("Contains an ID number")
    EMAIL = "email", _("Contains an email address")
    STREET_ADDRESS = "street_address", _("Contains a street address")
