# Thin wrapper around Meson; the build lives in build/ (binary: build/flickr-archive).
#   make deps         installs what is missing (scripts/install-deps.sh); make and make install never do
#   make check        unit, end-to-end and browser tests, then a short fuzzing run (check-fuzz)
#   make check-browser  the site in headless Chromium (screenshots: build/browser-artifacts/)
#   make check-asan   the whole suite against an ASan+UBSan build (build-asan)
#   make check-tsan   sync's concurrent end-to-end tests against a TSan build (build-tsan)
#   make check-fuzz   each libFuzzer target for FUZZ_CHECK_SECONDS (build-fuzz, clang)
#   make fuzz         each target for FUZZ_SECONDS (FUZZ_TARGETS="json oauth" for some)
BUILD ?= build
PREFIX ?= /usr/local
MESON ?= meson

FUZZ_SECONDS ?= 600
FUZZ_CHECK_SECONDS ?= 5
FUZZ_TARGETS ?=

# `make`, `make install` and the Meson build never install packages: they only
# check that the build's dependencies are there (scripts/install-deps.sh
# --check-build) and say what is missing.  `make deps`, and the targets that
# run things (demo, check*, fuzz), install what is missing first, saying so
# in one line (scripts/install-deps.sh).
.PHONY: all build-deps deps check check-unit check-e2e check-browser check-fuzz check-asan check-tsan fuzz demo install clean

all: build-deps
	@test -f $(BUILD)/build.ninja || $(MESON) setup $(BUILD) --prefix=$(PREFIX)
	$(MESON) compile -C $(BUILD)

build-deps:
	@scripts/install-deps.sh --check-build

deps:
	@scripts/install-deps.sh --check 2>/dev/null || scripts/install-deps.sh

# deps, then the build (in that order, even under make -j)
BUILD_AFTER_DEPS = @$(MAKE) --no-print-directory all

check: deps
	$(BUILD_AFTER_DEPS)
	$(MESON) test -C $(BUILD) --print-errorlogs
	@$(MAKE) --no-print-directory check-fuzz

check-unit: deps
	$(BUILD_AFTER_DEPS)
	$(MESON) test -C $(BUILD) --suite unit --print-errorlogs

check-e2e: deps
	$(BUILD_AFTER_DEPS)
	$(MESON) test -C $(BUILD) --suite e2e --print-errorlogs

check-browser: deps
	$(BUILD_AFTER_DEPS)
	$(MESON) test -C $(BUILD) --suite browser --print-errorlogs

check-fuzz: deps
	scripts/fuzz.sh $(FUZZ_CHECK_SECONDS)

fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

check-asan: deps
	scripts/check-asan.sh

check-tsan: deps
	scripts/check-tsan.sh

demo: deps
	$(BUILD_AFTER_DEPS)
	scripts/demo.sh

install: all
	$(MESON) install -C $(BUILD)

clean:
	rm -rf $(BUILD) build-fuzz build-asan build-tsan demo_archive
