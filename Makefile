# Both `make run` and `make test` bootstrap .venv from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# spacectl (the reference CLI, for tests/e2e/test_spacectl.py) needs protobuf 3: its own venv.
SPACECTL_VENV := .spacectl-venv
SPACECTL_STAMP := $(SPACECTL_VENV)/.installed
SPACECTL_PACKAGES ?= spacectl==2.0.10 spaceone-core==2.0.144

.PHONY: run test lint bench clean spacectl protos browser

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

$(SPACECTL_STAMP):
	test -x $(SPACECTL_VENV)/bin/python || $(PYTHON) -m venv $(SPACECTL_VENV)
	$(SPACECTL_VENV)/bin/python -m pip install -q --upgrade pip
	$(SPACECTL_VENV)/bin/python -m pip install -q $(SPACECTL_PACKAGES)
	touch $(SPACECTL_STAMP)

spacectl: $(SPACECTL_STAMP)

run: $(STAMP)
	$(BIN)/cloudinv serve --demo

# The web page's tests drive Debian's Chromium through its chromedriver: installed here when missing and we are
# root. Otherwise those tests skip, saying why (under CI=true they fail instead).
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; \
	else echo "chromium/chromedriver missing and not root: the browser tests will be skipped"; fi

test: $(STAMP) $(SPACECTL_STAMP) browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/list_jobs.py

# The extension protos' generated modules are checked in; run this after editing a .proto.
protos: $(STAMP)
	$(BIN)/python -m grpc_tools.protoc -Isrc --python_out=src --grpc_python_out=src --pyi_out=src \
		-I$$($(BIN)/python -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))') \
		-I$$($(BIN)/python -c 'import google.api, os; print(os.path.dirname(os.path.dirname(google.api.__path__[0])))') \
		src/cloudinv/api/proto/job_control.proto

clean:
	rm -rf $(VENV) $(SPACECTL_VENV) .pytest_cache .mypy_cache .ruff_cache
