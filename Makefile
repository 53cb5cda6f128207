# Corral - top-level targets.  `make up` and `make test` are all a newcomer
# needs on a fresh Debian 12 machine (see README.md).

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 20
CMAKE_ARGS ?=
export CORRAL_HOME ?= $(CURDIR)/var

.PHONY: all deps build build-asan up down test unit integration test-asan valgrind bench clean fuzz

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

# The integration tests of the server, schedulers and node daemons with the
# daemons under valgrind memcheck: no error, no definite leak.
VALGRIND_TESTS = t0010 t0030 t0100 t0110 t0200 t0215 t0310 t0520 t0530
valgrind: build
	@VALGRIND=1 tests/integration/run $(BUILD) $(foreach t,$(VALGRIND_TESTS),$(wildcard tests/integration/$(t)-*.sh))

# Everything, then everything again under AddressSanitizer + UBSan, then
# the daemons' tests under valgrind.
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
	@echo "=== integration tests of the daemons under valgrind"
	@$(MAKE) --no-print-directory valgrind

# libFuzzer targets (docs/fuzzing.md): the whole tree built by clang with
# coverage, ASan and UBSan, each target run for FUZZ_SECONDS from a scratch
# copy of its corpus, then the unit tests of the fuzzed modules (which hold
# the regression tests of what fuzzing found) in that same clang build.
# Fails when a target crashes or a test fails.
FUZZ_UNIT = ^test_(proto_frame|cli_qsub_opts|cli_qmgr_parse|common_resource|sched_expr|sim_swf)$$
fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCORRAL_FUZZ=ON $(CMAKE_ARGS) >/dev/null
	@ninja -C $(FUZZ_BUILD)
	@echo "=== fuzzing, $(FUZZ_SECONDS) s per target"
	@rc=0; tests/fuzz/run $(FUZZ_BUILD) $(FUZZ_SECONDS) || rc=1; \
	echo "=== unit tests of the fuzzed modules (clang, ASan+UBSan)"; \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir $(FUZZ_BUILD) --output-on-failure -R '$(FUZZ_UNIT)' || rc=1; \
	exit $$rc

bench: build
	@bench/submit
	@bench/launch
	@bench/cycle
	@bench/sim

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
