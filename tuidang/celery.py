import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuidang.settings")

# DjangoTask gives every task delay_on_commit(), so nothing is enqueued for a row that
# was rolled back.
app = Celery("tuidang", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
