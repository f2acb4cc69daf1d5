# make test runs every check and test (installing PostgreSQL for the store
# tests when needed); make demo builds and runs the demo; make dist builds the
# release archives and their SHA256SUMS into dist/ (scripts/dist.sh).
.PHONY: build test demo bench fuzz dist

build:
	go build -o dudao ./cmd/dudao

test:
	scripts/test.sh

dist:
	scripts/dist.sh

demo: build
	./dudao demo

bench:
	go test -run '^$$' -bench . -benchmem ./internal/...
