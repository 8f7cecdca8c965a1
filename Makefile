# bonsign: common tasks. `make help` lists them.
GO ?= go
ARGS ?=

.PHONY: help deps deps-run run demo-reset build test vet fmt server screenshots clean

help:
	@echo "make run [ARGS=...]  run the desktop app in demo mode (LANG defaults to ko_KR.UTF-8)"
	@echo "make demo-reset      run the demo with fresh demo data (-demo -reset)"
	@echo "make test            install test packages, go vet, go test with a throwaway PostgreSQL (what .ci/run does)"
	@echo "make build           build the desktop app into bin/bonsign"
	@echo "make server          build the issuance server (no cgo) into bin/bonsign-server"
	@echo "make screenshots     screenshots of the demo under Xvfb into docs/screenshots/"
	@echo "make deps            install missing Debian packages (test profile; SKIP_DEPS=1 skips)"
	@echo "make fmt | vet | clean"

deps:
	bash scripts/deps.sh test

deps-run:
	bash scripts/deps.sh run

run: deps-run
	LANG=$${LANG:-ko_KR.UTF-8} $(GO) run . -demo $(ARGS)

demo-reset: deps-run
	LANG=$${LANG:-ko_KR.UTF-8} $(GO) run . -demo -reset

build: deps-run
	$(GO) build -o bin/bonsign .

test: deps
	GO=$(GO) bash scripts/test.sh

vet:
	$(GO) vet ./...

fmt:
	gofmt -l -w .

server:
	CGO_ENABLED=0 $(GO) build -o bin/bonsign-server ./client/server/cmd/bonsign-server

screenshots:
	bash scripts/deps.sh screenshots
	bash scripts/screenshots.sh

clean:
	rm -rf bin
