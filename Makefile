# Switchboard: `make run` serves the dashboard, `make test` runs every test.
# Both set up everything they need from the lock file on first use.

PYTHON ?= python3
PORT ?= 8000
DATA_DIR ?= var
UV_VERSION := 0.13.8
VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv

export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1

.PHONY: run test lint bench venv install browser clean

run: venv $(DATA_DIR)/secret_key
	$(VENV)/bin/python manage.py migrate --noinput
	$(VENV)/bin/python manage.py runserver 127.0.0.1:$(PORT)

# The production back ends are tested against real PostgreSQL and Redis servers on loopback,
# which tests/servers.py installs (apt-get) and starts for the second run, and stops after it.
BACKEND_TESTS := tests/test_backends.py tests/test_deployment_backends.py tests/test_agents_service.py \
                 tests/test_worker_processes.py tests/test_change_history.py tests/test_migrations.py \
                 tests/test_digests.py tests/test_shrink_guard.py tests/test_refresh.py \
                 tests/test_single_flight.py

test: venv browser $(DATA_DIR)/secret_key
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/python manage.py check
	$(VENV)/bin/pytest
	$(VENV)/bin/python -m tests.servers -- $(VENV)/bin/pytest -p no:cacheprovider $(BACKEND_TESTS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff format --check .

venv: $(VENV)/.synced

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# A production install: exactly what uv.lock pins, without the development tools (pytest,
# Playwright, ruff, ...). `make run` or `make test` later would add them back.
install: | $(UV)
	$(UV) sync --frozen --no-dev --python $(PYTHON)
	rm -f $(VENV)/.synced

# Re-syncs whenever the lock changes; `--frozen` installs exactly what uv.lock pins.
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

# Browser tests drive Debian's Chromium; install it when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The local data directory (SQLite, collected static files) and a secret key kept there, so
# sessions survive restarts; the settings read both and create nothing themselves.
$(DATA_DIR)/secret_key:
	mkdir -p $(DATA_DIR)/static
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .ruff_cache

# Benchmarks: figures for the README. Needs nothing but loopback.
bench: venv
	$(VENV)/bin/python bench/list_speed.py
	$(VENV)/bin/python bench/upstream_load.py
	$(VENV)/bin/python bench/history_record.py
	$(VENV)/bin/python bench/organizations.py
