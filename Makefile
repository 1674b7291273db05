# benchai - build, test, demo.  `make help` lists the targets.
#
# Sources are found by directory, so a new module needs no Makefile edit:
#   src/**/*.c        -> libbenchai (everything but src/main.c) + ./benchai
#   tests/unit/*.c    -> build/unit-tests        (Criterion)
#   tests/integration/*.c -> build/integration-tests (Criterion, real llama-server)
#   benchmarks/*.c    -> build/bench/<name>

PREFIX   ?= /usr/local
CC       ?= cc
BUILD    ?= build
BIN      ?= benchai
PKGS     := yaml-0.1 libcjson libcurl sqlite3 libpcre2-8 libseccomp zlib

# The package flags are asked of pkg-config at their first use, not when this
# file is parsed: `make demo` and `make check` install the packages first and
# then re-enter make, and only that inner make compiles. A plain `make` on a
# machine without the packages stops with one line saying what to run.
pkg_once = $(eval $1 := $(shell pkg-config $2 $(PKGS) 2>/dev/null || echo BAI_PKG_MISSING))$(if \
  $(findstring BAI_PKG_MISSING,$($1)),$(error pkg-config does not find the build packages \
  ($(PKGS)); run 'make deps' (scripts/install-deps.sh) first, or use 'make demo' / 'make check'),$($1))
PKG_CFLAGS = $(call pkg_once,PKG_CFLAGS,--cflags)
PKG_LIBS   = $(call pkg_once,PKG_LIBS,--libs)

# CFLAGS and LDFLAGS are the user's (make CFLAGS=-O0 keeps everything else);
# what benchai needs to compile at all is in BAI_CFLAGS, which always applies.
# Build lines are short ("CC src/x.c"); make V=1 prints the whole commands.
ifeq ($(V),1)
Q :=
say = @:
else
Q := @
say = @printf '  %-4s %s\n'
endif

OPT      ?= -O2
SAN      ?=
CFLAGS   ?= $(OPT) -g
BAI_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Isrc $(PKG_CFLAGS) -MMD -MP
ALL_CFLAGS = $(BAI_CFLAGS) $(CFLAGS) $(SAN)
ALL_LDFLAGS = $(LDFLAGS) $(SAN)
ALL_LDLIBS = $(LDLIBS) $(PKG_LIBS) -lpthread -lm

