# Production image: gunicorn serves the app, whitenoise its static files; PostgreSQL via DATABASE_URL.
# Build: docker build -t summit .      Run with PostgreSQL: docker compose up (see docker-compose.yml)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DEBUG=0 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 --user-group summit

# Dependencies in their own layer: rebuilt only when requirements.txt changes.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
# The key only lets settings load for collectstatic; it is not kept in the image's environment.
RUN DEBUG=0 SECRET_KEY=build-time-only-not-used-at-runtime ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput --verbosity 0

USER summit
EXPOSE 8000

# slim has no curl. /healthz is exempt from the HTTPS redirect; the Host header must be allowed,
# so the check uses the first ALLOWED_HOSTS entry.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; host = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.').replace('*', 'localhost') or 'localhost'; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}), timeout=4)"

CMD ["gunicorn", "summit.wsgi", "--config", "gunicorn.conf.py"]
