// `cube completion bash|zsh`: a completion script made from the commands'
// own tables: command names, each command's flags, the values of flags that
// have a known set, files for -f FILE, and task IDs (from `cube status -q`,
// asked of the manager as the command line names it) where a task is expected.
import type { Command } from './command.js';
import { helpFlag, settingsFlags } from './flags.js';

const words = (list: readonly string[]) => list.join(' ');

/** The bash function; zsh runs it through bashcompinit. */
export function bashCompletion(commands: Record<string, Command>): string {
  const cases: string[] = [];
  for (const [name, command] of Object.entries(commands)) {
    const flags = { ...command.flags, ...(command.settings ? settingsFlags(command.settings) : {}), ...helpFlag };
    const flagWords = Object.entries(flags).flatMap(([long, f]) => [`--${long}`, ...(f.short ? [`-${f.short}`] : [])]);
    // Flags that take a value, grouped by what completes it (nothing, for free text).
    const byAction = new Map<string, string[]>();
    for (const [long, f] of Object.entries(flags)) {
      if (f.type !== 'string') continue;
      const action =
        f.complete === 'file'
          ? 'COMPREPLY=($(compgen -f -- "$cur"))'
          : f.complete === 'dir'
            ? 'COMPREPLY=($(compgen -d -- "$cur"))'
            : f.complete === 'task'
              ? 'COMPREPLY=($(compgen -W "$(_cube_tasks)" -- "$cur"))'
              : Array.isArray(f.complete)
                ? `COMPREPLY=($(compgen -W "${words(f.complete)}" -- "$cur"))`
                : 'COMPREPLY=()';
      byAction.set(action, [...(byAction.get(action) ?? []), `--${long}`, ...(f.short ? [`-${f.short}`] : [])]);
    }
    const valueCases = [...byAction].map(([action, names]) => `        ${names.join('|')}) ${action}; return ;;`);
    const operand =
      command.operand === 'task'
        ? 'COMPREPLY=($(compgen -W "$(_cube_tasks)" -- "$cur"))'
        : Array.isArray(command.operand)
          ? `COMPREPLY=($(compgen -W "${words(command.operand)}" -- "$cur"))`
          : 'COMPREPLY=()';
    cases.push(`    ${name})
      case "$prev" in
${valueCases.join('\n')}
      esac
      if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "${words(flagWords)}" -- "$cur")); else ${operand}; fi
      ;;`);
  }
  return `# cube completion for bash: source <(cube completion bash), or save it in
# /etc/bash_completion.d/cube. Made by \`cube completion bash\` from cube's own flags.

# Task IDs, from the manager the command line names with -m/--manager (else CUBE_MANAGER).
_cube_tasks() {
  local i manager=()
  for ((i = 1; i < \${#COMP_WORDS[@]} - 1; i++)); do
    case "\${COMP_WORDS[i]}" in
      -m|--manager) manager=(-m "\${COMP_WORDS[i+1]}") ;;
    esac
  done
  "\${COMP_WORDS[0]}" status -q "\${manager[@]}" 2>/dev/null
}

_cube() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${words(Object.keys(commands))} help --help --version" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases.join('\n')}
    help) COMPREPLY=($(compgen -W "${words(Object.keys(commands))}" -- "$cur")) ;;
  esac
}
complete -F _cube cube
`;
}

export function zshCompletion(commands: Record<string, Command>): string {
  return `#compdef cube
# cube completion for zsh: source <(cube completion zsh), or save it as _cube in
# a folder of $fpath. It is the bash completion, run by zsh's bashcompinit.
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(commands).replace(/^#.*\n/gm, '')}`;
}
