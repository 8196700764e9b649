from django.db import migrations

from tuidang.lib.append_only import allow_changes, forbid_changes


class Migration(migrations.Migration):

    dependencies = [
        ('statements', '0004_review_workspace'),
    ]

    operations = [
        migrations.RunPython(
            forbid_changes('statements_auditevent'), allow_changes('statements_auditevent')
        ),
    ]