LIB_SRC  := $(filter-out src/main.c,$(shell find src -name '*.c' | sort))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
INTEG_SRC:= $(sort $(wildcard tests/integration/*.c))
BENCH_SRC:= $(sort $(wildcard benchmarks/*.c))
HELPER_SRC := $(sort $(wildcard tests/helpers/*.c))

.PHONY: all help check unit circles difftest integration asan valgrind demo demo-run install install-data clean deps llama models \
        bench fuzz print-pkgs first-hour slurm-test FORCE

all: $(BIN)

help:
	@echo "make            build ./benchai (needs the packages: make deps)"
	@echo "make demo       install what is needed, run the demo suite on the tiny model"
	@echo "make check      install what is needed, run unit, differential and integration tests"
	@echo "make circles    no two files or folders of src/ depend on each other (scripts/check-circles)"
	@echo "make difftest   the scorers against the official Python rules (tests/diff/)"
	@echo "make asan       the same tests under AddressSanitizer + UBSan"
	@echo "make valgrind   integration tests with benchai under valgrind memcheck (no definite leaks)"
	@echo "make bench      build the benchmarks (run them with benchmarks/run-all.sh)"
	@echo "make fuzz       run the fuzz targets (parsers, suites, scorers, writers) for a bounded time"
	@echo "make first-hour a fresh clone does what a new user does, checked under a pty"
	@echo "make slurm-test the job array of benchai slurm on a one-node Slurm started on 127.0.0.1 (root)"
	@echo "make install    install benchai, its suites, model registry and roles, man page and bash/zsh completion into PREFIX ($(PREFIX))"
	@echo "make clean      remove build outputs"

$(BIN): $(BUILD)/libbenchai.a $(BUILD)/src/main.o
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(BUILD)/src/main.o $(BUILD)/libbenchai.a $(ALL_LDLIBS)

$(BUILD)/libbenchai.a: $(LIB_OBJ)
	@rm -f $@
	$(say) AR $@
	$(Q)ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) $(EXTRA_CFLAGS) -c -o $@ $<

# The punkt English model is built into the binary (.incbin, src/score/punkt_data.c).
$(BUILD)/src/score/punkt_data.o: $(wildcard data/punkt/english/*)

# Only the tests see their helpers' headers.
$(BUILD)/tests/%.o: EXTRA_CFLAGS = -Itests/helpers

# The version a stored run records comes from `git describe`; version.o is
# rebuilt whenever that string changes (the stamp is rewritten only then), so
# a run can never record a stale version.
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1.0)
$(BUILD)/version.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@
$(BUILD)/src/util/version.o: $(BUILD)/version.stamp
$(BUILD)/src/util/version.o: EXTRA_CFLAGS = -DBENCHAI_VERSION='"$(VERSION)"'

# --- tests ---------------------------------------------------------------
$(BUILD)/unit-tests: $(UNIT_SRC:%.c=$(BUILD)/%.o) $(HELPER_SRC:%.c=$(BUILD)/%.o) $(BUILD)/libbenchai.a
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libbenchai.a -lcriterion $(ALL_LDLIBS)

$(BUILD)/integration-tests: $(INTEG_SRC:%.c=$(BUILD)/%.o) $(HELPER_SRC:%.c=$(BUILD)/%.o) $(BUILD)/libbenchai.a
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libbenchai.a -lcriterion $(ALL_LDLIBS)

# The differential test against the reference Python code (tests/diff/).
$(BUILD)/diff-driver: tests/diff/driver.c $(BUILD)/libbenchai.a
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libbenchai.a $(ALL_LDLIBS)

difftest: $(BIN) $(BUILD)/diff-driver
	@BENCHAI_DIFF_DRIVER=$(CURDIR)/$(BUILD)/diff-driver bash tests/diff/run.sh

# Installs packages, builds llama-server (cached outside the repo) and writes
# the tiny test models (cached too). Each step is a no-op when done.
DEPS_SCRIPT ?= scripts/install-deps.sh
deps:
	@bash $(DEPS_SCRIPT)
llama: deps
	@bash scripts/install-llama.sh >/dev/null
models: llama
	@bash scripts/make-test-models >/dev/null

unit: $(BIN) $(BUILD)/unit-tests
	$(BUILD)/unit-tests --jobs 2

# Two files that use each other's definitions, or two folders that include
# each other's headers (store.c <-> schema.c is the one allowed pair).
circles: $(BIN)
	@python3 scripts/check-circles --objects $(BUILD)/src

integration: $(BIN) $(BUILD)/integration-tests models
	BENCHAI_BIN=$(CURDIR)/$(BIN) $(BUILD)/integration-tests --jobs 1

# The README's two commands. Each installs first and then re-enters make, so
# nothing is compiled (and pkg-config is not asked) before the packages exist,
# whatever the order of the two commands and with -j.
check: models
	@BENCHAI_WITH_DIFF=1 bash $(DEPS_SCRIPT)
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory circles
	@$(MAKE) --no-print-directory difftest
	@$(MAKE) --no-print-directory integration

demo: models
	@$(MAKE) --no-print-directory demo-run
demo-run: $(BIN)
	@./$(BIN) run --demo

# A new user's first hour on a fresh clone of HEAD (README's demo, run,
# runs, show, compare, report), checked as seen on a terminal.
first-hour: models
	@bash scripts/first-hour.sh

# `benchai slurm`'s job array and merge job against a real slurmctld and
# slurmd started on 127.0.0.1 from a temp dir (installs slurm-wlm's daemons
# and munge; needs root): docs/distributed.md, tests/slurm/run.sh.
slurm-test: $(BIN) models
	@bash tests/slurm/run.sh

# The same tests under ASan + UBSan, in a separate build tree.
asan: models
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	$(MAKE) BUILD=build-asan OPT=-O1 BIN=build-asan/benchai \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  unit integration

# Integration tests with every benchai process under valgrind memcheck: an
# error or a definite leak fails the test that ran it, and check.sh prints
# the logs. A subset: the timing-bound fault tests (random kills, a server
# that keeps hanging, a full disk) would measure valgrind's slowness, not
# benchai; these cover the run, resume, Ctrl-C, crash restart, the health
# watch, two writers, migration and refusal, the /proc census.
VALGRIND_TESTS ?= e2e/* backends/server_killed* faults/hung* store_runs/two_runs* store_runs/old_store* \
                  machine/competing* decisions/memory_and_load*
valgrind: $(BIN) $(BUILD)/integration-tests models
	@rm -rf $(BUILD)/valgrind && mkdir -p $(BUILD)/valgrind
	@for t in $(VALGRIND_TESTS); do \
	  BENCHAI_BIN=$(CURDIR)/tests/valgrind/benchai.sh BENCHAI_REAL_BIN=$(CURDIR)/$(BIN) \
	  BENCHAI_VALGRIND_LOGS=$(CURDIR)/$(BUILD)/valgrind \
	  $(BUILD)/integration-tests --jobs 1 --filter "$$t" || { bash tests/valgrind/check.sh $(BUILD)/valgrind; exit 1; }; \
	done
	@bash tests/valgrind/check.sh $(BUILD)/valgrind

bench: $(BIN) $(BENCH_SRC:benchmarks/%.c=$(BUILD)/bench/%)
$(BUILD)/bench/%: benchmarks/%.c $(BUILD)/libbenchai.a
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libbenchai.a $(ALL_LDLIBS)

print-pkgs:
	@echo $(PKGS)

fuzz: deps
	@BENCHAI_PKGS="$(PKGS)" bash tests/fuzz/run.sh

# The man page is rendered by the binary from its own option tables, so it
# lists exactly the commands and flags that binary has; the completion
# scripts ask the binary too (benchai __complete).
$(BUILD)/benchai.1: $(BIN)
	./$(BIN) --help-man > $@.tmp && mv $@.tmp $@

MANDIR   ?= $(PREFIX)/share/man
install: $(BIN) $(BUILD)/benchai.1 install-data
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/benchai
	install -m 644 $(BUILD)/benchai.1 $(DESTDIR)$(MANDIR)/man1/benchai.1
	install -m 644 scripts/completion/benchai.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/benchai
	install -m 644 scripts/completion/_benchai $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_benchai

# What an installed benchai reads beside its binary (<prefix>/share/benchai):
# the suites, the model registry and the roles file (docs/cli.md, "Installed").
install-data:
	install -d $(DESTDIR)$(PREFIX)/share/benchai
	cp -r suites $(DESTDIR)$(PREFIX)/share/benchai/
	install -m 644 benchmarks/models.yaml benchmarks/roles.yaml $(DESTDIR)$(PREFIX)/share/benchai/

clean:
	rm -rf build build-asan build-fuzz benchai

FORCE:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
