# community-sim: set-up, demo and tests.
#
# `make demo` and `make test` create .venv once with uv (from the Python >= 3.12
# found below) and install the locked versions (uv.lock) again only when
# pyproject.toml or uv.lock change. Override the interpreter with
# `make PYTHON=/path/to/python3.12`, uv with `make UV=/path/to/uv`.

SHELL := /bin/bash

VENV := .venv
VPY := $(VENV)/bin/python
# xdist workers for `make test`; every machine of this project has 2 cores.
WORKERS ?= 2

NEED_PY_MSG := community-sim needs Python >= 3.12; install it or set PYTHON=...

# First interpreter that really runs and reports >= 3.12: python3.13, python3.12
# on PATH (a pyenv shim only runs with PYENV_VERSION set, so it is tested, not
# trusted), then pyenv's installed versions. Resolved to sys.executable so the
# venv points at the real interpreter, not at a shim.
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell \
  root=$$(pyenv root 2>/dev/null || echo "$${PYENV_ROOT:-$$HOME/.pyenv}"); \
  for c in python3.13 python3.12 $$root/versions/3.1[2-9]*/bin/python3; do \
    if "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
      "$$c" -c 'import sys; print(sys.executable)'; break; \
    fi; \
  done)
endif

# uv: the one on PATH if it runs; otherwise this version, installed once with the
# found Python's pip into .uv/ (uv is a single binary on PyPI).
UV_VERSION := 0.13.9
ifeq ($(origin UV),undefined)
UV := $(or $(shell command -v uv >/dev/null 2>&1 && uv --version >/dev/null 2>&1 && command -v uv),.uv/bin/uv)
endif
# Only the bootstrapped uv is a file make builds.
UV_DEP := $(filter .uv/bin/uv,$(UV))
# Never download an interpreter: the venv is made from $(PYTHON).
UV_SYNC = UV_PYTHON_DOWNLOADS=never "$(UV)" sync --locked --python "$(PYTHON)"
CHECK_PY = if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
  echo "$(NEED_PY_MSG)" >&2; exit 1; fi

.DEFAULT_GOAL := help
.PHONY: help demo test test-all lint docs bench clean chromium fonts

help:
	@echo "make demo   run baseline, paid_entry and no_moderation, then compare them in results/compare/report.html"
	@echo "make test   lint (ruff, mypy), build the docs, run the test suite and the notebooks ($(WORKERS) xdist workers)"
	@echo "make test-all  the same with the slow tests (verify grids, the wheel installed in a clean venv)"
	@echo "make lint   ruff check, ruff format --check and mypy on sim/"
	@echo "make docs   build the documentation site into site/ (mkdocs --strict)"
	@echo "make bench  engine and sweep benchmarks (benchmarks/*.json) and the README's figures from them"
	@echo "make clean  remove .venv, .uv, site/ and everything in results/ but .gitkeep"

.uv/bin/uv:
	@$(CHECK_PY)
	"$(PYTHON)" -m pip install --quiet --disable-pip-version-check --target .uv "uv==$(UV_VERSION)"

# Stamps: sync again only when pyproject.toml or uv.lock change. The editable install maps
# the top-level package `sim` once, at install time (without sim/__init__.py it
# would map a namespace package for good), so FIND checks from outside the repo,
# where the working directory does not count, that each module is a regular
# installed one; if not, no stamp is written and the next make installs again.
FIND = cd / && $(abspath $(VPY)) -c 'import importlib.util as u, sys; \
  bad = [m for m in sys.argv[1:] if getattr(u.find_spec(m), "origin", None) in (None, "namespace")]; \
  bad and sys.exit(f"not importable from $(VENV) as regular packages: {bad} (is sim/__init__.py there?)")'

# The demo needs the core dependencies only; --inexact keeps what `make test` added.
$(VENV)/.installed: pyproject.toml uv.lock | $(UV_DEP)
	@$(CHECK_PY)
	$(UV_SYNC) --inexact
	$(FIND) sim
	touch $@

