FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app tuidang

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Translations compile with Babel (no gettext in the image); static files are collected
# with hashed names for WhiteNoise. DEBUG=1 only lets settings load without a secret.
RUN for po in locale/*/LC_MESSAGES/django.po; do pybabel -q compile -i "$po" -o "${po%.po}.mo"; done \
    && DEBUG=1 python manage.py collectstatic --noinput -v0

USER tuidang
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "tuidang.wsgi"]
