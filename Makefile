# The README's entry points: `make demo` and `make test`. Each installs what
# it needs (crates via cargo, Python packages into .venv) by itself.
SHELL := /bin/bash
CARGO ?= cargo
PYTHON ?= python3
VENV := .venv
EMULATOR := target/debug/ci-emulator

CC ?= cc
CXX ?= c++
LIB_DIR := target/debug
C_WARNINGS := -Wall -Wextra -Werror -pedantic
STATIC_LIBS := -lpthread -ldl -lm
VALGRIND := valgrind --suppressions=tests/c/valgrind.supp --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all --error-exitcode=1

.PHONY: build header test test-rust test-c test-official-sdk demo clean

## Build the library (rlib, cdylib, staticlib), the emulator and the examples.
build:
	$(CARGO) build --features emulator --lib --bins --examples

## Regenerate include/cloud_infinite.h from src/ffi/ (a test fails while it is stale).
header:
	CLOUD_INFINITE_WRITE_HEADER=1 $(CARGO) build

## Every test: Rust unit, integration and doc tests; the C ABI under valgrind and ASan;
## Tencent's official SDK against the emulator.
test: test-rust test-c test-official-sdk

test-rust:
	$(CARGO) test --features emulator

target/c/test_abi: tests/c/test_abi.c include/cloud_infinite.h build
	mkdir -p target/c
	$(CC) -std=c99 $(C_WARNINGS) -g -Iinclude $< -L$(LIB_DIR) -Wl,-rpath,$(abspath $(LIB_DIR)) -lcloud_infinite -lpthread -o $@

target/c/test_abi_asan: tests/c/test_abi.c include/cloud_infinite.h build
	mkdir -p target/c
	$(CC) -std=c99 $(C_WARNINGS) -g -fsanitize=address -fno-omit-frame-pointer -Iinclude $< $(LIB_DIR)/libcloud_infinite.a $(STATIC_LIBS) -o $@

## The C ABI proven from C: under valgrind (shared library), then ASan/LSan (static library).
test-c: target/c/test_abi target/c/test_abi_asan
	scripts/with-emulator.sh --emulator $(EMULATOR) -- $(VALGRIND) target/c/test_abi
	scripts/with-emulator.sh --emulator $(EMULATOR) -- env ASAN_OPTIONS=detect_leaks=1 target/c/test_abi_asan
	@echo "Both leak checkers must catch a leak made on purpose:"
	! scripts/with-emulator.sh --emulator $(EMULATOR) -- env CI_TEST_DELIBERATE_LEAK=1 $(VALGRIND) -q target/c/test_abi >/dev/null 2>&1
	! scripts/with-emulator.sh --emulator $(EMULATOR) -- env CI_TEST_DELIBERATE_LEAK=1 ASAN_OPTIONS=detect_leaks=1 target/c/test_abi_asan >/dev/null 2>&1
	@echo "  both did."

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
