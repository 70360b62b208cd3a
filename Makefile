# bodypart — the two commands a new machine needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT ?= swift
APT_PACKAGES := libdcmtk-dev dcmtk libgdcm-dev libsqlite3-dev zlib1g-dev
TEST_PACKAGES := dicom3tools chromium orthanc netpbm file
MODEL_TYPE ?= ensemble
RELEASE_BIN = $(shell $(SWIFT) build -c release --show-bin-path)/bodypart
export TCP_NODELAY := 1

.PHONY: help deps test-deps build run test bench lint data train evaluate clean-build

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
	$(SWIFT) build -c release --product bodypart

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

train: build ## Train the default body-part model (needs make data); dicom-dev's series and studies are left out
	$(RELEASE_BIN) train --data .data/idc-series.tsv --radlex ../shared/data/radlex-playbook-core.tsv \
	  --exclude-series ../shared/data/dicom-dev/labels.csv --model-type $(MODEL_TYPE) --out Rules/model/default.bpmodel

evaluate: build ## The model beside the rule baseline: dicom-dev files, and IDC grouped by collection
	$(RELEASE_BIN) evaluate --labels ../shared/data/dicom-dev/labels.csv ../shared/data/dicom-dev/files
	test ! -f .data/idc-series.tsv || $(RELEASE_BIN) evaluate --idc .data/idc-series.tsv \
	  --radlex ../shared/data/radlex-playbook-core.tsv --group-by collection --folds 5

clean-build: ## Remove build products
	rm -rf .build
