# State only: the table was renamed by volunteers 0003.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('statements', '0002_review_and_remove_permissions'),
        ('volunteers', '0003_move_auditevent_to_statements'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(choices=[('screened', 'Screened'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('removed', 'Removed')], max_length=16)),
                        ('from_status', models.CharField(choices=[('received', 'Received'), ('in_review', 'In review'), ('published', 'Published'), ('rejected', 'Not published'), ('removed', 'Removed')], max_length=16)),
                        ('to_status', models.CharField(choices=[('received', 'Received'), ('in_review', 'In review'), ('published', 'Published'), ('rejected', 'Not published'), ('removed', 'Removed')], max_length=16)),
                        ('reason', models.TextField(blank=True, default='')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL)),
                        ('statement', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='audit_events', to='statements.statement')),
                    ],
                    options={
                        'db_table': 'statements_auditevent',
                        'indexes': [models.Index(fields=['statement', 'created_at'], name='volunteers__stateme_3b98fd_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('action__in', ['screened', 'approved', 'rejected', 'removed'])), name='auditevent_action_valid')],
                    },
                ),
            ],
        ),
    ]
