# Everything starts from python3 (3.10 or newer) and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_FILE := demo/wikimedia-summit-2022.yaml

.PHONY: help demo demo-reset serve test lint migrate runtime install check-deploy clean

help:
	@echo "make demo   - set up and serve the demo summit on SQLite at http://$(HOST):$(PORT)"
	@echo "make demo-reset - delete the SQLite database and start the demo over"
	@echo "make test   - run the whole test suite (DATABASE_URL selects the database)"
	@echo "make serve  - serve with gunicorn and production-like settings"
	@echo "make lint   - ruff check and format, makemigrations --check, mypy"

# Two stamps: the demo and the server need only the runtime packages; tests and lint add the
# test-only ones. Each is redone when its requirements file changes.
$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

# The HTML checker (vnu-jar) and axe-core come from the npm registry, pinned in package-lock.json;
# without npm their tests skip and say why.
node_modules/.installed: package.json package-lock.json
	if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: the HTML checker and axe tests will skip"; fi

runtime: $(VENV)/.runtime
install: $(VENV)/.installed

migrate: runtime
	DEBUG=1 $(PY) manage.py migrate --noinput

# The demo is imported only into a database that does not hold it yet: a second run keeps
# everything built since (in the admin or by participants). demo-reset starts over.
demo: runtime
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py import_agenda --only-if-absent $(DEMO_FILE)
	DEBUG=1 $(PY) manage.py create_organiser --username organiser --credentials-file .demo-organiser
	@echo "Serving the demo summit at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

demo-reset:
	@if [ -n "$$DATABASE_URL" ]; then echo "demo-reset deletes only the SQLite demo database; unset DATABASE_URL"; exit 1; fi
	rm -f db.sqlite3 db.sqlite3-journal db.sqlite3-wal db.sqlite3-shm
	$(MAKE) demo

# gunicorn with production settings on plain HTTP for a local trial: TLS is the load balancer's job.
# With CELERY_BROKER_URL set (e.g. redis://127.0.0.1:6379/1) a Celery worker runs beside it for mail.
serve: runtime
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=0 SECRET_KEY=$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')} \
	  SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 \
	  ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	  sh -c '$(PY) manage.py collectstatic --noinput --verbosity 0 && \
	    if [ -n "$$CELERY_BROKER_URL" ]; then \
	      $(VENV)/bin/celery -A summit.jobs worker --loglevel INFO & worker=$$!; \
	      trap "kill $$worker" EXIT INT TERM; \
	    fi; \
	    $(VENV)/bin/gunicorn summit.wsgi --config gunicorn.conf.py --bind $(HOST):$(PORT)'

test: install node_modules/.installed
	$(PY) -m pytest

# Style, format, migrations in step with the models, and types: the same checks CI and the
# pre-commit hooks run.
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DEBUG=1 $(VENV)/bin/mypy

check-deploy: runtime
	DEBUG=0 SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') ALLOWED_HOSTS=summit.example.org \
	  $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles .pytest_cache test-db*.sqlite3*
