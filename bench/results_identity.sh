#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Differential check of an optimisation: runs each CONFIG with the vdcsim
# built before it and with the one built after, and compares the two
# results databases' `sqlite3 .dump` text byte for byte (every table,
# every row, every value) and every CSV file byte for byte (the same
# names on both sides). Same config + seed = same bytes, so any
# difference is a change of results.
#
#   bench/results_identity.sh BEFORE_VDCSIM AFTER_VDCSIM CONFIG...
#   bench/results_identity.sh --rev REV AFTER_VDCSIM CONFIG...
#   bench/results_identity.sh --rev-tree REV AFTER_VDCSIM CONFIG...
#
# With --rev, BEFORE is built from git revision REV in a temporary
# worktree (meson setup + compile of cli/vdcsim; a few minutes), and both
# sides run the CONFIGs given. With --rev-tree, the before side runs REV's
# copy of each CONFIG inside the repository, with the machine files and
# traces REV's tree holds, so that a changed machine file or config counts
# as a change too (a CONFIG REV lacks, or one outside the repository,
# runs as given). Prints one line per config; exits 0 when all are
# identical, 1 when any differs, 2 on bad usage or a failed run.
set -u
usage() {
	echo "usage: $0 BEFORE_VDCSIM AFTER_VDCSIM CONFIG... | $0 --rev REV AFTER_VDCSIM CONFIG... | $0 --rev-tree REV AFTER_VDCSIM CONFIG..." >&2
	exit 2
}
[ $# -ge 3 ] || usage
command -v sqlite3 >/dev/null || { echo "$0: needs the sqlite3 command" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/results_identity.XXXXXX")
wt=
cleanup() {
	if [ -n "$wt" ]; then git -C "$repo" worktree remove --force "$wt" >/dev/null 2>&1; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
tree=0
[ "$1" = "--rev-tree" ] && tree=1
if [ "$1" = "--rev" ] || [ $tree = 1 ]; then
	[ $# -ge 4 ] || usage
	rev=$2
	shift 2
	repo=$(cd "$(dirname "$0")/.." && pwd)
	wt=$tmp/before-src
	git -C "$repo" worktree add --detach "$wt" "$rev" >/dev/null 2>&1 ||
		{ echo "$0: cannot check out '$rev'" >&2; exit 2; }
	(meson setup "$wt/build" "$wt" >/dev/null && meson compile -C "$wt/build" cli/vdcsim >/dev/null) ||
		{ echo "$0: cannot build '$rev'" >&2; exit 2; }
	before=$wt/build/cli/vdcsim
else
	before=$1
	shift
fi
after=$1
shift
status=0
n=0
for cfg in "$@"; do
	n=$((n + 1))
	# REV's copy of the config, for --rev-tree.
	bcfg=$cfg
	if [ $tree = 1 ]; then
		abs=$(cd "$(dirname "$cfg")" 2>/dev/null && pwd)/$(basename "$cfg")
		case $abs in
		"$repo"/*) [ -f "$wt/${abs#"$repo"/}" ] && bcfg=$wt/${abs#"$repo"/} ;;
		esac
	fi
	for side in before after; do
		exe=$before
		run_cfg=$bcfg
		[ $side = after ] && exe=$after && run_cfg=$cfg
		out=$tmp/$side-$n
		if ! "$exe" run "$run_cfg" -o "$out" >"$tmp/$side-$n.log" 2>&1; then
			echo "$cfg: the $side run failed:" >&2
			head -5 "$tmp/$side-$n.log" >&2
			exit 2
		fi
		sqlite3 "$out/results.sqlite" .dump >"$tmp/$side-$n.sql"
	done
	csv_diff=
	(cd "$tmp/before-$n" && ls -1 -- *.csv 2>/dev/null) >"$tmp/before-$n.csvs"
	(cd "$tmp/after-$n" && ls -1 -- *.csv 2>/dev/null) >"$tmp/after-$n.csvs"
	if ! cmp -s "$tmp/before-$n.csvs" "$tmp/after-$n.csvs"; then
		csv_diff="the CSV files differ in name"
	else
		while read -r f; do
			if ! cmp -s "$tmp/before-$n/$f" "$tmp/after-$n/$f"; then
				csv_diff="$f differs"
				break
			fi
		done <"$tmp/after-$n.csvs"
	fi
	if cmp -s "$tmp/before-$n.sql" "$tmp/after-$n.sql" && [ -z "$csv_diff" ]; then
		echo "identical: $cfg ($(wc -l <"$tmp/after-$n.sql") dump lines, $(wc -l <"$tmp/after-$n.csvs") CSV files)"
	else
		echo "DIFFERS: $cfg${csv_diff:+ ($csv_diff)}"
		diff "$tmp/before-$n.sql" "$tmp/after-$n.sql" | head -10
		status=1
	fi
	rm -rf "$tmp/before-$n" "$tmp/after-$n"
done
exit $status
