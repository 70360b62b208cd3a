# bodypart — the two commands a new machine needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT ?= swift
APT_PACKAGES := libdcmtk-dev dcmtk libgdcm-dev libsqlite3-dev zlib1g-dev
TEST_PACKAGES := dicom3tools chromium orthanc netpbm file man-db systemd
MODEL_TYPE ?= linear
# Release builds link the Swift runtime and Foundation statically: the binary needs only system
# libraries and DCMTK/GDCM (what `make deps` installs), not the Swift toolchain.
RELEASE_FLAGS := -c release --static-swift-stdlib
RELEASE_BIN = $(shell $(SWIFT) build -c release --show-bin-path)/bodypart
export TCP_NODELAY := 1

.PHONY: help deps test-deps build run test test-install install bench lint data train evaluate clean-build fuzz

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

deps: ## Install the Debian packages bodypart needs, only those missing
	@missing=""; for p in $(APT_PACKAGES) $(EXTRA_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi

test-deps: ## Install the packages the tests use as real peers and checkers
	@$(MAKE) --no-print-directory deps EXTRA_PACKAGES="$(TEST_PACKAGES)"

build: deps ## Build the release binary (path: swift build -c release --show-bin-path)
	$(SWIFT) build $(RELEASE_FLAGS) --product bodypart

RUN_OUT ?= out/samples

run: build ## Install what is missing, build, and clean Samples/ into out/samples (audit inside)
	rm -rf $(RUN_OUT)
	$(RELEASE_BIN) clean Samples --out $(RUN_OUT) --verbose
	$(RELEASE_BIN) audit summary --audit $(RUN_OUT)/bodypart-audit.sqlite
	$(RELEASE_BIN) audit report --audit $(RUN_OUT)/bodypart-audit.sqlite --html $(RUN_OUT)/report.html
	@echo "cleaned files, audit and report.html are in $(RUN_OUT)/"

test: test-deps ## Build and run every test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	CONFIG=debug Tests/install/run.sh

test-install: test-deps ## The install test on the release build (static Swift runtime checked with ldd)
	CONFIG=release Tests/install/run.sh

# Where `make install` puts things (DESTDIR prefixes every path, for packaging and the tests).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/bodypart
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= /lib/systemd/system
LIBDIR_SYSTEMD ?= /usr/lib
# release (default) or debug: `make test` installs the debug build it already has (Swift 6.3 links
# Foundation statically only in release builds, so a debug install still needs the toolchain).
CONFIG ?= release
INSTALL_FLAGS = $(if $(filter debug,$(CONFIG)),,$(RELEASE_FLAGS))
INSTALL_BIN = $(shell $(SWIFT) build $(if $(filter debug,$(CONFIG)),,-c release) --show-bin-path)

install: deps ## Install binary, Rules, man pages, /etc/bodypart/proxy.yaml, systemd unit, system user
	$(SWIFT) build $(INSTALL_FLAGS) --product bodypart
	$(SWIFT) build $(INSTALL_FLAGS) --product generate-manual
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(SYSCONFDIR)/bodypart $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(LIBDIR_SYSTEMD)/sysusers.d $(DESTDIR)$(LIBDIR_SYSTEMD)/tmpfiles.d
	install -m 0755 $(INSTALL_BIN)/bodypart $(DESTDIR)$(BINDIR)/bodypart
	rm -rf $(DESTDIR)$(DATADIR)/Rules && cp -R Rules $(DESTDIR)$(DATADIR)/Rules
	$(INSTALL_BIN)/generate-manual $(INSTALL_BIN)/bodypart --multi-page --section 1 \
	  --authors "bodypart developers" -o $(DESTDIR)$(MANDIR)/man1
	@# An operator's configuration is never overwritten.
	test -e $(DESTDIR)$(SYSCONFDIR)/bodypart/proxy.yaml || \
	  install -m 0640 Rules/proxy.yaml $(DESTDIR)$(SYSCONFDIR)/bodypart/proxy.yaml
	sed 's#@BINDIR@#$(BINDIR)#g' Packaging/bodypart-proxy.service > $(DESTDIR)$(UNITDIR)/bodypart-proxy.service
	install -m 0644 Packaging/bodypart.sysusers $(DESTDIR)$(LIBDIR_SYSTEMD)/sysusers.d/bodypart.conf
	install -m 0644 Packaging/bodypart.tmpfiles $(DESTDIR)$(LIBDIR_SYSTEMD)/tmpfiles.d/bodypart.conf
	@# On the real root: create the user and state folder, tell systemd (not when packaging).
	if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
	  (command -v systemd-sysusers >/dev/null && systemd-sysusers) || \
	    id bodypart >/dev/null 2>&1 || useradd --system --home-dir /var/lib/bodypart --shell /usr/sbin/nologin bodypart; \
	  (command -v systemd-tmpfiles >/dev/null && systemd-tmpfiles --create $(LIBDIR_SYSTEMD)/tmpfiles.d/bodypart.conf) || true; \
	  chgrp bodypart $(SYSCONFDIR)/bodypart/proxy.yaml || true; \
	  (systemctl daemon-reload 2>/dev/null || true); \
	fi
	@echo "installed: $(DESTDIR)$(BINDIR)/bodypart ($$($(DESTDIR)$(BINDIR)/bodypart --version))"

bench: build ## Benchmarks with reference tools side by side (see Benchmarks/)
	Benchmarks/run-all.sh

bench-proxy: test-deps ## Proxy throughput vs direct, Orthanc auto-route and a scripted relay (2,000 CT slices)
	Benchmarks/proxy/run.sh

lint: ## swift format and clang-format, in check mode (reports; installs clang-format if missing)
	@$(MAKE) --no-print-directory deps EXTRA_PACKAGES="clang-format"
	$(SWIFT) format lint --recursive --configuration .swift-format Sources Tests Benchmarks/Sources
	clang-format --dry-run Sources/CDcmtk/*.cpp Sources/CDcmtk/include/*.h

data: ## Prepare the IDC series table (.data/idc-series.tsv, outside git) from PyPI idc-index-data
	test -x .data/venv/bin/python || python3 -m venv .data/venv
	.data/venv/bin/pip install -q idc-index-data==25.0.5 pandas pyarrow
	.data/venv/bin/python Scripts/prepare_idc.py --out .data/idc-series.tsv

train: build ## Train the default body-part model on the trusted IDC labels (needs make data); reserved and dicom-dev collections are left out
	$(RELEASE_BIN) train --idc-labels ../shared/data/idc-labels/labels.csv --data .data/idc-series.tsv \
	  --radlex ../shared/data/radlex-playbook-core.tsv --exclude-series ../shared/data/dicom-dev/labels.csv \
	  --model-type $(MODEL_TYPE) --shared-evidence true --out Rules/model/default.bpmodel

evaluate: build ## The model beside the rule baseline: trusted IDC labels grouped by collection, and dicom-dev files
	$(RELEASE_BIN) evaluate --idc-labels ../shared/data/idc-labels/labels.csv --data .data/idc-series.tsv \
	  --radlex ../shared/data/radlex-playbook-core.tsv --exclude-series ../shared/data/dicom-dev/labels.csv \
	  --model-type $(MODEL_TYPE) --shared-evidence true --folds 5 --score-dir out/idc-cv
	$(RELEASE_BIN) evaluate --labels ../shared/data/dicom-dev/labels.csv ../shared/data/dicom-dev/files

clean-build: ## Remove build products
	rm -rf .build

FUZZ_SECONDS ?= 600

fuzz: ## The reader fuzz target for FUZZ_SECONDS (default 600; make test runs it for 20 s)
	$(SWIFT) build --build-tests
	BODYPART_FUZZ_SECONDS=$(FUZZ_SECONDS) $(SWIFT) test --skip-build --filter ReaderFuzzTests
