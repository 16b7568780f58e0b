# Course tasks. Tool versions are pinned in scripts/versions.env.
SHELL := bash
# The Go toolchain and the build and run settings of the course (scripts/build.env), for every
# command below, including the `go env` right after.
include scripts/build.env
export GOTOOLCHAIN GOEXPERIMENT GODEBUG
GOBIN_DIR := $(shell go env GOPATH | cut -d: -f1)/bin
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# Tools installed by setup (gonb, goimports, gopls) live in GOBIN_DIR.
export PATH := $(GOBIN_DIR):$(PATH)

.PHONY: help course screenshots setup notebooks notebooks-fast notebooks-seed jupyter test test-go lint browser-test device-bundle device-dry-run bench deps-check

help: ## list the targets and what they do
	@grep -hE '^[a-z-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | sed -E 's/^([a-z-]+):[^#]*## /\1\t/' | awk -F'\t' '{ printf "  %-16s %s\n", $$1, $$2 }'

course: notebooks ## the main job: set-up, execute every notebook of both editions (full mode) into build/notebooks, screenshot them
	tests/browser/run.sh --html-only --no-self-test

screenshots: course ## make course, then put its screenshots (compressed) in docs/screenshots/ for committing
	scripts/screenshots.sh

setup: ## install Jupyter, goimports, gopls and GoNB; register the kernel (quick no-op when done)
	scripts/setup.sh

notebooks: setup ## execute every notebook (English, then notebooks/zh) in full mode, export HTML, check (build/notebooks/)
	scripts/run_notebooks.sh --full

notebooks-fast: setup ## the same with RNN_COURSE_MODE=fast (small sizes, for CI)
	scripts/run_notebooks.sh --fast

# The seed of notebooks-seed: one course seed other than the seeds written in the notebooks.
TEST_SEED ?= 6

notebooks-seed: setup ## the English notebooks in fast mode once more, under RNN_COURSE_SEED=$(TEST_SEED) (their checks hold on any seed)
	RNN_COURSE_SEED=$(TEST_SEED) scripts/run_notebooks.sh --fast --out-dir build/notebooks-seed$(TEST_SEED) notebooks/[0-9]*.ipynb

jupyter: setup ## interactive notebook server on http://127.0.0.1:8888
	PATH="$(GOBIN_DIR):$$PATH" jupyter notebook --no-browser --ip=127.0.0.1 --notebook-dir=notebooks $(ALLOW_ROOT)

test: setup lint test-go device-dry-run notebooks-fast notebooks-seed browser-test ## all tests: lint, every Go test (not -short), notebooks in fast mode (and the English ones under a second seed), in a browser

browser-test: setup ## notebooks run in headless Chromium through the Jupyter UI (fast mode), HTML exports checked; build/screenshots/
	tests/browser/run.sh

lint: ## gofmt, go vet, shellcheck and the Markdown link check must be clean
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	shellcheck scripts/*.sh scripts/device/*.sh scripts/bench/*.sh .ci/run tests/browser/run.sh
	go run ./tools/linkcheck

test-go: ## every Go test, including the slow ones skipped by -short
	go test -count=1 -timeout 40m ./...

bench: ## train-step benchmarks side by side (Go course and plain builds, PyTorch 1 and 2 threads) into results/bench/ (~8 min, quiet machine)
	scripts/setup.sh --with-pytorch
	scripts/bench/train_step.sh results/bench

device-bundle: ## build .device/: everything the GPU run needs (Go binary checked with ldd, scripts, parity cases)
	scripts/device/bundle.sh .device

device-dry-run: device-bundle ## the GPU run's plumbing on this CPU (pure-Go backend, PyTorch on CPU), checked; build/device-selftest/
	scripts/setup.sh --with-pytorch
	scripts/device/selftest.sh build/device-selftest

deps-check: ## print the newer gomlx, compute, go-xla, gonb and Go versions the module proxy serves (changes nothing)
	scripts/deps_check.sh
