# Everyday commands. The README's two commands need no make: go run ./cmd/canvass demo, go test ./...
GO ?= go
FUZZTIME ?= 60s

.PHONY: test demo bench fuzz vet perf screenshots load
test:
	$(GO) test ./...

demo:
	$(GO) run ./cmd/canvass demo

vet:
	$(GO) vet ./...
	gofmt -l . | (! grep .)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Long fuzzing, one target at a time (go test runs only the seed corpus).
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

# The end-to-end figure of docs/PERFORMANCE.md: 1,000,000 synthetic Dominion ballots.
perf:
	$(GO) build -o /tmp/canvass ./cmd/canvass
	/tmp/canvass gen dominion --ballots 1000000 --contests 5 /tmp/canvass-dominion-1m
	/usr/bin/time -v /tmp/canvass tabulate --cvr /tmp/canvass-dominion-1m > /dev/null

# PNGs of the web application's pages in docs/screenshots, at a phone's width and a desktop's,
# taken by the browser tests (web/e2e) in Debian's chromium on the demo election.
screenshots:
	mkdir -p docs/screenshots
	rm -f docs/screenshots/*.png
	$(GO) test -count=1 -run 'TestResultsDrillDown|TestUploadErrorReport|TestAuditBoardRecordsAndRiskUpdates|TestPages' ./web/e2e -args -screenshots $(CURDIR)/docs/screenshots

# The load test of docs/PERFORMANCE.md: 200 public readers and 50 audit boards at once for
# LOADTIME, on SQLite and on PostgreSQL (go test ./... runs a 3-second version).
LOADTIME ?= 60s
load:
	CANVASS_LOAD=$(LOADTIME) $(GO) test -count=1 -v -timeout 30m -run '^TestLoad$$' ./internal/loadtest
