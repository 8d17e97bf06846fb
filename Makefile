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

PREFIX ?= /usr/local
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
# The shared library's SONAME carries the C ABI version (build.rs sets it).
ABI := $(shell sed -n 's/^pub const CI_ABI_VERSION: u32 = \([0-9]*\);/\1/p' src/ffi/mod.rs)
SONAME := libcloud_infinite.so.$(ABI)

.PHONY: build header generate install dist test-dist test-versions lint test test-rust test-hostile test-c test-install test-official-sdk test-python test-node test-go test-c-matrix test-soak soak deny bench test-bench-smoke demo clean

## Build the library (rlib), the emulator and the examples, then the C libraries
## (cdylib and staticlib: target/debug/libcloud_infinite.{so,a}) from the same crate.
C_LIBS := --lib --crate-type cdylib,staticlib
build:
	$(CARGO) build --features emulator --lib --bins --examples
	$(CARGO) rustc --features emulator $(C_LIBS)
	@# Programs linked with -lcloud_infinite ask the loader for the SONAME.
	ln -sf libcloud_infinite.so $(LIB_DIR)/$(SONAME)

## Regenerate include/cloud_infinite.h from src/ffi/ (a test fails while it is stale).
header:
	CLOUD_INFINITE_WRITE_HEADER=1 $(CARGO) build --features c-header

## Regenerate every binding's generated mirrors from the header and the table of
## operations (tests/generated.rs fails while one is stale).
generate: header
	$(CARGO) run --quiet --features codegen --bin ci-codegen

## Install the C library (shared with a versioned SONAME, and static), the header,
## the pkg-config file and the CMake package under PREFIX. Programs linked through
## either find the library without LD_LIBRARY_PATH (both add an rpath).
## `make dist` reuses it with its own release build (RELEASE_DIR, RELEASE_BUILD=true)
## and a relocatable pkg-config prefix (PC_PREFIX).
RELEASE_DIR ?= target/release
RELEASE_BUILD ?= $(CARGO) rustc --release $(C_LIBS)
PC_PREFIX ?= $(PREFIX)
install:
	$(RELEASE_BUILD)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/lib/cmake/cloud_infinite $(DESTDIR)$(PREFIX)/include
	install -m 0755 $(RELEASE_DIR)/libcloud_infinite.so $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/libcloud_infinite.so
	install -m 0644 $(RELEASE_DIR)/libcloud_infinite.a $(DESTDIR)$(PREFIX)/lib/
	@# The standard library's debug info is most of the archive, and no C user debugs into it.
	strip --strip-debug $(DESTDIR)$(PREFIX)/lib/libcloud_infinite.a
	install -m 0644 include/cloud_infinite.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PC_PREFIX)|' -e 's|@VERSION@|$(VERSION)|' cloud_infinite.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/cloud_infinite.pc
	sed -e 's|@VERSION@|$(VERSION)|' -e 's|@SONAME@|$(SONAME)|' cmake/cloud_infiniteConfig.cmake.in > $(DESTDIR)$(PREFIX)/lib/cmake/cloud_infinite/cloud_infiniteConfig.cmake
	sed -e 's|@VERSION@|$(VERSION)|' cmake/cloud_infiniteConfigVersion.cmake.in > $(DESTDIR)$(PREFIX)/lib/cmake/cloud_infinite/cloud_infiniteConfigVersion.cmake

## Every test: Rust unit, integration and doc tests; the C ABI under valgrind and ASan;
## Tencent's official SDK against the emulator.
test: lint deny test-rust test-hostile test-c test-c-matrix test-install test-official-sdk test-python test-node test-go test-soak test-bench-smoke test-dist

## Clippy on every target, warnings denied.
lint:
	$(CARGO) clippy --features emulator,codegen,c-header --all-targets -- -D warnings

## (c-header: build.rs regenerates the header, and tests/header.rs compares it with include/.)
test-rust:
	$(CARGO) test --features emulator,codegen,c-header

## The hostile-server harness: raw-socket servers sending what an attacker would;
## a table of outcome, time against the timeout and peak RSS per case.
test-hostile:
	$(CARGO) test --features emulator --test hostile

target/c/test_abi: tests/c/test_abi.c tests/c/emulator_control.h include/cloud_infinite.h build
	mkdir -p target/c
	$(CC) -std=c99 $(C_WARNINGS) -g -Iinclude $< -L$(LIB_DIR) -Wl,-rpath,$(abspath $(LIB_DIR)) -lcloud_infinite -lpthread -o $@

target/c/test_abi_asan: tests/c/test_abi.c tests/c/emulator_control.h include/cloud_infinite.h build
	mkdir -p target/c
	$(CC) -std=c99 $(C_WARNINGS) -g -fsanitize=address -fno-omit-frame-pointer -Iinclude $< $(LIB_DIR)/libcloud_infinite.a $(STATIC_LIBS) -o $@

