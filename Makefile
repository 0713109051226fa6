# memestream — build, test, demo and benchmark entry points.
#
# Every target that builds first runs `deps`, which installs the Debian packages the build
# needs when they are missing (as root, or through sudo).

SWIFT ?= swift
DEB_PACKAGES := librdkafka-dev libzstd-dev libxxhash-dev pkg-config zstd kcat
BIN := .build/release/memestream
# Extra options for `make demo`, for example DEMO_ARGS="--duration 30 --seed 7".
DEMO_ARGS ?=

.PHONY: all deps build release test demo bench format lint real-data real-data-demo clean

all: build

deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "make: installing missing Debian packages:$$missing"; \
		if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product memestream

# A hung test fails the run after TEST_TIMEOUT instead of holding CI until its own limit.
TEST_TIMEOUT ?= 30m

test: deps
	$(SWIFT) build --build-tests
	timeout --kill-after=30s $(TEST_TIMEOUT) $(SWIFT) test --skip-build

demo: release
	$(BIN) demo $(DEMO_ARGS)

bench: release
	./scripts/bench.sh

real-data: release
	./scripts/real-data.sh

real-data-demo: release
	./scripts/real-data-demo.sh

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests

lint:
	$(SWIFT) format lint --recursive Package.swift Sources Tests

clean:
	rm -rf .build
