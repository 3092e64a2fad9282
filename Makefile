# Vigía: the two commands are `make run` (the demo) and `make test` (every test).
# Both start what they need: a local ClickHouse (deploy/clickhouse-local.sh, which
# installs Debian's clickhouse-server if no server binary is on PATH); `make test`
# also a Mattermost server (deploy/mattermost-local.sh: PostgreSQL from Debian, the
# server built from the Go module proxy) and, for the modern-engine tests, chDB
# (deploy/chdb-lib.sh, from the npm registry).

GO        ?= go
BIN       := bin/vigia
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.buildVersion=$(VERSION)
# An explicit ClickHouse (VIGIA_CLICKHOUSE_ADDR=host:port) wins over the local one.
CH_ADDR    = $(or $(VIGIA_CLICKHOUSE_ADDR),$(shell deploy/clickhouse-local.sh start))
# A real Mattermost server (built once from the Go module proxy, on a private PostgreSQL).
MM_URL     = $(or $(VIGIA_MATTERMOST_URL),$(shell deploy/mattermost-local.sh start))
TEST_FLAGS ?= -count=1 -timeout 30m

.PHONY: all build run test test-go test-chdb bench bench-alerts eval fuzz clean clickhouse-start clickhouse-stop mattermost-start mattermost-stop

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/vigia

## run: start a local ClickHouse and run the demo (simulated traffic for a demo brand) until Ctrl-C.
run: build
	VIGIA_CLICKHOUSE_ADDR=$(CH_ADDR) VIGIA_DATA_DIR=.local/demo ./$(BIN) run

## test: every test, including the real-ClickHouse and chDB ones.
test: test-go test-chdb

test-go:
	VIGIA_CLICKHOUSE_ADDR=$(CH_ADDR) VIGIA_MATTERMOST_URL=$(MM_URL) $(GO) test $(TEST_FLAGS) ./...

test-chdb:
	CHDB_LIB_PATH=$$(deploy/chdb-lib.sh) $(GO) test $(TEST_FLAGS) -tags chdb -run 'Chdb' ./internal/storage/...

## bench: end-to-end ingest against native and clickhouse-client inserts (last line), after the micro-benchmarks.
BENCH_N ?= 1000000
bench: build
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 ./classify/... ./internal/stream/...
	$(GO) build -o bin/vigia-bench ./cmd/vigia-bench
	VIGIA_LOG_LEVEL=warn ./bin/vigia-bench -addr $(CH_ADDR) -vigia $(BIN) -n $(BENCH_N)

## bench-alerts: alert latency end to end (webhook intake → stream → ClickHouse → cases → dispatch → outbox → webhook receiver), p50/p90/p99 at 1,000 and 10,000 msgs/s.
bench-alerts: build
	$(GO) build -o bin/vigia-alertbench ./cmd/vigia-alertbench
	./bin/vigia-alertbench -addr $(CH_ADDR) -vigia $(BIN) -rates 1000,10000

## eval: train and evaluate the text models on ../shared/data against a scikit-learn baseline; writes docs/classifier.md.
eval: build
	classify/eval/eval.sh ../shared/data

## fuzz: run every fuzz target for FUZZTIME each.
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clickhouse-start:
	deploy/clickhouse-local.sh start

clickhouse-stop:
	deploy/clickhouse-local.sh stop

mattermost-start:
	deploy/mattermost-local.sh start

mattermost-stop:
	deploy/mattermost-local.sh stop

clean:
	rm -rf bin .local/demo
