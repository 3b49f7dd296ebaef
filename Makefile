# The README's commands. Everything the project needs is installed by `make install`
# into ./.venv (and Debian packages with apt-get when they are missing); nothing by hand.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-packages frontend run serve test test-fast worker beat bench sweep lint format clean

install: system-packages $(STAMP) frontend

# Debian packages the sandbox and the browser tests use; installed only when missing.
system-packages:
	@missing=""; \
	command -v bwrap >/dev/null || missing="$$missing bubblewrap"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing="$$missing fonts-noto-cjk"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -e /usr/lib/x86_64-linux-gnu/libseccomp.so.2 ] || [ -e /usr/lib/aarch64-linux-gnu/libseccomp.so.2 ] || missing="$$missing libseccomp2"; \
	if [ -n "$$missing" ]; then \
	  echo "apt-get install:$$missing"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml
	@[ -x $(BIN)/python ] || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e ".[dev]"
	@touch $(STAMP)

frontend: $(STAMP)
	@if [ -f frontend/package.json ]; then $(MAKE) -s -C frontend build; fi

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_curriculum
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py create_demo_users
	$(BIN)/python manage.py serve $(HOST):$(PORT)

worker: install
	$(BIN)/celery -A quizsite worker -l info -Q grading,training --concurrency 2

beat: install
	$(BIN)/celery -A quizsite beat -l info

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not browser and not slow" -x -q

# The training exercises' fairness sweeps (20+ combinations each; tables in docs/engine.md).
sweep: install
	$(BIN)/pytest -m sweep tests/engine/test_training_sweep.py

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist staticfiles
