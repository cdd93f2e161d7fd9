# seguimiento — set-up and everyday commands. `make demo` and `make test` are all a new machine needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
# Debian packages: fonts with Arial/Calibri metrics and HarfBuzz subsetting for the PDFs, poppler for
# reading PDFs back; LibreOffice (tests only) to check that every DOCX opens and converts.
SYSTEM_PACKAGES := poppler-utils libharfbuzz-subset0 fonts-liberation2 fonts-crosextra-carlito fonts-dejavu-core
TEST_SYSTEM_PACKAGES := libreoffice-writer-nogui

.PHONY: demo test lint format bench check clean system system-test

demo: system $(VENV)/.installed ## install and build the sample reports
	$(PY) generate.py check
	$(PY) generate.py all

test: system system-test $(VENV)/.installed-test ## install test extras and run the whole suite
	$(PY) -m ruff check seguimiento tests benchmarks scripts templates generate.py
	$(PY) -m ruff format --check seguimiento tests benchmarks scripts templates generate.py
	$(PY) -m pytest -q

check: $(VENV)/.installed
	$(PY) generate.py check

lint: $(VENV)/.installed-test
	$(PY) -m ruff check seguimiento tests benchmarks scripts templates generate.py
	$(PY) -m ruff format --check seguimiento tests benchmarks scripts templates generate.py

format: $(VENV)/.installed-test
	$(PY) -m ruff format seguimiento tests benchmarks scripts templates generate.py
	$(PY) -m ruff check --fix seguimiento tests benchmarks scripts templates generate.py

bench: $(VENV)/.installed-test
	$(PY) benchmarks/run.py

# System packages: installed with apt-get when missing and we are root; otherwise say what to install.
system:
	@./scripts/system-packages.sh $(SYSTEM_PACKAGES)

system-test:
	@./scripts/system-packages.sh $(TEST_SYSTEM_PACKAGES)

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf reports/*/ .pytest_cache .ruff_cache
