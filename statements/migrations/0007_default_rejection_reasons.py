"""The rejection reasons a new installation starts with. Coordinators edit, reorder and
retire them in the admin; this only adds the codes that are missing, so it never
overwrites their wording."""

from django.db import migrations

REASONS = [
    (
        "duplicate",
        "重复提交",
        "重複提交",
        "Duplicate submission",
    ),
    (
        "flood",
        "批量灌水或虚假声明",
        "批量灌水或虛假聲明",
        "Automated flood or fake statement",
    ),
    (
        "not-a-statement",
        "不是退出声明",
        "不是退出聲明",
        "Not a withdrawal statement",
    ),
    (
        "abusive",
        "含有辱骂或攻击性内容",
        "含有辱罵或攻擊性內容",
        "Contains abusive content",
    ),
    (
        "withdrawn-by-submitter",
        "提交者要求不公开",
        "提交者要求不公開",
        "The submitter asked not to publish it",
    ),
    (
        "endangers-submitter",
        "个人信息可能危及提交者安全",
        "個人資訊可能危及提交者安全",
        "Personal details could endanger the submitter",
    ),
]


def add_reasons(apps, schema_editor):
    RejectionReason = apps.get_model("statements", "RejectionReason")
    for position, (code, zh_hans, zh_hant, en) in enumerate(REASONS):
        RejectionReason.objects.get_or_create(
            code=code,
            defaults={
                "label_zh_hans": zh_hans,
                "label_zh_hant": zh_hant,
                "label_en": en,
                "position": position * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("statements", "0006_created_brin_and_lease_index")]

    operations = [migrations.RunPython(add_reasons, migrations.RunPython.noop)]
