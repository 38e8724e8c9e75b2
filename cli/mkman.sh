#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mkman.sh VDCSIM: prints the manual page vdcsim(1) in roff, built from the
# help texts of the command and of each subcommand and from `vdcsim params`,
# so the page and --help never disagree. meson runs it at build time.
set -euo pipefail
vdcsim=$1
export VDCSIM_MALLOC_TUNED=1 # no re-execution needed to print help

# roff-safe text: backslashes doubled, a leading dot or quote escaped.
esc() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }
# A help text as a preformatted block.
block() { printf '.nf\n'; esc; printf '.fi\n'; }

version=$("$vdcsim" --version | sed 's/^vdcsim //')
commands=$("$vdcsim" --help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | grep -v '^help$')

cat <<EOF
.TH VDCSIM 1 "" "vdcsim $version" "vdcsim manual"
.SH NAME
vdcsim \\- deterministic discrete-event simulator of a virtualized datacenter
.SH SYNOPSIS
.B vdcsim
.I COMMAND
.RI [ ARGS ]
.SH DESCRIPTION
EOF
"$vdcsim" --help | sed '1,/^$/d' | block
printf '.SH COMMANDS\n'
for c in $commands; do
    printf '.SS %s\n' "$c"
    "$vdcsim" "$c" --help | block
done
cat <<'EOF'
.SH PARAMETERS
Every configuration parameter, as
.B vdcsim params
prints it: path, type, default, range and meaning.
EOF
"$vdcsim" params | block
cat <<'EOF'
.SH FILES
.TP
.I results/NAME/
a run's output: results.sqlite, one CSV per table, config.yaml and the
plots; NAME.partial while the run is going on.
.TP
.I configs/, plots/
example experiments and the gnuplot scripts, installed under the data
folder of vdcsim.
.SH SEE ALSO
.BR gnuplot (1),
.BR sqlite3 (1).
The project's README and docs/ folder describe the models, the results
schema and the published sources.
EOF
