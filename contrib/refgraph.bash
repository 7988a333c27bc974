# bash completion for refgraph. Nothing is listed here: the commands, each
# command's options and an option's values come from the program itself
# (refgraph --completion-helper, generated from its command table), so the
# completion never falls behind it.
_refgraph() {
    local cur prev bin cmd words
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    bin=${COMP_WORDS[0]}
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        words=$("$bin" --completion-helper 2> /dev/null)
        COMPREPLY=($(compgen -W "$words help --help --version" -- "$cur"))
        return
    fi
    cmd=${COMP_WORDS[1]}
    if [ "$cmd" = help ]; then
        if [ "$COMP_CWORD" -eq 2 ]; then
            words=$("$bin" --completion-helper 2> /dev/null)
            COMPREPLY=($(compgen -W "$words" -- "$cur"))
        fi
        return
    fi
    # the value of an option: its placeholder first, then its choices if any
    if [[ $prev == -* ]] && words=$("$bin" --completion-helper "$cmd" "$prev" 2> /dev/null); then
        case ${words%%$'\n'*} in
            FILE*) COMPREPLY=($(compgen -f -- "$cur")) ;;
            *) COMPREPLY=($(compgen -W "$(printf '%s\n' "$words" | tail -n +2)" -- "$cur")) ;;
        esac
        return
    fi
    if [[ $cur == -* ]]; then
        words=$("$bin" --completion-helper "$cmd" 2> /dev/null)
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -X '!*.@(jsonl|jsonl.gz|gz)' -- "$cur") $(compgen -d -- "$cur"))
}
complete -o filenames -F _refgraph refgraph
