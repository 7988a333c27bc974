# bash completion for refgraph
_refgraph() {
    local cur prev cmd
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    cmd=${COMP_WORDS[1]}
    local commands="info stats cycles leaks chain by-type count diff top dominators report story show-refs show-backrefs help"
    local draw="--output -o --format --layout --max-depth --max-nodes --too-many --type --skip-type --label --skip-label --ignore --highlight --stop --refcounts --extra-info --cluster-cycles --no-legend"
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi
    case $prev in
        --format) COMPREPLY=($(compgen -W "dot png svg pdf" -- "$cur")); return ;;
        --layout) COMPREPLY=($(compgen -W "dot sfdp neato fdp circo twopi" -- "$cur")); return ;;
        --sort) COMPREPLY=($(compgen -W "count size retained" -- "$cur")); return ;;
        --extra-info) COMPREPLY=($(compgen -W "id size refcount gen referrers references flags" -- "$cur")); return ;;
        -o|--output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
    if [[ $cur == -* ]]; then
        local opts
        case $cmd in
            info) opts="--json --lenient" ;;
            stats) opts="--limit --sort --retained --json" ;;
            cycles) opts="--unreachable --min-size --limit --json $draw" ;;
            leaks) opts="--check --limit --json" ;;
            chain) opts="--json --to $draw" ;;
            by-type) opts="--limit --json" ;;
            count) opts="--json" ;;
            diff) opts="--limit --json $draw" ;;
            top) opts="--limit --json --no-chains" ;;
            dominators) opts="--limit --json" ;;
            report) opts="--output -o --limit" ;;
            story) opts="--output -o --title --max-nodes" ;;
            show-refs|show-backrefs) opts="--json --retained $draw" ;;
        esac
        COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
        return
    fi
    if [ "$cmd" = help ]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -X '!*.@(jsonl|jsonl.gz|gz)' -- "$cur") $(compgen -d -- "$cur"))
}
complete -o filenames -F _refgraph refgraph
