# `make run` serves the embedded default; `make test` runs the whole suite against the
# local PostgreSQL and Redis. `make help` lists every target.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-$(shell cat requirements-dev.txt | cksum | cut -d' ' -f1)
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

# The suite never reads DATABASE_URL / REDIS_URL from your shell, so it cannot touch a
# real deployment by accident; override these instead.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tuidang
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tuidang_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/13

.DEFAULT_GOAL := help
.PHONY: help run test test-fast bench bench-storage bench-http lint format messages translations install clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

run: install translations ## Set up and serve the embedded default at http://127.0.0.1:8000/
	env -u DATABASE_URL -u REDIS_URL DEBUG=1 $(BIN)/python manage.py migrate --noinput -v0
	env -u DATABASE_URL -u REDIS_URL DEBUG=1 $(BIN)/python manage.py collectstatic --noinput -v0
	env -u DATABASE_URL -u REDIS_URL DEBUG=1 $(BIN)/python manage.py load_demo_data
	env -u DATABASE_URL -u REDIS_URL DEBUG=1 $(BIN)/python manage.py runembedded 127.0.0.1:8000

test: install translations ## Run the whole suite against the local PostgreSQL and Redis
	@scripts/ensure-services "$(TEST_DATABASE_URL)" "$(TEST_REDIS_URL)" $(BIN)/python
	DEBUG=1 $(BIN)/python manage.py collectstatic --noinput -v0
	DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" SECRET_KEY=test-only-secret \
		CALLBACK_KEYS=dGVzdC1vbmx5LWNhbGxiYWNrLWtleS0zMi1ieXRlcyE= \
		DEBUG=0 $(BIN)/pytest $(PYTEST_ARGS)

test-fast: ## The inner loop: the suite without the tests that start processes
	$(MAKE) test PYTEST_ARGS='-m "not process" $(PYTEST_ARGS)'

# Like SECRET_KEY, a fixed key for the bench database only (every bench process reads it).
bench: export CALLBACK_KEYS = YmVuY2gtb25seS1jYWxsYmFjay1rZXktMzItYnl0ZXM=
bench: install translations ## Intake, review, hotline, entry, script, reconciliation and import benchmarks (BENCH_N=2000 BENCH_BACKLOG=1000000 BENCH_IMPORT_ROWS=1000000 for the README)
	@scripts/ensure-services "$(BENCH_DATABASE_URL)" "$(BENCH_REDIS_URL)" $(BIN)/python
	DEBUG=1 $(BIN)/python manage.py collectstatic --noinput -v0
	DATABASE_URL="$(BENCH_DATABASE_URL)" REDIS_URL="$(BENCH_REDIS_URL)" SECRET_KEY=bench-only-secret \
		DEBUG=0 INTAKE_RATE=100000000/m $(BIN)/python bench/intake.py
	DATABASE_URL="$(BENCH_DATABASE_URL)" REDIS_URL="$(BENCH_REDIS_URL)" SECRET_KEY=bench-only-secret \
		DEBUG=0 ALLOWED_HOSTS=127.0.0.1 $(BIN)/python bench/review.py
	DATABASE_URL="$(BENCH_DATABASE_URL)" REDIS_URL="$(BENCH_REDIS_URL)" SECRET_KEY=bench-only-secret DEBUG=0 ALLOWED_HOSTS=127.0.0.1 $(BIN)/python bench/hotline.py
	DATABASE_URL="$(BENCH_DATABASE_URL)" REDIS_URL="$(BENCH_REDIS_URL)" SECRET_KEY=bench-only-secret DEBUG=0 ALLOWED_HOSTS=127.0.0.1 ENTRY_RATE=100000000/h $(BIN)/python bench/entry.py
	DATABASE_URL="$(BENCH_DATABASE_URL)" REDIS_URL="$(BENCH_REDIS_URL)" SECRET_KEY=bench-only-secret DEBUG=0 $(BIN)/python bench/script.py
	DATABASE_URL="$(BENCH_DATABASE_URL)" REDIS_URL="$(BENCH_REDIS_URL)" SECRET_KEY=bench-only-secret DEBUG=0 $(BIN)/python bench/reconcile.py
	DATABASE_URL="$(BENCH_DATABASE_URL)" REDIS_URL="$(BENCH_REDIS_URL)" SECRET_KEY=bench-only-secret \
		DEBUG=0 $(BIN)/python bench/import_statements.py

bench-storage: export CALLBACK_KEYS = YmVuY2gtb25seS1jYWxsYmFjay1rZXktMzItYnl0ZXM=
bench-storage: install translations ## Bytes per published statement, now and before (BENCH_STORAGE_ROWS=1000000)
	@scripts/ensure-services "$(BENCH_DATABASE_URL)" "$(BENCH_REDIS_URL)" $(BIN)/python
	DATABASE_URL="$(BENCH_DATABASE_URL)" REDIS_URL="$(BENCH_REDIS_URL)" SECRET_KEY=bench-only-secret \
		DEBUG=0 $(BIN)/python bench/storage.py

# wrk and nginx are Debian's (installed here if missing, as .ci/run installs Chromium);
# py-spy comes with requirements-dev.txt.
bench-http: export CALLBACK_KEYS = YmVuY2gtb25seS1jYWxsYmFjay1rZXktMzItYnl0ZXM=
bench-http: install translations ## The public side over HTTP beside a bare view and nginx (BENCH_HTTP_ROWS, default 1,000,000)
	@command -v wrk >/dev/null && PATH="$$PATH:/usr/sbin" command -v nginx >/dev/null || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light; }
	@scripts/ensure-services "$(BENCH_DATABASE_URL)" "$(BENCH_REDIS_URL)" $(BIN)/python
	DEBUG=1 $(BIN)/python manage.py collectstatic --noinput -v0
	DATABASE_URL="$(BENCH_DATABASE_URL)" REDIS_URL="$(BENCH_REDIS_URL)" SECRET_KEY=bench-only-secret \
		DEBUG=0 ALLOWED_HOSTS=127.0.0.1 RECEIPT_LOOKUP_RATE=100000000/m $(BIN)/python bench/public.py

lint: install ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install ## Extract new strings into the .po files (needs GNU gettext)
	DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans -l zh_Hant -l en --no-obsolete --no-location

translations: install $(MO_FILES) ## Compile the .po files (pure Python: no gettext needed)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	$(BIN)/pybabel -q compile -i $< -o $@

install: $(INSTALLED) ## Create .venv and install the pinned requirements

$(INSTALLED): requirements-dev.txt
	@test -x $(BIN)/pip || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Could not create a virtualenv: install Python's venv module (apt-get install python3-venv)."; exit 1; }; }
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

clean: ## Remove the virtualenv, the embedded database and compiled files
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles $(MO_FILES)