## The C ABI proven from C: under valgrind (shared library), then ASan/LSan (static library).
test-c: target/c/test_abi target/c/test_abi_asan
	scripts/with-emulator.sh --emulator $(EMULATOR) -- $(VALGRIND) target/c/test_abi
	scripts/with-emulator.sh --emulator $(EMULATOR) -- env ASAN_OPTIONS=detect_leaks=1 target/c/test_abi_asan
	@echo "Both leak checkers must catch a leak made on purpose (and say so):"
	! scripts/with-emulator.sh --emulator $(EMULATOR) -- env CI_TEST_DELIBERATE_LEAK=1 $(VALGRIND) -q target/c/test_abi > target/c/leak-valgrind.log 2>&1
	grep -q "leaked on purpose; live objects: 1" target/c/leak-valgrind.log
	grep -q "are still reachable in loss record" target/c/leak-valgrind.log
	! scripts/with-emulator.sh --emulator $(EMULATOR) -- env CI_TEST_DELIBERATE_LEAK=1 ASAN_OPTIONS=detect_leaks=1 target/c/test_abi_asan > target/c/leak-asan.log 2>&1
	grep -q "ERROR: LeakSanitizer: detected memory leaks" target/c/leak-asan.log
	@echo "  both did."

## `make install` into a temporary prefix, then the C and C++ examples built with nothing
## but pkg-config, and a CMake project consuming the CMake package, all run against the
## emulator without LD_LIBRARY_PATH (the rpath finds the library), shared and static.
test-install: build
	set -e; prefix=$$(mktemp -d); trap 'rm -rf "$$prefix"' EXIT; \
	$(MAKE) --no-print-directory install PREFIX="$$prefix" >/dev/null; \
	readelf -d "$$prefix/lib/$(SONAME)" | grep -q 'Library soname: \[$(SONAME)\]'; \
	export PKG_CONFIG_PATH="$$prefix/lib/pkgconfig"; \
	$(CC) -std=c99 $(C_WARNINGS) examples/c/list.c $$(pkg-config --cflags --libs cloud_infinite) -o "$$prefix/list"; \
	$(CXX) -std=c++17 $(C_WARNINGS) examples/c/list.cpp $$(pkg-config --cflags --libs cloud_infinite) -o "$$prefix/list_cpp"; \
	$(CC) -std=c99 $(C_WARNINGS) examples/c/list.c $$(pkg-config --cflags cloud_infinite) "$$prefix/lib/libcloud_infinite.a" $$(pkg-config --static --libs-only-l cloud_infinite | sed 's/-lcloud_infinite//') -o "$$prefix/list_static"; \
	readelf -d "$$prefix/list" | grep -q 'NEEDED.*\[$(SONAME)\]'; \
	scripts/with-emulator.sh --emulator $(EMULATOR) -- "$$prefix/list" | tail -n 3; \
	scripts/with-emulator.sh --emulator $(EMULATOR) -- "$$prefix/list_cpp" | head -n 2; \
	scripts/with-emulator.sh --emulator $(EMULATOR) -- "$$prefix/list_static" | grep -A4 '^DescribePicProcessBucket ' | grep -q '^  130 buckets$$'; \
	cmake -S tests/cmake -B "$$prefix/cmake-build" -DCMAKE_PREFIX_PATH="$$prefix" -DCMAKE_C_COMPILER=$(CC) >/dev/null; \
	cmake --build "$$prefix/cmake-build" >/dev/null; \
	for program in list_shared list_static; do \
	  scripts/with-emulator.sh --emulator $(EMULATOR) -- "$$prefix/cmake-build/$$program" | grep -A4 '^DescribeMediaBuckets ' | grep -q 'buckets$$'; \
	done; \
	echo "install: shared (SONAME $(SONAME)), C++, static and CMake builds work without LD_LIBRARY_PATH"

## The fault matrix, hostile inputs, SecretId delimiters, operations, fail-closed,
## credentials and cancellation from C, under valgrind and ASan. Valgrind slows
## every step many times over: there, cancel.c drops its 50 ms bounds and races
## 300 cancels instead of 10,000 (the ASan run keeps both).
C_MATRIX := target/c/fault_matrix target/c/hostile_inputs target/c/secret_id_delimiters target/c/operations target/c/fail_closed target/c/credentials target/c/cancel
$(C_MATRIX): target/c/%: tests/c/%.c tests/c/emulator_control.h tests/c/check.h include/cloud_infinite.h build
	mkdir -p target/c
	$(CC) -std=c99 $(C_WARNINGS) -g -Iinclude $< -L$(LIB_DIR) -Wl,-rpath,$(abspath $(LIB_DIR)) -lcloud_infinite -lpthread -o $@
