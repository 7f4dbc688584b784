# Thin wrapper around Meson; the build lives in build/ (binary: build/flickr-archive).
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

.PHONY: all deps check check-unit check-e2e check-browser check-fuzz check-asan check-tsan fuzz demo install clean

all: deps $(BUILD)/build.ninja
	$(MESON) compile -C $(BUILD)

deps:
	@scripts/install-deps.sh --check 2>/dev/null || scripts/install-deps.sh

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --prefix=$(PREFIX)

check: all
	$(MESON) test -C $(BUILD) --print-errorlogs
	@$(MAKE) --no-print-directory check-fuzz

check-unit: all
	$(MESON) test -C $(BUILD) --suite unit --print-errorlogs

check-e2e: all
	$(MESON) test -C $(BUILD) --suite e2e --print-errorlogs

check-browser: all
	$(MESON) test -C $(BUILD) --suite browser --print-errorlogs

check-fuzz: deps
	scripts/fuzz.sh $(FUZZ_CHECK_SECONDS)

fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

check-asan: deps
	scripts/check-asan.sh

check-tsan: deps
	scripts/check-tsan.sh

demo: all
	scripts/demo.sh

install: all
	$(MESON) install -C $(BUILD)

clean:
	rm -rf $(BUILD) build-fuzz build-asan build-tsan demo_archive
