# Thin wrapper around Meson; the build lives in build/ (binary: build/flickr-archive).
BUILD ?= build
PREFIX ?= /usr/local
MESON ?= meson

.PHONY: all deps check check-unit check-e2e demo install clean

all: deps $(BUILD)/build.ninja
	$(MESON) compile -C $(BUILD)

deps:
	@scripts/install-deps.sh --check 2>/dev/null || scripts/install-deps.sh

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --prefix=$(PREFIX)

check: all
	$(MESON) test -C $(BUILD) --print-errorlogs

check-unit: all
	$(MESON) test -C $(BUILD) --suite unit --print-errorlogs

check-e2e: all
	$(MESON) test -C $(BUILD) --suite e2e --print-errorlogs

demo: all
	scripts/demo.sh

install: all
	$(MESON) install -C $(BUILD)

clean:
	rm -rf $(BUILD) demo_archive
