# make test runs every check and test (installing PostgreSQL for the store
# tests when needed); make demo builds and runs the demo.
.PHONY: build test demo bench fuzz

build:
	go build -o dudao ./cmd/dudao

test:
	scripts/test.sh

demo: build
	./dudao demo

bench:
	go test -run '^$$' -bench . -benchmem ./internal/...
