# The two commands: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup demo test lint format messages bench clean
AXE := node_modules/axe-core/axe.min.js

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Compile the Russian UI catalogue (needs msgfmt from gettext).
locale/ru/LC_MESSAGES/django.mo: locale/ru/LC_MESSAGES/django.po $(STAMP)
	$(BIN)/python manage.py compilemessages --locale ru --verbosity 0

# From the npm registry (package-lock.json) into the ignored node_modules/:
# axe-core, which the accessibility test runs in Chromium (without npm it
# skips), and jsQR, which the door's check-in page serves to browsers without
# BarcodeDetector (settings.STATICFILES_DIRS; without it codes are typed).
$(AXE): package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $(AXE); \
	else echo "npm not found: tests/e2e/test_accessibility.py will skip (needs axe-core)," \
	  "and the door's check-in page cannot read QR codes without BarcodeDetector (needs jsqr)"; fi

setup: $(STAMP) locale/ru/LC_MESSAGES/django.mo $(AXE)

demo: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bootstrap_demo
	./scripts/run-demo.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup lint
	$(BIN)/python -m pytest

messages: setup
	$(BIN)/python manage.py makemessages --locale ru --no-obsolete --no-location --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'staticfiles/*' --ignore 'node_modules/*'

clean:
	rm -rf $(VENV) var staticfiles node_modules
