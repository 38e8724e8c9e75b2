#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs suite: the project explains itself. Every YAML block of the
# Markdown files validates and runs as written (the traces it names made
# first with `vdcsim trace-gen`, as its comments say), and no file cites a
# relative path that leaves the repository.
. "$(dirname "$0")/lib.sh"
root=$(cd "$VDCSIM_SOURCE_DIR" && pwd -P)
cd "$root"

# The project's files: tracked ones in a git checkout, else the tree
# without build folders.
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    mapfile -t files < <(git -C "$root" ls-files)
else
    mapfile -t files < <(find . -type f ! -path './build*' ! -path './.git/*' | sed 's|^\./||')
fi
check found_the_project_files [ "${#files[@]}" -gt 50 ]

# 1. YAML blocks of the Markdown files, each into its own folder.
nblocks=0
for md in "${files[@]}"; do
    case $md in *.md) ;; *) continue ;; esac
    awk -v dir="$work/blocks" -v stem="$(echo "$md" | tr '/.' '__')" '
        /^```yaml[[:space:]]*$/ { n++; out = sprintf("%s/%s_%d.yaml", dir, stem, n); inb = 1; next }
        /^```/ && inb { inb = 0; close(out); next }
        inb { print > out }
    ' < <(mkdir -p "$work/blocks"; cat "$md")
done
for y in "$work"/blocks/*.yaml; do
    [ -e "$y" ] || continue
    nblocks=$((nblocks + 1))
    name=$(basename "$y" .yaml)
    d="$work/run-$name"
    mkdir -p "$d"
    cp "$y" "$d/config.yaml"
    # Traces a block replays (traces/NAME.pdt): made as its comment says.
    for t in $(grep -oE 'trace: *traces/[A-Za-z0-9_-]+\.pdt' "$y" | sed 's/.*traces\///; s/\.pdt$//'); do
        mkdir -p "$d/traces"
        "$VDCSIM" trace-gen "$t" -o "$d/traces/$t.pdt" >/dev/null 2>&1 ||
            fail "${name}_trace_$t" "vdcsim trace-gen $t failed"
    done
    # Plot scripts a block names (results.plot_scripts): docs/examples/.
    for g in $(grep -oE 'plot_scripts: *\[[^]]*\]' "$y" | grep -oE '[A-Za-z0-9_]+\.gp'); do
        cp "$root/docs/examples/$g" "$d/$g" || fail "${name}_plot_script_$g" "docs/examples/$g is missing"
    done
    rc=0
    "$VDCSIM" validate "$d/config.yaml" >"$d/out.txt" 2>&1 || rc=$?
    check "${name}_validates" [ $rc -eq 0 ]
    check "${name}_validates_without_warnings" bash -c "! grep -q 'warning' '$d/out.txt'"
    rc=0
    "$VDCSIM" run "$d/config.yaml" -o "$d/results" -j 2 --no-plots >"$d/run.txt" 2>&1 || rc=$?
    check "${name}_runs_as_written" [ $rc -eq 0 ]
    [ $rc -eq 0 ] || cat "$d/run.txt" >&2
done
check found_the_readme_example [ "$nblocks" -ge 1 ]

# 2. No relative path leaves the repository: every "../..." that starts a
# word (after a space, quote, backquote or parenthesis) is resolved from its
# file's folder and must name a file inside. (Paths built at run time, such as
# "%s/../share", do not start a word.)
# leaving ROOT FILE: prints "FILE:LINE: PATH" for each such path of FILE (a
# path relative to the current folder) that resolves outside ROOT or to
# nothing.
leaving() {
    local top=$1 f=$2 hit line p target
    while IFS= read -r hit; do
        line=${hit%%:*}
        p=${hit#*:}
        # Punctuation after a path in prose is not part of it.
        while [[ $p == *[.,\;:] ]]; do p=${p%?}; done
        target=$(realpath -m "$(dirname "$f")/$p")
        case $target in
        "$top"/*) [ -e "$target" ] || echo "$f:$line: $p (no such file)" ;;
        *) echo "$f:$line: $p" ;;
        esac
    done < <(grep -noP "(?<![^\s\`'\"(])(\.\./)+[A-Za-z0-9_][^\s\`'\")]*" "$f" 2>/dev/null)
}
: >"$work/leaving.txt"
for f in "${files[@]}"; do
    [ -f "$f" ] || continue
    grep -Iq . "$f" 2>/dev/null || continue # binary or empty
    leaving "$root" "$f" >>"$work/leaving.txt"
done
[ -s "$work/leaving.txt" ] && cat "$work/leaving.txt" >&2
check no_path_leaves_the_repository [ ! -s "$work/leaving.txt" ]
# The check finds the paths that climb past the root (two levels up from
# docs/) or name nothing (a missing sibling folder), and none of those that
# name a file inside. ($up keeps this file free of such paths itself.)
up=..
md=.md
mkdir -p "$work/probe/docs"
printf 'see `%s/%s/shared/DESIGN%s`, and not %s/docs/b%s\n' $up $up $md $up $md >"$work/probe/docs/a.md"
printf 'see %s/docs/a%s, (%s/shared/x) and `%s/%s/x`\n' $up $md $up $up $up >"$work/probe/docs/b.md"
probe=$(cd "$work/probe" && pwd -P)
check the_path_check_finds_them \
    [ "$(cd "$probe" && { leaving "$probe" docs/a.md; leaving "$probe" docs/b.md; } | wc -l)" -eq 3 ]

# 3. No file names a Markdown document the project does not have (a
# citation such as "the design notes, DESIGN$md" or "reference migration$md
# section 1" points at reading material outside the repository). Every
# NAME.md a tracked file mentions must be a tracked file: its path from the
# root or from the mentioning file's folder, or the name of one.
declare -A known=()
for f in "${files[@]}"; do
    case $f in *.md) known[$f]=1; known[${f##*/}]=1 ;; esac
done
unknown_md() {
    local f=$1 hit line n
    while IFS= read -r hit; do
        line=${hit%%:*}
        n=${hit#*:}
        n=${n#./}
        [ -n "${known[$n]:-}" ] && continue
        [ -e "$(dirname "$f")/$n" ] && continue
        echo "$f:$line: $n (not a file of the project)"
    done < <(grep -noP "(?<![A-Za-z0-9_./-])[A-Za-z0-9_][A-Za-z0-9_./-]*\\.md\\b" "$f" 2>/dev/null)
}
: >"$work/unknown_md.txt"
for f in "${files[@]}"; do
    [ -f "$f" ] || continue
    [ "$f" = tests/cli/docs.sh ] && continue # its probes name made-up files
    grep -Iq . "$f" 2>/dev/null || continue
    unknown_md "$f" >>"$work/unknown_md.txt"
done
[ -s "$work/unknown_md.txt" ] && cat "$work/unknown_md.txt" >&2
check every_markdown_name_is_a_project_file [ ! -s "$work/unknown_md.txt" ]
printf 'as DESIGN%s says (reference/migration%s); see README%s\n' $md $md $md >"$work/probe/docs/c.md"
check the_markdown_name_check_finds_them \
    [ "$(cd "$probe" && unknown_md docs/c.md | wc -l)" -eq 2 ]

finish
