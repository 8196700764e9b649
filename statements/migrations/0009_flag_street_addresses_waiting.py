# Statements already waiting for review when the street-address flag arrived were
# screened without it; without this they would pass the gate that flag closes.

from django.db import migrations

STATUS_IN_REVIEW = "in_review"
STREET_ADDRESS = "street_address"


def flag_waiting(apps, schema_editor):
    from statements.screening import content_flags

    Statement = apps.get_model("statements", "Statement")
    waiting = Statement.objects.filter(status=STATUS_IN_REVIEW).order_by("pk")
    for statement in waiting.only("pk", "display_name", "text", "screening_flags").iterator(
        chunk_size=2000
    ):
        found = content_flags(name=statement.display_name, text=statement.text)
        if STREET_ADDRESS in found and STREET_ADDRESS not in statement.screening_flags:
            Statement.objects.filter(pk=statement.pk).update(
                screening_flags=[*statement.screening_flags, STREET_ADDRESS]
            )


class Migration(migrations.Migration):

    dependencies = [
        ('statements', '0008_live_hash_index'),
    ]

    operations = [migrations.RunPython(flag_waiting, migrations.RunPython.noop)]
