# Two commands: `make run` (set up and serve with the playground) and `make test` (set up and test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: run test install install-dev bench lint clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# A local secret for development; production reads VALUEDESK_SECRET_KEY from its environment.
.env: | $(BIN)/python
	@$(BIN)/python -c "import secrets; print('VALUEDESK_SECRET_KEY=' + secrets.token_urlsafe(48)); print('VALUEDESK_ENV=development')" > .env
	@echo "Wrote .env with a generated VALUEDESK_SECRET_KEY (development only)."

run: $(VENV)/.installed .env
	$(BIN)/valuedesk migrate
	$(BIN)/valuedesk demo-data --team-history
	$(BIN)/valuedesk serve --with-worker --port $(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/python scripts/run_tests.py $(ARGS)

# Refresh the README's screenshots from the browser tests (needs Debian's chromium package).
screenshots: $(VENV)/.installed-dev
	VALUEDESK_DOCS_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser -q

bench: $(VENV)/.installed-dev
	@for b in bench/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check adapter webhooks tests bench scripts

clean:
	rm -rf $(VENV) instance .pytest_cache dist build *.egg-info
