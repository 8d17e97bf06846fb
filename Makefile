# The README's entry points: `make demo` and `make test`. Each installs what
# it needs (crates via cargo, Python packages into .venv) by itself.
SHELL := /bin/bash
CARGO ?= cargo
PYTHON ?= python3
VENV := .venv
EMULATOR := target/debug/ci-emulator

.PHONY: build test test-rust test-official-sdk demo clean

## Build the library (rlib, cdylib, staticlib), the emulator and the examples.
build:
	$(CARGO) build --features emulator --bins --examples

## Every test: Rust unit, integration and doc tests, then Tencent's official SDK against the emulator.
test: test-rust test-official-sdk

test-rust:
	$(CARGO) test --features emulator

$(VENV)/.installed: tests/official_sdk/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -r tests/official_sdk/requirements.txt
	touch $@

test-official-sdk: $(VENV)/.installed build
	CI_EMULATOR_BIN=$(EMULATOR) $(VENV)/bin/python -m pytest -q tests/official_sdk

## Start the emulator, list every pic bucket and one bucket's AI queues through the Rust API, stop it.
demo: build
	scripts/with-emulator.sh --emulator $(EMULATOR) -- target/debug/examples/demo

clean:
	$(CARGO) clean
	rm -rf $(VENV)
