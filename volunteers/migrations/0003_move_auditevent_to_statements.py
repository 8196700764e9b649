# The audit of a statement lives with the statement: the table moves to the statements
# app unchanged (statements 0003 takes over its model state).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('volunteers', '0002_status_choices'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name='auditevent', table='statements_auditevent'),
            ],
            state_operations=[migrations.DeleteModel(name='AuditEvent')],
        ),
    ]
