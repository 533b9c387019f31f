# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: run test lint format lock sql gazetteer clean help

help:
	@echo "make run    build .venv if needed, run the nightly flow on seeds/landing -> data/"
	@echo "make test   build .venv if needed, run the test suite"
	@echo "make lint   ruff check + format check"
	@echo "make sql    regenerate sql/macros/ar_norm.sql from transforms/normalize.py"
	@echo "make gazetteer  regenerate seeds/gazetteer/{entities,aliases}.csv from packages + curated/"
	@echo "make clean  remove data/ output (keeps .venv)"

$(STAMP): pyproject.toml requirements.lock transforms/_fastnorm.c
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing the pinned dependencies into $(VENV) (once; log: $(VENV)/install.log)"
	@( $(BIN)/python -m pip install --upgrade pip && \
	   $(BIN)/python -m pip install -r requirements.lock && \
	   $(BIN)/python -m pip install --no-deps -e . ) > $(VENV)/install.log 2>&1 \
	 || { tail -40 $(VENV)/install.log; echo "pip install failed: see $(VENV)/install.log"; exit 1; }
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/akhbar run --landing seeds/landing --data data

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .

sql: $(STAMP)
	$(BIN)/python -c "from flows.warehouse import write_ar_norm_sql as w; print('wrote', w())"

gazetteer: $(STAMP)
	$(BIN)/python seeds/gazetteer/build.py

lock:
	rm -rf /tmp/akhbar-lock && $(PYTHON) -m venv /tmp/akhbar-lock
	/tmp/akhbar-lock/bin/pip install -q -e '.[dev,dask]'
	( echo "# Full pinned dependency tree (pip freeze of a fresh install of pyproject + [dev,dask])."; \
	  echo "# Regenerate: make lock"; /tmp/akhbar-lock/bin/pip freeze --exclude-editable ) > requirements.lock

clean:
	rm -rf data/lake data/quarantine data/warehouse.duckdb data/.warehouse-*
