from django.db import migrations


def adopt(apps, schema_editor):
    from volunteers.roles import adopt_direct_permissions

    adopt_direct_permissions(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('volunteers', '0005_roles_and_append_only_log'),
    ]

    operations = [migrations.RunPython(adopt, migrations.RunPython.noop)]
