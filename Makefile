# Every target creates and uses the local .venv, so each works as the first command on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DATASETS ?= ../shared/datasets

.PHONY: demo test lint messages bench bench-peers clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/yincai demo

# One worker per core; a test file stays on one worker (its module fixtures are built once).
test: $(STAMP) lint
	$(PY) -m pytest -n auto --dist loadfile --durations=15

lint: $(STAMP)
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# Refresh the translation catalogues after changing interface text: extract every _() of the
# code and templates into messages.pot, merge it into each language's messages.po; then translate
# the new (empty or fuzzy) entries. The .po files are read at run time: nothing to compile.
LOCALE := src/yincai/locale
messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _ -k ngettext:1,2 -k pgettext:1c,2 --no-location --sort-output \
	  --no-wrap --project=yincai --copyright-holder="yincai contributors" -o $(LOCALE)/messages.pot .
	$(VENV)/bin/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages --no-wrap \
	  --ignore-obsolete

# torch (the optional extra, exactly this version) lets the KTStack blend include DKT.
bench: $(STAMP)
	$(PY) -m pip install --quiet torch==2.13.0
	$(VENV)/bin/yincai bench all --datasets $(DATASETS) --json bench-results/bench.json

# Peer libraries (pyBKT with its C++ core, EduCDM, girth) live in their own environment.
PEERS_VENV  := .venv-peers
PEERS_PY    := $(PEERS_VENV)/bin/python
PEERS_STAMP := $(PEERS_VENV)/.installed

$(PEERS_STAMP): benchmarks/peers_requirements.txt pyproject.toml
	$(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_PY) -m pip install --quiet --upgrade pip
	$(PEERS_PY) -m pip install --quiet -r benchmarks/peers_requirements.txt
	$(PEERS_PY) -m pip install --quiet --no-build-isolation --no-binary pybkt pybkt==1.4.3
	$(PEERS_PY) -m pip install --quiet torch==2.13.0 EduCDM==1.0.1
	$(PEERS_PY) -m pip install --quiet --no-deps EduKTM==0.0.10
	$(PEERS_PY) -m pip install --quiet --no-deps -e .
	$(PEERS_PY) -c "import sys, torch; sys.exit(not torch.__version__.startswith('2.13.0'))"
	touch $(PEERS_STAMP)

bench-peers: $(PEERS_STAMP)
	$(PEERS_PY) benchmarks/peers.py --datasets $(DATASETS) --json bench-results/peers.json $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) $(PEERS_VENV) data bench-results .pytest_cache .mypy_cache .ruff_cache
