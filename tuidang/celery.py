import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuidang.settings")

# Nothing is enqueued from requests: beat wakes the periodic tasks, which find their work
# in the database. A task enqueued from a transaction must use delay_on_commit (give
# the app task_cls="celery.contrib.django.task:DjangoTask" when the first one appears).
app = Celery("tuidang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
