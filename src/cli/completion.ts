// `cube completion bash|zsh`: a completion script made from the commands'
// own tables: command names (and those of a group, `cube service <TAB>`),
// each command's flags, the values of flags that have a known set, files for
// -f FILE, and task IDs and service names (from `cube status -q`, with
// --state completed,failed for `cube rm`, and `cube service ls -q`, asked of the manager as the command line names it) where
// one is expected.
import { isGroup, type Command, type Entry } from './command.js';
import type { Flag } from './args.js';
import { helpFlag, settingsFlags } from './flags.js';

const words = (list: readonly string[]) => list.join(' ');

/** The bash that fills COMPREPLY with what completes a value of this kind. */
function offer(kind: Flag['complete'] | Command['operand']): string {
  if (kind === 'file') return 'COMPREPLY=($(compgen -f -- "$cur"))';
  if (kind === 'dir') return 'COMPREPLY=($(compgen -d -- "$cur"))';
  if (kind === 'task') return 'COMPREPLY=($(compgen -W "$(_cube_ask status -q)" -- "$cur"))';
  if (kind === 'finished-task') return 'COMPREPLY=($(compgen -W "$(_cube_ask status -q --state completed,failed)" -- "$cur"))';
  if (kind === 'service') return 'COMPREPLY=($(compgen -W "$(_cube_ask service ls -q)" -- "$cur"))';
  if (Array.isArray(kind)) return `COMPREPLY=($(compgen -W "${words(kind)}" -- "$cur"))`;
  return 'COMPREPLY=()';
}

/** What one command completes: the value of the flag before the cursor, else its flags or its operand. */
function commandCase(command: Command, indent: string): string {
  const flags = { ...command.flags, ...(command.settings ? settingsFlags(command.settings) : {}), ...helpFlag };
  const flagWords = Object.entries(flags).flatMap(([long, f]) => [`--${long}`, ...(f.short ? [`-${f.short}`] : [])]);
  // Flags that take a value, grouped by what completes it (nothing, for free text).
  const byAction = new Map<string, string[]>();
  for (const [long, f] of Object.entries(flags)) {
    if (f.type !== 'string') continue;
    const action = offer(f.complete);
    byAction.set(action, [...(byAction.get(action) ?? []), `--${long}`, ...(f.short ? [`-${f.short}`] : [])]);
  }
  const valueCases = [...byAction].map(([action, names]) => `${indent}  ${names.join('|')}) ${action}; return ;;`);
  return `${indent}case "$prev" in
${valueCases.join('\n')}
${indent}esac
${indent}if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "${words(flagWords)}" -- "$cur")); else ${offer(command.operand)}; fi`;
}

/** A command's case, or a group's: its commands' names right after it, then the case of the one typed. */
function entryCase(name: string, entry: Entry): string {
  if (!isGroup(entry)) return `    ${name})\n${commandCase(entry, '      ')}\n      ;;`;
  const cases = Object.entries(entry.commands).map(([sub, command]) => `        ${sub})\n${commandCase(command, '          ')}\n          ;;`);
  return `    ${name})
      if [[ $COMP_CWORD -eq 2 ]]; then COMPREPLY=($(compgen -W "${words(Object.keys(entry.commands))}" -- "$cur")); return; fi
      case "\${COMP_WORDS[2]}" in
${cases.join('\n')}
      esac
      ;;`;
}

/** The bash function; zsh runs it through bashcompinit. */
export function bashCompletion(commands: Readonly<Record<string, Entry>>): string {
  const cases = Object.entries(commands).map(([name, entry]) => entryCase(name, entry));
  return `# cube completion for bash: source <(cube completion bash), or save it in
# /etc/bash_completion.d/cube. Made by \`cube completion bash\` from cube's own flags.

# Asks the manager the command line names with -m/--manager (else CUBE_MANAGER):
# task IDs (_cube_ask status -q), service names (_cube_ask service ls -q).
_cube_ask() {
  local i manager=()
  for ((i = 1; i < \${#COMP_WORDS[@]} - 1; i++)); do
    case "\${COMP_WORDS[i]}" in
      -m|--manager) manager=(-m "\${COMP_WORDS[i+1]}") ;;
    esac
  done
  "\${COMP_WORDS[0]}" "$@" "\${manager[@]}" 2>/dev/null
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

export function zshCompletion(commands: Readonly<Record<string, Entry>>): string {
  return `#compdef cube
# cube completion for zsh: source <(cube completion zsh), or save it as _cube in
# a folder of $fpath. It is the bash completion, run by zsh's bashcompinit.
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(commands).replace(/^#.*\n/gm, '')}`;
}
