# bash completion for benchai: commands, flags, flag values, suite names and
# run ids of the store. The candidates come from the binary itself
# (`benchai __complete WORD...`, generated from its option tables), so this
# file never lists a flag. Installed by `make install` into
# PREFIX/share/bash-completion/completions/benchai.

_benchai() {
    local cur="${COMP_WORDS[COMP_CWORD]}" line words cand directive=""
    # Split the line ourselves: bash breaks words at '=' and ':' (COMP_WORDBREAKS),
    # benchai wants "--store=x" and "tag:NAME" whole.
    line="${COMP_LINE:0:COMP_POINT}"
    read -ra words <<< "$line"
    [[ "$line" == *[[:space:]] || ${#words[@]} -eq 0 ]] && words+=("")
    local whole="${words[${#words[@]}-1]}"
    COMPREPLY=()
    while IFS= read -r cand; do
        case "$cand" in
            __files__|__dirs__) directive="$cand" ;;
            *) COMPREPLY+=("$cand") ;;
        esac
    done < <("${words[0]}" __complete "${words[@]:1}" 2>/dev/null)
    # bash replaces only the part after the last '=' or ':' of the word
    local pre="${whole%"${whole##*[=:]}"}"
    if [[ -n "$pre" && "$cur" != "$whole" ]]; then
        COMPREPLY=("${COMPREPLY[@]#"$pre"}")
    fi
    case "$directive" in
        __files__) compopt -o filenames 2>/dev/null
                   COMPREPLY+=($(compgen -f -- "${whole#"$pre"}")) ;;
        __dirs__)  compopt -o filenames 2>/dev/null
                   COMPREPLY+=($(compgen -d -- "${whole#"$pre"}")) ;;
    esac
}
complete -F _benchai benchai
