#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# insn suite: `vdcsim trace-gen insn` end to end: determinism, the dump,
# YAML mappings and --set, refusals with exit status 2 and nothing written,
# and a corrupted trace reported at its byte offset.
. "$VDCSIM_TEST_SRCDIR/cli/lib.sh"
cd "$work" || exit 1

# expect_usage NAME WANT ARGS...: exit status 2 and WANT in stderr.
expect_usage() {
    local name=$1 want=$2
    shift 2
    "$VDCSIM" "$@" >out.txt 2>err.txt
    local st=$?
    if [ "$st" -ne 2 ]; then
        fail "$name" "exit status $st, expected 2"
    elif ! grep -qF -- "$want" err.txt; then
        fail "$name" "stderr lacks '$want': $(cat err.txt)"
    else
        pass "$name"
    fi
}

"$VDCSIM" trace-gen insn lmbench-fork -n 200000 --seed 1 -o a.vit >out.txt
check generates_a_trace test -s a.vit
check reports_its_size grep -q '^a.vit: lmbench-fork, [0-9]* instructions' out.txt
"$VDCSIM" trace-gen insn lmbench-fork -n 200000 --seed 1 -o b.vit >/dev/null
check same_seed_same_bytes cmp -s a.vit b.vit
"$VDCSIM" trace-gen insn lmbench-fork -n 200000 --seed 2 -o c.vit >/dev/null
check other_seed_writes_a_trace [ -s c.vit ]
check other_seed_other_bytes bash -c '! cmp -s a.vit c.vit'

"$VDCSIM" trace-gen insn --dump a.vit >dump.txt
n=$(sed -n 's/^# \([0-9]*\) instructions.*/\1/p' dump.txt)
check dump_prints_every_instruction test "$(($(wc -l <dump.txt) - 1))" -eq "$n"
check count_completes_the_last_event test "$n" -ge 200000
check dump_names_ops grep -q '^[0-9]* PTE_WRITE arg=1 va=0x' dump.txt
check dump_ends_at_user_level test "$(tail -1 dump.txt | cut -d' ' -f2)" != SYSCALL
"$VDCSIM" trace-gen insn --dump a.vit -n 5 >head.txt
check dump_count_limits test "$(wc -l <head.txt)" -eq 6

"$VDCSIM" trace-gen insn --list >list.txt
check lists_the_catalog test "$(wc -l <list.txt)" -eq 36
check lists_forkwait grep -q '^forkwait ' list.txt

cat >s.yaml <<'Y'
preset: aa-syscall
taken: 30%
Y
"$VDCSIM" trace-gen insn s.yaml -n 1000 --set seq_access=10% >/dev/null
check yaml_mapping_names_the_output test -s s.vit
"$VDCSIM" trace-gen insn s.yaml -n 1000 --set taken=30% -o t.vit >/dev/null
"$VDCSIM" trace-gen insn s.yaml -n 1000 -o u.vit >/dev/null
check set_equal_to_the_file_is_the_same cmp -s t.vit u.vit

expect_usage unknown_preset_suggests "did you mean 'lmbench-fork'?" \
    trace-gen insn lmbench-frk -o x.vit
expect_usage neither_preset_nor_file "is neither a preset nor a file" \
    trace-gen insn zzzzzzzzzzzz -o x.vit
expect_usage bad_set_value "--set:1:7: workloads[].stream.forks: -1 is out of range" \
    trace-gen insn forkwait --set forks=-1 -o x.vit
expect_usage unknown_set_key "unknown key" \
    trace-gen insn forkwait --set forkz=1 -o x.vit
expect_usage impossible_stream "events take" \
    trace-gen insn spec-cint --set syscalls=10 --set syscall_insns=1000 -o x.vit
expect_usage bad_count "--count 'lots'" trace-gen insn forkwait -n lots -o x.vit
expect_usage two_specs "expected one PRESET" trace-gen insn forkwait aa-in
expect_usage unknown_option "unknown option" trace-gen insn forkwait --frobnicate
check nothing_written_on_refusal test ! -e x.vit
expect_usage exists_without_force "already exists" \
    trace-gen insn lmbench-fork -n 10 -o a.vit
check existing_file_kept cmp -s a.vit b.vit
"$VDCSIM" trace-gen insn lmbench-fork -n 10 -o a.vit --force >/dev/null
check force_writes_the_file [ -s a.vit ]
check force_replaces bash -c '! cmp -s a.vit b.vit'

# A flipped byte in the body: the dump reports its offset.
cp b.vit bad.vit
printf '\x0e' | dd of=bad.vit bs=1 seek=40 conv=notrunc 2>/dev/null
expect_usage corrupt_trace_has_an_offset "bad.vit:40: instruction" \
    trace-gen insn --dump bad.vit
head -c 20 b.vit >short.vit
expect_usage short_trace "short.vit:20: file ends inside the header" \
    trace-gen insn --dump short.vit

finish
