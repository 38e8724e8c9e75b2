# SPDX-License-Identifier: MIT
# Helpers for the end-to-end tests of the vdcsim command. Each check prints
# "ok NAME" or "FAIL NAME: why"; finish prints the counts and sets the status.
set -u
: "${VDCSIM:?set VDCSIM to the vdcsim executable}"
: "${VDCSIM_TEST_SRCDIR:?set VDCSIM_TEST_SRCDIR to tests/}"
npass=0
nfail=0
work=$(mktemp -d /tmp/vdcsim-cli-XXXXXX)
trap 'rm -rf "$work"' EXIT

pass() { npass=$((npass + 1)); echo "ok $1"; }
fail() { nfail=$((nfail + 1)); echo "FAIL $1: $2"; }
# near GOT WANT TOL: true when |GOT / WANT - 1| <= TOL (numbers as text).
near() { awk -v g="$1" -v p="$2" -v t="$3" 'BEGIN { d = g / p - 1; if (d < 0) d = -d; exit !(d <= t) }'; }
# expect_near NAME GOT PAPER TOL WHAT: passes if GOT is within TOL
# (a fraction) of the published PAPER; an empty GOT fails.
expect_near() {
    if [ -n "$2" ] && near "$2" "$3" "$4"; then
        pass "$1"
    else
        fail "$1" "$5: vdcsim ${2:-none}, paper $3 (more than $(awk -v t="$4" 'BEGIN { print 100 * t }') % apart)"
    fi
}

# check NAME CONDITION-COMMAND...: passes if the command succeeds.
check() {
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name" "'$*' was false"; fi
}

# wait_until COMMAND...: polls COMMAND every 0.05 s until it succeeds,
# for at most 20 s (a bound for loaded machines, not a measurement);
# false if it never did.
wait_until() {
    local _
    for _ in $(seq 1 400); do
        "$@" && return 0
        sleep 0.05
    done
    return 1
}
# runs_as PID ARGS: true if process PID is running (not a zombie) with the
# command line ARGS. Tests check their own processes by pid: pgrep sees
# every process on the machine, including another checkout's suite.
runs_as() {
    [ -n "$1" ] && [ "$(ps -o args= -p "$1" 2>/dev/null)" = "$2" ]
}
# gone PID ARGS: not runs_as.
gone() { ! runs_as "$@"; }

finish() {
    echo "$npass passed, $nfail failed"
    [ "$nfail" -eq 0 ]
}
