# siocrypt: a plain Makefile, in the spirit of wrk's.
# make            build build/siocrypt
# make test       deps, then (in a new make, so pkg-config sees what deps installed) build and every test
# make run        deps, then build and the main job on the embedded default (local Node server)
# make bench      the benchmarks (never asserted in tests)
# make asan       the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer
# make deps       install missing Debian packages and npm packages (npm ci from lock files)
# make fuzz       every libFuzzer target (harness/fuzz/fuzz_*.c) for FUZZ_S seconds each (clang)
# make fuzz-smoke every fuzz target for a few seconds, plus the committed crash regressions
# make man        build/siocrypt.1, the manual page, generated from README.md (harness/scripts/mkman.py)
# make install    bin/siocrypt and share/man/man1/siocrypt.1 under $(DESTDIR)$(PREFIX)

PREFIX  ?= /usr/local
BUILD   ?= build
PKGS     = openssl libcjson libwebsockets libcurl libuv zlib
# pkg-config runs when a flag is first used, not when the Makefile is read: on a fresh machine the -dev
# packages only exist once `make deps` has run, and run/test/bench start a new make after it (below).
pkgconf = $(eval $(1) := $(shell pkg-config $(2) 2>/dev/null))$($(1))
PKG_CFLAGS    = $(call pkgconf,PKG_CFLAGS,--cflags $(PKGS))
PKG_LIBS      = $(call pkgconf,PKG_LIBS,--libs $(PKGS))
CHECK_CFLAGS  = $(call pkgconf,CHECK_CFLAGS,--cflags check)
CHECK_LIBS    = $(call pkgconf,CHECK_LIBS,--libs check)

OPT     ?= -O2 -g
CFLAGS  ?=
SAN     ?=
ALL_CFLAGS = -std=gnu11 $(OPT) $(SAN) -Wall -Wextra -Werror -D_GNU_SOURCE \
             -Iharness/src $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)
LIBS    = $(PKG_LIBS) -lm -lpthread

# Sources by layer: harness/src/<layer>/<module>.c (README: Layout); objects mirror the folders.
SRC     := $(wildcard harness/src/*/*.c)
OBJ     := $(SRC:harness/src/%.c=$(BUILD)/obj/%.o)
LIBOBJ  := $(filter-out $(BUILD)/obj/cli/main.o,$(OBJ))
TSRC    := $(wildcard harness/tests/check_*.c)
TBIN    := $(TSRC:harness/tests/%.c=$(BUILD)/tests/%)

.PHONY: all tests test test-unit run bench asan deps clean install man fuzz fuzz-build fuzz-smoke
all: $(BUILD)/siocrypt
tests: $(BUILD)/siocrypt $(TBIN)

$(BUILD)/siocrypt: $(OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/obj/%.o: harness/src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: harness/tests/%.c $(LIBOBJ) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBOBJ) $(CHECK_LIBS) $(LIBS)

$(BUILD)/tests:
	mkdir -p $@

-include $(OBJ:.o=.d)

deps:
	@bash harness/scripts/deps.sh

# Unit tests only (pure modules, no servers).
test-unit: $(TBIN)
	@for t in $(TBIN); do echo "== $$t"; CK_FORK=yes $$t || exit 1; done

# deps first, then a new make: this one's pkg-config results may predate the packages deps installs.
test: deps
	@$(MAKE) --no-print-directory tests
	@BUILD=$(BUILD) bash harness/tests/run.sh

run: deps
	@$(MAKE) --no-print-directory all
	@bash harness/scripts/run-default.sh $(BUILD)/siocrypt

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/bench/floor
	@BUILD=$(BUILD) bash harness/scripts/bench.sh

# The round-trip floor of `make bench` (harness/bench/floor.c): a raw epoll ping-pong, no libraries.
$(BUILD)/bench/floor: harness/bench/floor.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $<

asan:
	$(MAKE) BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" test

# Fuzzing: clang + libFuzzer + ASan/UBSan. Own variables and object dir (build/fuzz), so neither the gcc
# build nor `make asan` (whose BUILD/OPT/SAN reach sub-makes through MAKEFLAGS) changes these objects.
FUZZ_CC    ?= clang
FUZZ_BUILD ?= build/fuzz
FUZZ_S     ?= 60
FUZZ_SAN    = -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -std=gnu11 -O2 -g -fno-omit-frame-pointer $(FUZZ_SAN) -Wall -Wextra -Werror -D_GNU_SOURCE \
              -Iharness/src $(PKG_CFLAGS)
FUZZ_OBJ   := $(filter-out $(FUZZ_BUILD)/obj/cli/main.o,$(SRC:harness/src/%.c=$(FUZZ_BUILD)/obj/%.o))
FUZZ_SRC   := $(wildcard harness/fuzz/fuzz_*.c)
FUZZ_BIN   := $(FUZZ_SRC:harness/fuzz/%.c=$(FUZZ_BUILD)/%)

fuzz-build: $(FUZZ_OBJ) $(FUZZ_BIN)

$(FUZZ_BUILD)/obj/%.o: harness/src/%.c harness/fuzz/coverage-ignore.txt
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
	    -fsanitize-coverage-ignorelist=harness/fuzz/coverage-ignore.txt -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: harness/fuzz/fuzz_%.c harness/fuzz/fuzz.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(LIBS)


-include $(FUZZ_OBJ:.o=.d)

fuzz: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) bash harness/fuzz/run.sh $(FUZZ_S)

fuzz-smoke: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) bash harness/fuzz/run.sh --smoke 4

# The manual page is README.md's tables rendered to roff: generated, never committed (README: Command line).
MAN = $(BUILD)/siocrypt.1
man: $(MAN)
$(MAN): README.md harness/scripts/mkman.py harness/src/base/version.h
	@mkdir -p $(dir $@)
	python3 harness/scripts/mkman.py README.md harness/src/base/version.h > $@.tmp && mv $@.tmp $@

install: all $(MAN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/siocrypt $(DESTDIR)$(PREFIX)/bin/siocrypt
	install -m 644 $(MAN) $(DESTDIR)$(PREFIX)/share/man/man1/siocrypt.1

clean:
	rm -rf build
