# Vigía: the two commands are `make run` (the demo) and `make test` (every test).
# Both start what they need: a local ClickHouse (deploy/clickhouse-local.sh, which
# installs Debian's clickhouse-server if no server binary is on PATH) and, for the
# modern-engine tests, chDB (deploy/chdb-lib.sh, from the npm registry).

GO        ?= go
BIN       := bin/vigia
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.buildVersion=$(VERSION)
# An explicit ClickHouse (VIGIA_CLICKHOUSE_ADDR=host:port) wins over the local one.
CH_ADDR    = $(or $(VIGIA_CLICKHOUSE_ADDR),$(shell deploy/clickhouse-local.sh start))
TEST_FLAGS ?= -count=1 -timeout 30m

.PHONY: all build run test test-go test-chdb bench eval fuzz lint clean clickhouse-start clickhouse-stop

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/vigia

## run: start a local ClickHouse and run the demo (simulated traffic for a demo brand) until Ctrl-C.
run: build
	VIGIA_CLICKHOUSE_ADDR=$(CH_ADDR) VIGIA_DATA_DIR=.local/demo ./$(BIN) run

## test: every test, including the real-ClickHouse and chDB ones.
test: test-go test-chdb

test-go:
	VIGIA_CLICKHOUSE_ADDR=$(CH_ADDR) $(GO) test $(TEST_FLAGS) ./...

test-chdb:
	CHDB_LIB_PATH=$$(deploy/chdb-lib.sh) $(GO) test $(TEST_FLAGS) -tags chdb -run 'Chdb' ./internal/storage/...

## bench: end-to-end ingest against native and clickhouse-client inserts, plus micro-benchmarks.
bench: build
	VIGIA_CLICKHOUSE_ADDR=$(CH_ADDR) ./scripts/bench-ingest.sh

fuzz:
	./scripts/fuzz-all.sh 20s

clickhouse-start:
	deploy/clickhouse-local.sh start

clickhouse-stop:
	deploy/clickhouse-local.sh stop

clean:
	rm -rf bin .local/demo
