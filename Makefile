# Veridoc. `make run` starts the server on :4000 with the embedded default
# (SQLite + local disk + in-process workers); `make test` runs everything.
SHELL := /bin/bash
GO ?= go
BIN := bin/veridoc
STATICCHECK_VERSION := v0.8.2
GOBIN_DIR := $(shell $(GO) env GOPATH)/bin
export VERIDOC_DATA_DIR ?= ./data
# Tesseract's OpenMP threads and OpenBLAS's only spin on a busy machine (the
# binary sets these itself).
export OMP_THREAD_LIMIT ?= 1
export OPENBLAS_NUM_THREADS ?= 1
# OpenBLAS's kernels, where it would fall back to its oldest on a processor
# it does not know, are set by scripts/blas-env.sh for each test command.
BLAS := GO=$(GO) scripts/blas-env.sh

.PHONY: build run deps test-deps models bench eval-photos eval-docs eval-liveness loadtest scale test e2e-deps lint vet fmt-check staticcheck clean

build:
	$(GO) build -o $(BIN) ./cmd/veridoc

# System packages the server needs at run time (Debian); installs only what is missing.
deps:
	@scripts/install-deps.sh run

# Plus what the tests need (PostgreSQL, Redis, test photos, fonts, Chromium, zint).
test-deps:
	@scripts/install-deps.sh test

# Model files (face detector, landmarks, descriptor ResNet, MRZ OCR) into models-data/.
models:
	@scripts/make-models.sh

run: deps models build
	@$(BIN) account bootstrap
	@echo "Starting Veridoc on $${VERIDOC_ADDR:-:4000} (Ctrl-C to stop)"
	@exec $(BIN) serve

# Sets up everything it needs on a fresh Debian machine, as `make run` does.
test: test-deps models e2e-deps lint
	$(BLAS) scripts/with-services.sh $(GO) test -race -count=1 -timeout 15m ./...

# Photo pipeline numbers: per-stage times and p50/p95 on one core (12 MP and 1 MP
# JPEGs), photos/s with two workers, peak RSS. Each benchmark runs in its own process.
bench: models
	$(BLAS) $(GO) test -run '^$$' -bench 'Process12MP|Process1MP' -cpu 1 -benchtime 20x ./internal/vision/idphoto
	$(BLAS) $(GO) test -run '^$$' -bench 'Throughput2Workers' -cpu 2 -benchtime 40x ./internal/vision/idphoto
	$(BLAS) $(GO) test -run '^$$' -bench 'SessionStages' -cpu 1 -benchtime 20x ./internal/vision/engines

# Photo evaluation: real portraits and variants through four specs, each output
# measured again; prints a table and writes test-output/eval-photos.{jpg,txt}.
eval-photos: models
	@scripts/install-deps.sh test
	VERIDOC_EVAL=1 $(BLAS) $(GO) test -count=1 -run 'TestEvalPhotos|TestEvalQuality|TestEvalFlatCover' -v -timeout 20m ./internal/vision/idphoto

# Document evaluation: the MRZ reader on synthetic photos per condition
# (perspective, low light, glare, small, window, hologram, in hand; exact-read
# rate and the printed zone's verdicts), then the MRZ reader and the AAMVA
# parser on the held-out real documents (../shared/data/holdout/realdocs:
# measured, never tuned to), per file with the totals (the clean subset apart).
eval-docs: models
	@scripts/install-deps.sh test
	VERIDOC_EVAL=1 $(BLAS) $(GO) test -count=1 -run 'TestEvalHoldout|TestEvalConditions|TestEvalIntegrity' -v -timeout 30m ./internal/vision/docread ./internal/vision/aamva ./internal/vision/integrity

# Liveness evaluation: generated live heads doing random challenges and the
# attacks (a print moved and bent, a screen replay, a frozen frame, two
# people, another session's frames copied or filmed off a screen): APCER
# per attack, BPCER, the passive nets' scores, ms a check; writes
# test-output/eval-liveness.txt. Then a check's time for 15 frames of
# 640×480 on one core, beside the decode of the same frames, the time to
# compare them with one earlier session's, and two workers' checks a
# second and peak memory.
eval-liveness: models
	@scripts/install-deps.sh test
	VERIDOC_EVAL=1 $(BLAS) $(GO) test -count=1 -cpu 1 -run 'TestEvalLiveness' -v -timeout 60m ./internal/vision/liveness
	$(BLAS) $(GO) test -run '^$$' -bench 'Check15|Replayed' -cpu 1 -benchtime 10x ./internal/vision/liveness
	$(BLAS) $(GO) test -run '^$$' -bench 'CheckWorkers2' -cpu 2 -benchtime 20x ./internal/vision/liveness

# At a million sessions on PostgreSQL (tools/scale, seeded by bulk inserts):
# list latencies against an account of 1,000, the 1:N face index's load
# time, memory and search latency on one core, the retention sweep's rate.
# SCALE_SESSIONS changes the size; the database is made and dropped.
scale:
	$(GO) run ./tools/scale -db "$$(scripts/start-postgres.sh)" -sessions $${SCALE_SESSIONS:-1000000}

# API throughput and latency on this machine (tools/loadtest, bombardier): session.get,
# account.get, photo.process (enqueue only) and /healthz as the floor, on SQLite
# and on PostgreSQL when one answers on 127.0.0.1:5432.
BOMBARDIER_VERSION := v1.2.6
loadtest: build
	@scripts/install-deps.sh test
	@[ -x $(GOBIN_DIR)/bombardier ] || GOFLAGS= $(GO) install github.com/codesenberg/bombardier@$(BOMBARDIER_VERSION)
	$(GO) run ./tools/loadtest -bin $(BIN) -bombardier $(GOBIN_DIR)/bombardier -c $${LOADTEST_CONNECTIONS:-32} -d $${LOADTEST_DURATION:-10s}

# playwright-core for the browser tests (internal/web/capture/e2e) and TypeScript for the
# TypeScript SDK's tests (sdk/typescript), each from its lock file.
e2e-deps:
	@[ -d internal/web/capture/e2e/node_modules/playwright-core ] || (cd internal/web/capture/e2e && npm ci --no-audit --no-fund --silent)
	@[ -d sdk/typescript/node_modules/typescript ] || (cd sdk/typescript && npm ci --no-audit --no-fund --silent)

lint: fmt-check vet staticcheck

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	@[ -x $(GOBIN_DIR)/staticcheck ] || GOFLAGS= $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(GOBIN_DIR)/staticcheck ./...

clean:
	rm -rf bin
