#!/usr/bin/env bash
# Installs everything Conflict Lab needs to build, test and benchmark, from
# Debian's packages only. Idempotent: a second run installs nothing and does
# not touch the network. Used by scripts/demo.sh, scripts/test.sh and .ci/run.
set -euo pipefail

packages=(
    build-essential cmake ninja-build ccache pkg-config
    libboost1.81-dev          # Beast/Asio (header-only, compiled once in common/net)
    nlohmann-json3-dev        # JSON, merge patch (RFC 7396), JSON patch (RFC 6902)
    libcli11-dev              # command-line parsing
    libssl-dev                # TLS for the mock server and the engine's HTTPS driver
    libsqlite3-dev            # outcome log, service intake
    libjemalloc-dev           # malloc of every program (cmake/Allocator.cmake)
    libhiredis-dev            # Redis client for serve --queue redis:// (docs/scale-out.md)
    redis-server              # the scale-out queue; started by scenarios/tests/scaleout
    libgtest-dev libgmock-dev # unit tests
    libbenchmark-dev          # Google Benchmark programs
    python3 python3-pytest    # end-to-end scenario suites (Debian's python, not pyenv)
    wrk                       # HTTP load generator for the benchmark scripts
    openssl                   # generates throwaway TLS certificates in tests
    clang-format
    clang libclang-rt-14-dev  # libFuzzer targets (scripts/fuzz.sh): clang 14 and its fuzzer/sanitizer runtimes
    chromium                  # headless browser test of the HTML report (scenarios/tests/reports)
    libxml2-utils             # xmllint: JUnit XML validated against the JUnit schema
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#packages[@]} packages already installed"
    exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
