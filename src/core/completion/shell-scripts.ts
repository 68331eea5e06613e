/**
 * The completion scripts `kustody completion bash|zsh|fish` prints. Each asks `kustody __complete`
 * for candidates (one per line; a first line `:files` means "complete file names") and hands them to
 * the shell without expanding them (never `compgen -W`, which would run `$(…)` inside a candidate).
 */

const BASH = String.raw`# kustody completion for bash: source <(kustody completion bash)
_kustody_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local -a out
  mapfile -t out < <(command kustody __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  COMPREPLY=()
  if [[ "\${out[0]}" == ":files" ]]; then
    compopt -o default 2>/dev/null
    return 0
  fi
  local c
  for c in "\${out[@]}"; do
    [[ -n "$c" ]] && COMPREPLY+=("$c")
  done
  if [[ \${#COMPREPLY[@]} -eq 1 && "\${COMPREPLY[0]}" == */ ]]; then compopt -o nospace 2>/dev/null; fi
  return 0
}
complete -F _kustody_complete kustody
`;

const ZSH = String.raw`#compdef kustody
# kustody completion for zsh: source <(kustody completion zsh)
_kustody() {
  local -a out dirs others
  out=("\${(@f)$(command kustody __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ "\${out[1]}" == ":files" ]]; then
    _files
    return
  fi
  dirs=(\${(M)out:#*/})
  others=(\${out:#*/})
  (( \${#dirs} )) && compadd -Q -S '' -a dirs
  (( \${#others} )) && compadd -Q -a others
}
compdef _kustody kustody
`;

const FISH = String.raw`# kustody completion for fish: kustody completion fish | source
function __kustody_complete
    set -l tokens (commandline -opc) (commandline -ct)
    set -l out (command kustody __complete $tokens[2..-1] 2>/dev/null)
    if test "$out[1]" = ":files"
        __fish_complete_path (commandline -ct)
        return
    end
    printf '%s\n' $out
end
complete -c kustody -f -a '(__kustody_complete)'
`;

/** The shells kustody prints a completion script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;

/** The completion script for one shell. */
export function completionScript(shell: (typeof COMPLETION_SHELLS)[number]): string {
  // String.raw keeps the backslashes that stop TypeScript interpolating shell ${…}; remove them here.
  const raw = shell === 'bash' ? BASH : shell === 'zsh' ? ZSH : FISH;
  return raw.replace(/\\\$\{/g, '${');
}
