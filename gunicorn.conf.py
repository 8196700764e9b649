"""gunicorn settings for the web container (see docker-compose.yml)."""

import os

bind = "0.0.0.0:8000"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 30
graceful_timeout = 30
max_requests = 5000
max_requests_jitter = 500

accesslog = "-"
errorlog = "-"
# gunicorn logs "Invalid request from ip=..." at WARNING: only errors are logged, so no
# malformed request can write a client address (tests/test_privacy.py sends one).
loglevel = "error"
# No %(h)s (remote address), %(a)s (user agent) or forwarded headers: the access log must
# not be able to place a submitter. Receipt codes never travel in URLs; a volunteer's
# setup link does hold a token, which the logger class below takes out of %(r)s.
logger_class = "tuidang.lib.gunicorn_logger.RedactingLogger"
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms'
