# refgraph — the two commands a fresh Debian machine needs:
#   make demo   install what is missing, build, run the lessons
#   make test   install what is missing, build with ASan+UBSan, run every test
# and `make bench` for the benchmarks, `make readme` for the README's outputs.

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
MAKEFLAGS += --no-print-directory
CMAKE ?= cmake

.PHONY: all demo test test-hostile-long bench deps build clean gcdiff-long gc-clean-long readme

all: build

deps:
	@sh scripts/deps.sh

# The main build: optimised, at build/ (the CLI is build/refgraph).
build: deps
	@$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=Release -DRG_WERROR=ON -DRG_BUILD_TESTS=OFF >/dev/null
	@$(CMAKE) --build build -j $(JOBS)

demo: build
	@sh scripts/demo.sh build

# Every program output shown in README.md, generated from the code with the
# main build (test_readme checks it): review the diff, then commit.
readme: build
	@$(CMAKE) --build build --target samples -j $(JOBS)
	@python3 scripts/readme.py --build build --write README.md

# The test build: optimised (so -O2 warnings show) with sanitizers,
# poisoned freed objects, warnings as errors.
test: deps
	@$(CMAKE) -S . -B build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRG_WERROR=ON \
	    -DRG_ASAN=ON -DRG_UBSAN=ON -DRG_DEBUG_CHECKS=ON >/dev/null
	@$(CMAKE) --build build/test -j $(JOBS)
	@cd build/test && ctest --output-on-failure -j $(JOBS)

# The differential test's long mode: 100,000 programs against CPython on an
# optimised build (docs/collector.md).
GCDIFF_PROGRAMS ?= 100000
GCDIFF_SEED ?= 1000000
gcdiff-long: deps
	@$(CMAKE) -S . -B build/gcdiff -DCMAKE_BUILD_TYPE=Release -DRG_WERROR=ON >/dev/null
	@$(CMAKE) --build build/gcdiff --target gcdiff_runner -j $(JOBS)
	@python3 tests/gcdiff/gcdiff.py --runner build/gcdiff/tests/gcdiff_runner \
	    --seed $(GCDIFF_SEED) --programs $(GCDIFF_PROGRAMS) --batch 2000 --corpus tests/gcdiff/corpus \
	    --max-mismatches 5

# The long mode of tests/test_gc_clean.c: 20,000 random programs and 50,000
# hostile ones against the reachability oracle on an optimised build
# (about a minute; docs/collector.md, "Clean objects").
GC_CLEAN_PROGRAMS ?= 20000
GC_CLEAN_HOSTILE ?= 50000
gc-clean-long: deps
	@$(CMAKE) -S . -B build/rel -DCMAKE_BUILD_TYPE=Release -DRG_WERROR=ON -DRG_BUILD_TESTS=ON >/dev/null
	@$(CMAKE) --build build/rel --target test_gc_clean -j $(JOBS)
	@cd build/rel/tests && RG_CLEAN_PROGRAMS=$(GC_CLEAN_PROGRAMS) RG_CLEAN_HOSTILE=$(GC_CLEAN_HOSTILE) \
	    ./test_gc_clean

# The long mode of tests/test_hostile.sh: 20 random graphs per shape, and
# a gzip file with a 1.5 GiB line (a few minutes; not part of make test).
test-hostile-long: test
	@cd build/test && RG_HOSTILE_SEEDS=20 RG_HOSTILE_LONG_LINE=1 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	    sh $(CURDIR)/tests/test_hostile.sh refgraph tests/gen_dump $(CURDIR)

bench: build
	@sh scripts/deps.sh bench
	@sh bench/run.sh build

clean:
	rm -rf build out
