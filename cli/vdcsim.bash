# SPDX-License-Identifier: MIT
# bash completion for vdcsim: commands, each command's options, parameter
# paths after --set, configs, traces and results folders. Everything is
# read from the installed vdcsim itself (its --help texts and `vdcsim
# params`), so completion follows the version at hand.

# _vdcsim_paths VDCSIM: every parameter path, vms[] written as vms.0.
_vdcsim_paths() {
    VDCSIM_MALLOC_TUNED=1 "$1" params 2>/dev/null | awk '
        /^[^ ].*: / && !/^parameter/ {
            sec = $0; sub(/: .*/, "", sec)
            if (sec == "(top level)") sec = ""
            gsub(/\[\]/, ".0", sec)
            next
        }
        /^  [a-z_]+ / { print (sec == "" ? "" : sec ".") $1 }'
}

_vdcsim() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local vdcsim=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]:-}
    local commands
    commands=$(VDCSIM_MALLOC_TUNED=1 "$vdcsim" --help 2>/dev/null |
        sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        mapfile -t COMPREPLY < <(compgen -W "$commands --help --version" -- "$cur")
        return
    fi
    if [ "$cmd" = help ]; then
        [ "$COMP_CWORD" -eq 2 ] &&
            mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
        return
    fi
    case $prev in
    --set)
        mapfile -t COMPREPLY < <(compgen -W "$(_vdcsim_paths "$vdcsim" | sed 's/$/=/')" -- "$cur")
        compopt -o nospace 2>/dev/null
        return ;;
    -o | --output | --resume)
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        return ;;
    --mechanism)
        mapfile -t COMPREPLY < <(compgen -W "auto uffd mprotect" -- "$cur")
        return ;;
    -p | --param | --memory | --interval | --op-time | --ramp | --burst-every | --burst-length | --burst-factor | --checkpoint-every)
        return ;;
    -j | --jobs | --seed | -n | --bandwidth | --iterations | --step | --bins | --duration)
        return ;;
    esac
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(VDCSIM_MALLOC_TUNED=1 "$vdcsim" "$cmd" --help 2>/dev/null |
            grep -oE -- '(^|[ ,[])--?[A-Za-z][A-Za-z-]*' | sed 's/^[ ,[]//' | sort -u)" -- "$cur")
        return
    fi
    case $cmd in
    run | validate)
        mapfile -t COMPREPLY < <(compgen -f -X '!*.@(yaml|yml)' -- "$cur"; compgen -d -- "$cur") ;;
    plot)
        # After the results folder: the names of its plots (plot --list).
        local dir="" w
        for w in "${COMP_WORDS[@]:2:COMP_CWORD-2}"; do
            [[ $w == -* ]] || { dir=$w; break; }
        done
        if [ -n "$dir" ] && [ -d "$dir" ]; then
            mapfile -t COMPREPLY < <(compgen -W "$(VDCSIM_MALLOC_TUNED=1 "$vdcsim" plot "$dir" --list 2>/dev/null |
                sed -n 's/^\([a-z][a-z0-9_-]*\) .*/\1/p')" -- "$cur")
        else
            mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        fi ;;
    compare | merge)
        mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    trace-record)
        mapfile -t COMPREPLY < <(compgen -W "$(VDCSIM_MALLOC_TUNED=1 "$vdcsim" trace-record --list 2>/dev/null |
            sed -n 's/^\([a-z][a-z0-9_-]*\): .*/\1/p')" -- "$cur") ;;
    *)
        mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    esac
}
complete -F _vdcsim vdcsim
