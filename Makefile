# Xinyu: `make run` serves the demo college on http://127.0.0.1:8000, `make test` runs every test.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
# Test processes: one per core (pytest-xdist); TEST_WORKERS=0 runs the suite in this process.
TEST_WORKERS ?= auto
# `make bench BENCH_ARGS=--smoke`: every benchmark at tiny sizes; or parts of names to run only those.
BENCH_ARGS ?=

.PHONY: setup idp-env run test lint format bench messages clean

$(VENV)/.installed: requirements.lock
	@python=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	  echo "Creating $(VENV) with $$python"; rm -rf $(VENV); "$$python" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@# The project's own package, importable by the tools the venv runs (lint-imports) from any directory.
	@$(PY) -c 'import site, sys; open(site.getsitepackages()[0] + "/xinyu-project.pth", "w").write(sys.argv[1])' "$(CURDIR)"
	@touch $@

setup: $(VENV)/.installed

run: setup
	@scripts/run

# The single sign-on tests' identity provider (django-cas-server, django-oauth-toolkit) in its own .venv-idp,
# built once from tests/sso/idp/requirements.lock. Without PyPI those tests skip (CI sets XINYU_REQUIRE_IDP=1:
# they fail instead).
idp-env: setup
	@$(PY) tests/sso/idp/build_venv.py || echo "The identity provider for the single sign-on tests could not be built (no PyPI?): those tests will skip."

test: setup idp-env
	@# Compiled modules are kept (in __pycache__, ignored by git) even where the environment says not to:
	@# every test process would otherwise parse and assertion-rewrite the whole suite again.
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest --numprocesses $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format: setup
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: setup
	$(PY) -m bench $(BENCH_ARGS)

# Refresh the translation catalogue after changing user-facing strings, then fill in locale/.
messages: setup
	$(PY) manage.py makemessages --locale zh_Hans --ignore '.venv/*' --ignore '.venv-idp/*' --ignore 'tests/sso/idp/*' --ignore 'static/vendor/*' --no-obsolete
	$(PY) manage.py compilemessages --locale zh_Hans --ignore '.venv/*' --ignore '.venv-idp/*'

clean:
	rm -rf $(VENV) .venv-idp staticfiles .pytest_cache .ruff_cache
