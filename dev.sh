#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# vdcsim's set-up in one place: install the Debian packages that are missing,
# build, then run the default experiment (./dev.sh run [ARGS...]) or the whole
# test suite, once in a normal build (with the MPI runner, so also Open MPI)
# and once under ASan+UBSan without MPI (./dev.sh test).
set -euo pipefail
cd "$(dirname "$0")"

packages=(gcc pkg-config meson ninja-build libgsl-dev libsqlite3-dev
          libyaml-dev libcriterion-dev gnuplot-nox sqlite3 time
          zlib1g-dev)
# Only for ./dev.sh test: the MPI runner (vdcsim run --mpi) and its suite.
test_packages=(libopenmpi-dev openmpi-bin)

install_missing() {
    local missing=() p
    for p in "${packages[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "dev.sh: installing missing packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# build DIR [MESON SETUP OPTIONS...]: configure once (a directory configured
# before, e.g. by ./dev.sh run, takes the options now), then compile.
build() {
    local dir=$1
    shift
    if [ -f "$dir/build.ninja" ]; then
        [ $# -eq 0 ] || meson configure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" --werror "$@" >/dev/null
    fi
    meson compile -C "$dir"
}

# build_vdcsim: only the command (and the libraries it links), not the tests
# and benchmarks, for `./dev.sh run`.
build_vdcsim() {
    [ -f build/build.ninja ] || meson setup build --werror >/dev/null
    meson compile -C build cli/vdcsim
}

# run_tests DIR LABEL: run every suite, remember the counts for the summary.
passed=0
failed=0
run_tests() {
    local dir=$1 label=$2 log rc=0
    log=$(mktemp)
    echo "dev.sh: tests ($label)"
    meson test -C "$dir" --print-errorlogs --num-processes 2 2>&1 | tee "$log" || rc=1
    passed=$((passed + $(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -n1)))
    failed=$((failed + $(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$log" | tail -n1)))
    rm -f "$log"
    return $rc
}

case "${1:-}" in
run)
    shift
    install_missing
    build_vdcsim
    exec ./build/cli/vdcsim run "$@"
    ;;
test)
    install_missing "${test_packages[@]}"
    build build -Dmpi=enabled
    rc=0
    run_tests build "release build, warnings as errors" || rc=1
    # GCC's flow warnings (array bounds, format overflow, ...) give false
    # positives on sanitizer-instrumented code, so the sanitizer build leaves
    # those to the release build, which keeps every warning as an error.
    build build-san -Db_sanitize=address,undefined -Db_lundef=false \
        "-Dc_args=-Wno-array-bounds -Wno-format-overflow -Wno-format-truncation -Wno-stringop-overflow -Wno-stringop-overread -Wno-maybe-uninitialized"
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        run_tests build-san "ASan + UBSan" || rc=1
    echo "tests: $passed passed, $failed failed"
    exit $rc
    ;;
*)
    echo "usage: ./dev.sh run [vdcsim run ARGS...] | ./dev.sh test" >&2
    exit 2
    ;;
esac
