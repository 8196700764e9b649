from django.db import migrations


def sync(apps, schema_editor):
    from volunteers.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('volunteers', '0009_account_actions_of_both'),
        ('counts', '0004_regions_summary_drift'),
    ]

    # Coordinators read the reconciliation's drift in the admin.
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
