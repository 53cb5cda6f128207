# Corral - top-level targets.  `make up` and `make test` are all a newcomer
# needs on a fresh Debian 12 machine (see README.md).

BUILD      ?= build
ASAN_BUILD ?= build-asan
CMAKE_ARGS ?=
export CORRAL_HOME ?= $(CURDIR)/var

.PHONY: all deps build build-asan up down test unit integration test-asan bench clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS) >/dev/null
	@ninja -C $(BUILD)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCORRAL_SANITIZE=ON $(CMAKE_ARGS) >/dev/null
	@ninja -C $(ASAN_BUILD)

# An all-in-one cluster in $(CORRAL_HOME), then a demo job.
up: build
	@$(BUILD)/bin/corral up
	@bash scripts/demo.sh $(BUILD)
	@echo "Commands are in $(CURDIR)/$(BUILD)/bin (export PATH=\"$(CURDIR)/$(BUILD)/bin:\$$PATH\")."

down:
	@$(BUILD)/bin/corral down

unit: build
	@ctest --test-dir $(BUILD) --output-on-failure

integration: build
	@tests/integration/run $(BUILD)

# Everything, then everything again under AddressSanitizer + UBSan.
test: build build-asan
	@echo "=== unit tests"
	@ctest --test-dir $(BUILD) --output-on-failure
	@echo "=== integration tests"
	@tests/integration/run $(BUILD)
	@echo "=== unit tests (ASan+UBSan)"
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir $(ASAN_BUILD) --output-on-failure
	@echo "=== integration tests (ASan+UBSan)"
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		tests/integration/run $(ASAN_BUILD)

bench: build
	@bench/submit
	@bench/launch

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