$(C_MATRIX:=_asan) target/c/credential_rotation_asan: target/c/%_asan: tests/c/%.c tests/c/emulator_control.h tests/c/check.h include/cloud_infinite.h build
	mkdir -p target/c
	$(CC) -std=c99 $(C_WARNINGS) -g -fsanitize=address -fno-omit-frame-pointer -Iinclude $< $(LIB_DIR)/libcloud_infinite.a $(STATIC_LIBS) -o $@
test-c-matrix: $(C_MATRIX) $(C_MATRIX:=_asan) target/c/credential_rotation_asan
	set -e; for t in $(notdir $(C_MATRIX)); do \
	  scripts/with-emulator.sh --emulator $(EMULATOR) -- env CI_TEST_NO_TIMING=1 CI_CANCEL_RACES=300 $(VALGRIND) -q target/c/$$t; \
	  scripts/with-emulator.sh --emulator $(EMULATOR) -- env ASAN_OPTIONS=detect_leaks=1 target/c/$${t}_asan; \
	done
	@# 60 s across 5 s credentials: an ASan build (valgrind would only stretch a time-bound loop).
	scripts/with-emulator.sh --emulator $(EMULATOR) -- env ASAN_OPTIONS=detect_leaks=1 target/c/credential_rotation_asan

## Soak: 10^6 calls (4 threads x 250k) on one client from each of C, Go, Python and Node,
## against the release library; zero errors, flat RSS, live objects and fds back to
## their baseline (soak/README.md). `make test` runs the short version (target/debug).
soak:
	$(RELEASE_BUILD)
	SOAK_LIB_DIR=$(RELEASE_DIR) soak/run.sh
test-soak: build
	soak/run.sh --short

## Our bindings against Tencent's official SDKs (Python, Node, Go) on the same requests in one
## run, the core's criterion benches, RSS and FFI crossing cost: bench/RESULTS.md and a chart.
bench: build
	bench/run.sh

## Every benchmark program once with a tiny count, so none can rot (not a measurement).
test-bench-smoke: build
	bench/smoke.sh

## Licences, bans and sources of every dependency (cargo-deny, offline: its
## advisory database lives on GitHub, which this project's machines cannot reach).
deny:
	command -v cargo-deny >/dev/null || $(CARGO) install cargo-deny --locked --version 0.20.2
	$(CARGO) deny --offline check licenses bans sources

$(VENV)/.installed: tests/official_sdk/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -r tests/official_sdk/requirements.txt
	touch $@

test-official-sdk: $(VENV)/.installed build
	CI_EMULATOR_BIN=$(EMULATOR) $(VENV)/bin/python -m pytest -q tests/official_sdk

## The Python package (bindings/python): pytest against the emulator, and its wheel in a fresh venv.
test-python: build
	bindings/python/test.sh

## The Node package (bindings/node): node --test against the emulator, and its npm pack tarball.
test-node: build
	bindings/node/test.sh

## The Go module (bindings/go): go vet, go test -race against the emulator, the pkg-config route.
test-go: build
	bindings/go/test.sh

## Every published artifact into dist/ from one release build (glibc 2.17, cargo-zigbuild):
## the C library tarball, the Python wheel (manylinux_2_17_x86_64) and sdist, the Go module
## (a GOPROXY directory with the module zip), the Node main and platform packages.
## See docs/packaging.md.
dist:
	scripts/dist/dist.sh

## The committed manifests carry Cargo.toml's version (scripts/dist/versions.py --write fixes them).
test-versions:
	$(PYTHON) scripts/dist/versions.py --check

## make dist, then local registries (pypiserver, a file GOPROXY, verdaccio) on 127.0.0.1, and
## each package installed by name outside the checkout, running the README's example against
## the emulator (tests/dist/run.sh).
test-dist: build test-versions dist
	tests/dist/run.sh

## Start the emulator, list every pic bucket and one bucket's AI queues through the Rust API,
## from C, Python, Node and Go, stop it.
demo: build target/c/list
	scripts/with-emulator.sh --emulator $(EMULATOR) -- target/debug/examples/demo
	@echo; echo "The same from C (examples/c/list.c):"
	scripts/with-emulator.sh --emulator $(EMULATOR) -- target/c/list
	@echo; echo "From Python (bindings/python/examples):"
	bindings/python/demo.sh
	@echo; echo "From Node (bindings/node/examples):"
	bindings/node/demo.sh
	@echo; echo "From Go (bindings/go/cmd/ci-demo):"
	bindings/go/demo.sh

target/c/list: examples/c/list.c include/cloud_infinite.h build
	mkdir -p target/c
	$(CC) -std=c99 $(C_WARNINGS) -Iinclude $< -L$(LIB_DIR) -Wl,-rpath,$(abspath $(LIB_DIR)) -lcloud_infinite -o $@

clean:
	$(CARGO) clean
	rm -rf $(VENV) dist
