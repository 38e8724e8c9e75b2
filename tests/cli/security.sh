#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# security suite: hostile names and planted files against the whole
# pipeline. Paths reach gnuplot as data only (run, plot and wws into folder
# names with quotes, '<', '|', ';', backquotes, $(...), line breaks and
# unicode run nothing and draw every plot); CSV text reaches no shell or
# enhanced-text surprise; outputs never follow a planted link or replace a
# device, FIFO or directory; gnuplot has a time limit; -o out/ stages beside
# out; a full disk while plotting is said once and nothing is published.
. "$(dirname "$0")/lib.sh"
cd "$work"

# A canary that any executed "touch canary" would create, in every folder
# a shell started by gnuplot could have had as its working directory.
# Number of plots in folder $1 (whatever characters its name holds).
count_png() {
    local f=("$1"/*.png)
    [ -e "${f[0]}" ] && echo "${#f[@]}" || echo 0
}

no_canary() {
    [ -z "$(find "$work" -name canary -print -quit)" ] && [ ! -e /tmp/canary ]
}

cat >small.yaml <<'EOF'
experiment: {name: small, seed: 3, duration: 20s, sample_interval: 5s}
datacenter:
  racks: 1
  hosts_per_rack: 2
  host: {cpus: 4, memory: 4GiB, nic: 1Gbit/s}
vms:
  - {name: web, host: rack0/host0, memory: 256MiB,
     dirtying: {hot_set: 8MiB, hot_rate: 20000, cold_rate: 500}}
  - {name: db, memory: 256MiB}
migrations:
  - {vm: web, to: rack0/host1, at: 5s, scheme: precopy, max_rate: 500Mibit/s}
# Swept so that the three plots of a run fit: rounds (downtime curves),
# schemes (scheme plot) and placement policies (placement plot).
sweep:
  migrations.0.max_rounds: [1, 3]
  migrations.0.scheme: [precopy, stop-and-copy]
  datacenter.placement: [first-fit, worst-fit]
EOF
"$VDCSIM" trace-gen quake3 --duration 5s -o q.pdt >/dev/null

# 1. Hostile results folder names, through run, plot and wws. Every name a
# Linux file system takes must work, and nothing may run.
names=(
    '<touch canary;echo'
    "it's \"quoted\""
    'a;b|touch canary|c'
    '`touch canary`'
    '$(touch canary)'
    '|touch canary'
    $'two\nlines'
    'sp ace\ttab'
    'ünïcødé-名前'
    '-starts-with-dash'
)
i=0
for n in "${names[@]}"; do
    i=$((i + 1))
    rc=0
    "$VDCSIM" run small.yaml -o "./$n" >out.txt 2>err.txt || rc=$?
    if [ "$rc" -eq 0 ] && [ -f "$n/downtime_vs_iterations.png" ] &&
        [ -f "$n/migration_schemes.png" ] && [ -f "$n/placement.png" ] && no_canary; then
        pass "run_into_hostile_name_$i"
    else
        fail "run_into_hostile_name_$i" "status $rc: $(cat err.txt)"
    fi
    rm -f "$n"/*.png
    rc=0
    "$VDCSIM" plot "./$n" >out.txt 2>err.txt || rc=$?
    if [ "$rc" -eq 0 ] && [ "$(count_png "$n")" -eq 3 ] && no_canary; then
        pass "plot_hostile_name_$i"
    else
        fail "plot_hostile_name_$i" "status $rc: $(cat err.txt)"
    fi
    rc=0
    "$VDCSIM" wws q.pdt --step 500ms -o "$n-wws" >out.txt 2>err.txt || rc=$?
    if [ "$rc" -eq 0 ] && [ -f "$n-wws/wws.png" ] && [ -f "$n-wws/dirty_rate.png" ] &&
        [ -f "$n-wws/dirty_rate_hist.png" ] && no_canary; then
        pass "wws_into_hostile_name_$i"
    else
        fail "wws_into_hostile_name_$i" "status $rc: $(cat err.txt)"
    fi
done
# The success line names the folder escaped: no line break reaches stdout.
"$VDCSIM" plot $'two\nlines' >out.txt 2>&1
check success_line_escapes_the_folder grep -qx 'two\\nlines: 3 plots drawn' out.txt

# 2. CSV text cells are only data to gnuplot: a system() call, backquotes,
# a pipe and enhanced-text markup in every text column of the plotted
# tables run nothing and break no plot.
poison="system('touch canary') \`touch canary\` |touch canary @{/Symbol a}^{x}_{y}&{z} \\n"
cp -r "<touch canary;echo" poisoned
for t in migrations hosts; do
    # Through the environment: awk -v would turn the \n into a line
    # break, which no text cell can hold (names follow the name rule).
    P="\"$poison\"" awk 'BEGIN { FS = OFS = ","; p = ENVIRON["P"] }
        NR == 1 { for (i = 1; i <= NF; i++) text[i] = ($i ~ /^(vm|policy|fidelity|source|destination|host)$/); print; next }
        { for (i = 1; i <= NF; i++) if (text[i]) $i = p; print }' \
        "poisoned/$t.csv" >"poisoned/$t.tmp" && mv "poisoned/$t.tmp" "poisoned/$t.csv"
done
check csv_cells_were_poisoned grep -q 'touch canary' poisoned/migrations.csv
rm -f poisoned/*.png
rc=0
"$VDCSIM" plot poisoned >out.txt 2>err.txt || rc=$?
if [ "$rc" -eq 0 ] && [ "$(count_png poisoned)" -eq 3 ] && no_canary; then
    pass csv_text_is_never_evaluated_by_gnuplot
else
    fail csv_text_is_never_evaluated_by_gnuplot "status $rc: $(cat err.txt)"
fi

# 3. The plot scripts open fixed relative names and nothing else: no shell,
# no file name from outside, no label from the data.
gp=$VDCSIM_SOURCE_DIR/plots
check plot_scripts_found [ "$(ls "$gp"/*.gp 2>/dev/null | wc -l)" -ge 10 ]
check scripts_call_no_shell_or_other_file \
    bash -c "! grep -nE 'system|\`|^[[:space:]]*(load|call|cd|save|set print|set loadpath)|columnhead([^e]|$)|datadir|set output [^o]|\"<|'\''<|\"\\||'\''\\|' '$gp'/*.gp"
check scripts_open_only_dot_slash_csv \
    bash -c "[ -z \"\$(grep -hv '^#' '$gp'/*.gp | grep -oE \"'[^']*\\.csv'\" | grep -v \"^'\\./[a-z_]*\\.csv'\$\")\" ]"

# 4. Outputs never follow a planted link nor replace a non-regular file.
# expect_refused NAME WANT-IN-STDERR ARGS...: status 2 and the message.
expect_refused() {
    local name=$1 want=$2 rc=0
    shift 2
    "$VDCSIM" "$@" >out.txt 2>err.txt || rc=$?
    if [ "$rc" -eq 2 ] && grep -qF -- "$want" err.txt; then
        pass "$name"
    else
        fail "$name" "status $rc: $(cat err.txt)"
    fi
}
# "-o /dev/null" as root used to replace /dev/null with a regular file. The
# test uses a device node of its own, the same null device made with mknod,
# so that a regression cannot break the machine it runs on.
if mknod "$work/devnull" c 1 3 2>/dev/null; then
    expect_refused trace_gen_refuses_a_device "devnull: is a device (refusing to write there" \
        trace-gen quake3 --duration 1s -o devnull
    check device_is_still_a_device [ -c devnull ]
else
    echo "# no mknod: /dev/null itself is checked read-only"
    expect_refused trace_gen_refuses_a_device "/dev/null: is a device (refusing to write there" \
        trace-gen quake3 --duration 1s -o /dev/null
fi
check dev_null_is_still_a_device [ -c /dev/null ]
mkfifo fifo
expect_refused trace_gen_refuses_a_fifo "fifo: is a FIFO" trace-gen quake3 --duration 1s -o fifo
check fifo_is_still_a_fifo [ -p fifo ]
mkdir adir
expect_refused trace_gen_refuses_a_directory "adir: is a directory" \
    trace-gen quake3 --duration 1s -o adir
echo keep >victim
ln -s victim link.pdt
expect_refused trace_gen_refuses_a_symlink "link.pdt: is a symbolic link" \
    trace-gen quake3 --duration 1s -o link.pdt
check symlinked_victim_is_untouched [ "$(cat victim)" = keep ]
check symlink_is_still_a_symlink [ -L link.pdt ]
# The old writer opened PATH.tmp, a name anyone could predict.
ln -s victim new.pdt.tmp
"$VDCSIM" trace-gen quake3 --duration 1s -o new.pdt >/dev/null 2>err.txt
check predictable_temporary_is_not_followed \
    bash -c '[ "$(cat victim)" = keep ] && [ -L new.pdt.tmp ] && head -1 new.pdt | grep -q "page-dirty trace"'
echo old >exists.pdt
expect_refused trace_gen_refuses_an_existing_file "exists.pdt: already exists (expected a new file name; --force replaces it)" \
    trace-gen quake3 --duration 1s -o exists.pdt
check existing_file_is_untouched [ "$(cat exists.pdt)" = old ]
"$VDCSIM" trace-gen quake3 --duration 1s -o exists.pdt --force >/dev/null 2>err.txt
check force_replaces_an_existing_file bash -c 'head -1 exists.pdt | grep -q "page-dirty trace"'
ln -sf victim link2.pdt
expect_refused force_never_replaces_a_symlink "link2.pdt: is a symbolic link" \
    trace-gen quake3 --duration 1s -o link2.pdt --force
mkdir all && echo old >all/quake3.pdt
expect_refused trace_gen_all_checks_every_file_first "all/quake3.pdt: already exists" \
    trace-gen all --duration 1s -o all
check trace_gen_all_wrote_nothing [ "$(ls all)" = quake3.pdt ]
# No temporary file is left anywhere after all this.
check no_temporaries_left [ -z "$(find "$work" -name '*.tmp' ! -name new.pdt.tmp -print -quit)" ]

# 5. gnuplot's time limit, with a fake gnuplot first on PATH that hangs.
# It writes its pid first: the check looks at this gnuplot, not at any
# "sleep 599" on the machine (another checkout's suite may be here).
mkdir fakebin
printf '#!/bin/sh\necho $$ >%s/fakebin/pid\necho working >&2\nexec sleep 599\n' "$work" >fakebin/gnuplot
chmod +x fakebin/gnuplot
rc=0
PATH="$work/fakebin:$PATH" VDCSIM_GNUPLOT_TIMEOUT=1s "$VDCSIM" plot poisoned >out.txt 2>err.txt || rc=$?
check hung_gnuplot_fails_the_plot [ "$rc" -eq 1 ]
check hung_gnuplot_message_names_script_and_limit \
    grep -qE '/plots/[a-z_]+\.gp: gnuplot did not finish within 1s and was killed' err.txt
# (No pid file: killed before it wrote one, so before it became sleep 599.)
check hung_gnuplot_is_gone gone "$(cat fakebin/pid 2>/dev/null)" "sleep 599"
rc=0
VDCSIM_GNUPLOT_TIMEOUT=soon "$VDCSIM" plot poisoned >out.txt 2>err.txt || rc=$?
check bad_timeout_is_a_usage_error [ "$rc" -eq 2 ]
check bad_timeout_message grep -q "VDCSIM_GNUPLOT_TIMEOUT='soon'" err.txt

# 6. -o with trailing slashes or ./ stages beside the folder, not inside.
for o in out1/ out2// ./out3; do
    rc=0
    "$VDCSIM" wws q.pdt --step 1s -o "$o" >out.txt 2>err.txt || rc=$?
    d=${o%%/}
    d=${d%%/}
    check "wws_output_${d#./}_is_complete" bash -c "[ $rc -eq 0 ] && [ -f '$d/wws.csv' ] && [ ! -e '$d/.partial' ] && [ ! -e '$d.partial' ]"
done
expect_refused wws_refuses_dot "expected a new directory name" wws q.pdt -o ./
# The same rules for run: "-o run1/" is the folder run1, "-o ." is refused,
# and run's success line names the folder escaped.
rc=0
"$VDCSIM" run small.yaml -o run1/ --no-plots >out.txt 2>err.txt || rc=$?
check run_output_trailing_slash_is_complete \
    bash -c "[ $rc -eq 0 ] && [ -f run1/results.sqlite ] && [ ! -e run1/.partial ] && [ ! -e run1.partial ]"
expect_refused run_refuses_dot "expected a new directory name" run small.yaml -o .
"$VDCSIM" run small.yaml -o $'run\nlines' --no-plots >out.txt 2>&1
check run_success_line_escapes_the_folder grep -q '^run\\nlines: 8 runs' out.txt

# 7. A full disk while plotting: one message that says so, and the results
# are not published. A small tmpfs is the disk; without the right to mount
# one, a private mount namespace; failing both, a file size limit (which
# shows as "File too large", not a full disk).
mkdir small
how=""
if mount -t tmpfs -o size=96k tmpfs small 2>/dev/null; then
    how=mount
elif unshare -m true 2>/dev/null; then
    how=unshare
fi
echo "# full-disk test uses: ${how:-ulimit -f}"
full_run() {
    case $how in
    mount) "$VDCSIM" wws q.pdt --step 500ms -o small/w ;;
    unshare) unshare -m bash -c 'mount -t tmpfs -o size=96k tmpfs small &&
        "$1" wws q.pdt --step 500ms -o small/w; rc=$?; ls -a small >small.ls; umount small; exit $rc' _ "$VDCSIM" ;;
    *) (trap '' XFSZ; ulimit -f 80; exec "$VDCSIM" wws q.pdt --step 500ms -o small/w) ;;
    esac
}
rc=0
full_run >out.txt 2>err.txt || rc=$?
[ "$how" = unshare ] || ls -a small >small.ls
check full_disk_fails [ "$rc" -eq 1 ]
if [ -n "$how" ]; then
    check full_disk_is_said_once [ "$(grep -c 'no space left on device (the disk is full)' err.txt)" -eq 1 ]
    check full_disk_blames_no_script bash -c '! grep -q "gnuplot failed\|\.gp:" err.txt'
    check full_disk_hit_a_plot grep -q '\.png: cannot write the plot: no space left on device' err.txt
else
    check full_file_limit_is_said grep -qi 'file too large' err.txt
fi
check full_disk_publishes_nothing bash -c '! grep -qx w small.ls && grep -qx w.partial small.ls'
[ "$how" = mount ] && umount small


# A config's own gnuplot script (results.plot_scripts) is audited before
# any run: each refused construct is named at its line and column, exit 2,
# nothing is written and gnuplot never runs (no canary).
cat >own.yaml <<'EOF'
experiment: {name: own, seed: 1, duration: 30s}
datacenter: {racks: 1, hosts_per_rack: 2, host: {cpus: 4, memory: 8GiB, nic: 10Gbit/s}}
vms:
  - {name: web, host: rack0/host0, vcpus: 1, memory: 1GiB, dirtying: {hot_set: 20MiB, hot_rate: 50000, cold_rate: 1000}}
migrations:
  - {vm: web, to: rack0/host1, at: 5s, scheme: precopy, policy: xen, max_rate: 1Gbit/s}
results: {plot_scripts: [evil.gp]}
EOF
own_case() {
    local name=$1 pos=$2 text=$3 rc=0
    rm -rf own_out own_out.partial
    printf "set title 'own'\n%s\nplot './migrations.csv' using 1:2\n" "$text" >evil.gp
    "$VDCSIM" run own.yaml -o own_out >own.out 2>own.err || rc=$?
    check "own_script_${name}_refused" [ "$rc" -eq 2 ]
    check "own_script_${name}_at_$pos" grep -q "evil.gp:$pos: " own.err
    check "own_script_${name}_never_runs" bash -c '[ ! -e own_out ] && [ ! -e own_out.partial ] && [ ! -e canary ]'
}
own_case system 2:5 "s = system('touch canary')"
own_case backquote 2:11 'set title `touch canary`'
own_case bang 2:1 '!touch canary'
own_case load 2:1 "load 'canary.gp'"
own_case load_abbrev 2:1 "l 'canary.gp'"
own_case call 2:1 "call 'canary.gp'"
own_case cd 2:1 "cd '/tmp'"
own_case save 2:1 "save 'canary'"
own_case set_print 2:5 "set print 'canary'"
own_case set_output 2:5 "set output 'canary'"
own_case set_table 2:5 "set table 'canary'"
own_case set_loadpath 2:5 "set loadpath '/tmp'"
own_case set_fontpath 2:5 "set fontpath '/tmp'"
own_case set_term 2:5 "set terminal png"
own_case set_term_abbrev 2:5 "set t png"
own_case pipe_lt 2:6 "plot '< touch canary' using 1:2"
own_case pipe_bar 2:6 "plot '| touch canary' using 1:2"
own_case datadir 2:6 "plot datadir.'/runs.csv' using 1:1"
own_case fit 2:1 "fit a*x './runs.csv' via a"
own_case print_to_file 2:7 "print > 'canary'"
own_case import 2:1 "import f(x) from 'canary.so'"
own_case plugin 2:1 "plugin 'canary.so'"
own_case macro 2:11 "set title @s"
own_case eval 2:1 "eval 'system(\"touch canary\")'"
own_case evaluate 2:1 "evaluate 'system(\"touch canary\")'"
own_case exit_status 2:1 "exit status 3"
own_case quit_status 2:1 "quit 3"
own_case shell 2:1 "shell"
own_case history 2:1 "history 'canary'"
own_case other_file 2:6 "plot '/etc/passwd' using 1:1"
own_case file_in_variable 2:24 "f = './runs.csv'; plot f using 1:1"
# A string expression in data source position builds a file name or a
# '<' pipe that no string of the text starts with: refused where it
# starts. Unaudited, gnuplot 5.4 runs the command of each case here
# with '<' (the '|' variant is the same string built the same way); the
# last two bind names a data source expression may use (a for variable,
# a built-in redefined), which is refused in any case.
own_case substring_pipe 2:7 'plot ("a<touch canary"[2:]) using 1:2'
own_case variable_substring_pipe 2:32 'f = "a|touch canary"[2:]; plot f using 1:2'
own_case concatenated_name 2:6 'plot "."."/x" using 1:2'
own_case file_then_concatenation 2:24 "plot './migrations.csv'[1:0].'a<touch canary'[2:] using 1:2"
own_case file_then_eq 2:25 "plot './migrations.csv' eq '' ? '' : 'a<touch canary'[2:] using 1:2"
own_case ternary_string 2:10 "plot 1 ? 'a<touch canary'[2:] : 0 using 1:2"
own_case ternary_variable 2:36 "f = 'a<touch canary'[2:]; plot 1 ? f : 0 using 1:2"
own_case sprintf_source 2:6 "plot sprintf('%s', 'a<touch canary'[2:]) using 1:2"
own_case iteration_string 2:11 "plot for [t in 'a<touch_canary'] t using 1:2"
own_case builtin_redefined 2:1 "sin(a) = 'a<touch canary'[2:]; plot sin(1) using 1:2"
own_case palette_file 2:18 "set palette file '< touch canary'"
rc=0
"$VDCSIM" validate own.yaml >own.out 2>own.err || rc=$?
check own_script_validate_refuses bash -c "[ $rc -eq 2 ] && grep -q 'evil.gp:2:18: ' own.err"
check own_script_no_canary no_canary

finish
