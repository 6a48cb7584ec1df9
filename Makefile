PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test install bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever a requirements file changes. `make run` installs only what running needs.
$(RUN_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(RUN_STAMP)

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(RUN_STAMP) $(DEV_STAMP)

install: $(DEV_STAMP)

run: export DJANGO_DEBUG = 1
run: $(RUN_STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py import_article content/articles/
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The suite runs on every core (pytest-xdist); a worker that runs out of tests takes some of
# another's (worksteal), so the long property tests do not leave a core idle at the end.
# PYTEST_WORKERS=0 runs it in this process (a debugger, -s).
PYTEST_WORKERS ?= auto

test: export DJANGO_DEBUG = 1
test: $(DEV_STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Load test (not part of `make test`): needs wrk; DATABASE_URL selects PostgreSQL,
# BENCH_DURATION the seconds per scenario. See bench/run.py.
bench: $(DEV_STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/import_cost.py
	$(BIN)/python bench/marks_cost.py
	$(BIN)/python bench/export_memory.py
	$(BIN)/python bench/reanchor_cost.py

clean:
	rm -rf $(VENV) staticfiles test-results .pytest_cache