# The test extra brings pytest, hypothesis, nbclient (notebooks/ run as tests) and playwright;
# the viz extra the SolaraViz app the browser test drives; the lint and docs groups ruff,
# mypy and mkdocs. An exact sync: the suite sees the locked set and nothing else. Playwright
# never downloads a browser: the browser test uses Debian's chromium (see `chromium` below).
$(VENV)/.installed-test: pyproject.toml uv.lock | $(UV_DEP)
	@$(CHECK_PY)
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(UV_SYNC) --extra test --extra viz --group lint --group docs
	$(FIND) sim pytest xdist nbclient ipykernel playwright solara mypy mkdocs
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed fonts
	$(VENV)/bin/community-sim run scenarios/baseline.toml --out results/baseline
	$(VENV)/bin/community-sim run scenarios/paid_entry.toml --out results/paid_entry
	$(VENV)/bin/community-sim run scenarios/no_moderation.toml --out results/no_moderation
	@# 30 runs of each with common seeds -> results/compare/report.html. A second `make demo`
	@# resumes (nothing to run); --force only discards results of presets that have changed since.
	$(VENV)/bin/community-sim compare scenarios/baseline.toml scenarios/paid_entry.toml \
	  scenarios/no_moderation.toml --out results/compare --force

# Debian's chromium and its driver for the viz browser test (tests/test_viz_browser.py),
# installed with apt when /usr/bin/chromium is missing and we are root (as in CI);
# otherwise the browser test is skipped (it fails instead where CI or COMMUNITY_SIM_REQUIRE_BROWSER is set).
CHROMIUM := /usr/bin/chromium
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get
chromium:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium and chromium-driver (apt) for the browser test"; \
	  $(APT_GET) update -qq && \
	  $(APT_GET) install -y -qq --no-install-recommends chromium chromium-driver fonts-liberation fonts-dejavu-core \
	    >/dev/null || exit 1; \
	else \
	  echo "note: $(CHROMIUM) is missing and we are not root: the browser test will be skipped" >&2; \
	fi

# Debian's Noto CJK fonts, so Chinese scenario names and labels render in every figure
# (sim/report/fonts.py finds them); installed with apt when missing and we are root (as in CI);
# otherwise figures fall back to DejaVu Sans and the CJK render test is skipped (it fails where CI is set).
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
fonts:
	@if [ -f $(CJK_FONT) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing fonts-noto-cjk (apt) for Chinese text in figures"; \
	  $(APT_GET) update -qq && $(APT_GET) install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null || exit 1; \
	else \
	  echo "note: $(CJK_FONT) is missing and we are not root: Chinese text in figures will not render" >&2; \
	fi

# Every check runs, so one failure does not hide the others; the status is that of all three.
lint: $(VENV)/.installed-test
	@status=0; \
	$(VENV)/bin/ruff check . || status=1; \
	$(VENV)/bin/ruff format --check . || status=1; \
	$(VENV)/bin/mypy || status=1; \
	exit $$status

# The site (mkdocs.yml): the user guide (README.md), docs/ODD.md with §8 from the schema,
# the API reference (mkdocstrings), the changelog. --strict: a broken link or docstring fails.
docs: $(VENV)/.installed-test
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

# lint, the docs site, then tests/ (with the notebooks: tests/test_notebooks.py). The default
# run leaves out tests marked slow (the verify grids, the wheel install) to stay within
# 10 minutes on 2 cores; `make test-all` runs them too.
test: $(VENV)/.installed-test chromium fonts lint docs
	$(VPY) -m pytest -n $(WORKERS) -m "not slow"

test-all: $(VENV)/.installed-test chromium fonts lint docs
	$(VPY) -m pytest -n $(WORKERS)

# The venv is only needed when there is something to run.
bench: $(VENV)/.installed
	$(VPY) benchmarks/run_all.py
	$(VPY) benchmarks/readme_figures.py

clean:
	rm -rf $(VENV) .uv site *.egg-info .pytest_cache .mypy_cache .ruff_cache
	find results -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +
