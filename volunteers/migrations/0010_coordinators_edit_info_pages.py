from django.db import migrations


def sync_roles(apps, schema_editor):
    # The roles' one definition now gives coordinators the information pages.
    from volunteers.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('volunteers', '0009_account_actions_of_both'),
        ('pages', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
