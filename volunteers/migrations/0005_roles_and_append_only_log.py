from django.db import migrations

from tuidang.lib.append_only import allow_changes, forbid_changes


def create_roles(apps, schema_editor):
    from volunteers.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('volunteers', '0004_accounts'),
        ('statements', '0004_review_workspace'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.RunPython(
            forbid_changes('volunteers_accountevent'), allow_changes('volunteers_accountevent')
        ),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
