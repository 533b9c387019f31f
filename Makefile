# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: run test lint format lock sql asan gazetteer clean help s3 s3-stop

help:
	@echo "make run    build .venv if needed, run the nightly flow on seeds/landing -> data/"
	@echo "make test   build .venv if needed, run the test suite"
	@echo "make lint   ruff check + format check"
	@echo "make sql    regenerate sql/macros/ar_norm.sql from transforms/normalize.py"
	@echo "make asan   test the C extensions built with AddressSanitizer + UBSan (needs gcc)"
	@echo "make gazetteer  regenerate seeds/gazetteer/{entities,aliases}.csv from packages + curated/"
	@echo "make s3     start a local S3 server (moto) in the background; prints the env to export"
	@echo "make s3-stop  stop it (by the PID in .s3-server.pid)"
	@echo "make clean  remove data/ output (keeps .venv)"

$(STAMP): pyproject.toml requirements.lock transforms/_fastnorm.c transforms/_entmatch.c
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
	$(BIN)/python -c "from flows.sql_objects import write_ar_norm_sql as w; print('wrote', w())"

# transforms/_fastnorm.c and _entmatch.c built with AddressSanitizer and UBSan into a temporary
# dir (the in-place builds are left alone), and their tests run against them (tests/asan.py
# loads them). A Python process needs the ASan runtime loaded first (LD_PRELOAD); Python's own
# allocations go through malloc so that ASan sees them; leak checks are off (the interpreter
# keeps memory at exit); --capture=sys leaves file descriptor 2 alone, where a sanitizer
# prints its report.
ASAN_CC ?= gcc
ASAN_FLAGS = -shared -fPIC -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
asan: $(STAMP)
	@tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/akhbar-asan.XXXXXX") && \
	 suf=$$($(BIN)/python -c 'import sysconfig as s; print(s.get_config_var("EXT_SUFFIX"))') && \
	 inc=$$($(BIN)/python -c 'import sysconfig as s; print(s.get_paths()["include"])') && \
	 $(ASAN_CC) $(ASAN_FLAGS) -I"$$inc" transforms/_fastnorm.c -o "$$tmp/_fastnorm$$suf" && \
	 $(ASAN_CC) $(ASAN_FLAGS) -I"$$inc" transforms/_entmatch.c -o "$$tmp/_entmatch$$suf" && \
	 LD_PRELOAD=$$($(ASAN_CC) -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0 \
	 UBSAN_OPTIONS=print_stacktrace=1 PYTHONMALLOC=malloc AKHBAR_REQUIRE_FAST=1 \
	   $(BIN)/python tests/asan.py "$$tmp/_fastnorm$$suf" "$$tmp/_entmatch$$suf" \
	   -q -p no:cacheprovider --capture=sys \
	   tests/test_fastnorm.py tests/test_normalize.py tests/test_entmatch.py tests/test_entities.py; \
	 rc=$$?; rm -rf "$$tmp"; exit $$rc
s3: $(STAMP)
	@$(BIN)/python tests/s3_server.py start --pidfile .s3-server.pid

s3-stop:
	@$(BIN)/python tests/s3_server.py stop --pidfile .s3-server.pid

gazetteer: $(STAMP)
	$(BIN)/python seeds/gazetteer/build.py

lock:
	rm -rf /tmp/akhbar-lock && $(PYTHON) -m venv /tmp/akhbar-lock
	/tmp/akhbar-lock/bin/pip install -q -e '.[dev,dask]'
	( echo "# Full pinned dependency tree (pip freeze of a fresh install of pyproject + [dev,dask])."; \
	  echo "# Regenerate: make lock"; /tmp/akhbar-lock/bin/pip freeze --exclude-editable ) > requirements.lock

clean:
	rm -rf data/lake data/quarantine data/warehouse.duckdb data/.warehouse-*
