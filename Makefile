# SCT Monitor: `make run` to try it, `make test` to check it. Both are safe to repeat.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format assets collectstatic setup-db dfe clean install

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

# The virtualenv with every requirement (run and test do this themselves).
install: $(STAMP)

# Development server on http://127.0.0.1:8000 with the seed data and the demo users.
run setup-db: export DEBUG ?= 1
run: setup-db
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

setup-db: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_seed_data
	$(BIN)/python manage.py create_demo_users

# Import the DfE files in ../shared/data/dfe: the neighbour models (each with the date it came into
# force, which no file states), the ONS population (the denominator of derived rates), then the
# tables. The mappings that say which column feeds which indicator are in the seed data
# (fixtures/dfe_mappings.csv) and on the DfE mappings page. Creates no users; against the local
# SQLite database it runs with DEBUG on, as `make run` does.
DFE_DIR ?= ../shared/data/dfe
IMPORT := $(BIN)/python manage.py import_data
ifeq ($(DATABASE_URL),)
dfe: export DEBUG ?= 1
endif
dfe: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_seed_data
	$(IMPORT) sn-model $(DFE_DIR)/New_Statistical_Neighbour_Groupings_April_2021.csv --applies-from 2021-04-01 \
		--model-name "DfE statistical neighbours, April 2021"
	$(IMPORT) sn-model $(DFE_DIR)/sn_may_2025.xlsx --applies-from 2025-05-01 \
		--model-name "DfE statistical neighbours, May 2025"
	$(IMPORT) dfe-ees $(DFE_DIR)/ons_mid-year_population_estimates_2012_to_2024.csv
	$(IMPORT) dfe-ees $(DFE_DIR)/d5_cpps_at31march_by_duration_2013_to_2025.csv
	$(IMPORT) dfe-ees $(DFE_DIR)/csww_indicators_2017_to_2025.csv
	$(IMPORT) dfe-ees $(DFE_DIR)/cla_number_and_rate_per_10k_children.csv

# Lint, then every test. Browser tests need Chromium at /usr/bin/chromium
# (apt-get install -y chromium; .ci/run installs it).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@if [ -x /usr/bin/chromium ]; then \
		$(BIN)/python -m pytest; \
	else \
		echo "NOTE: /usr/bin/chromium is missing, so the browser tests are not run."; \
		echo "      Install it with 'apt-get install -y chromium' to run them."; \
		$(BIN)/python -m pytest -m "not browser"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Rebuild static/css/app.css and static/govuk/ from GOV.UK Frontend (needs Node and npm).
# The built files are committed, so run and test never need Node.
assets: $(STAMP)
	npm ci --no-audit --no-fund
	npm run build
	DEBUG=1 $(BIN)/python manage.py write_plotly_template

collectstatic: $(STAMP)
	$(BIN)/python manage.py collectstatic --noinput

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
