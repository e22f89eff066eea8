// Shell completions for bash and zsh, made from the options --help shows (commander's definition), so they never drift from it.
import type { Command, Option } from 'commander';

/** What an option's argument completes to, from its name in the definition: <path> a file, <dir> a folder, else nothing. */
type ArgKind = 'file' | 'dir' | 'none' | undefined;

interface Flag {
  names: string[];
  description: string;
  arg: ArgKind;
  argName?: string;
}

function flags(program: Command): Flag[] {
  const help = program.createHelp();
  return help.visibleOptions(program).map((o: Option) => {
    const argName = /[<[](\w+)/.exec(o.flags)?.[1];
    const arg: ArgKind = argName === undefined ? undefined : argName === 'path' ? 'file' : argName === 'dir' ? 'dir' : 'none';
    return { names: [o.short, o.long].filter((n): n is string => !!n), description: o.description, arg, argName };
  });
}

/** The bash function and its `complete` line, for /usr/share/bash-completion/completions/cmemgzip. */
export function bashCompletion(program: Command): string {
  const all = flags(program);
  const cases = (['file', 'dir', 'none'] as const)
    .map((kind) => {
      const names = all.filter((f) => f.arg === kind).flatMap((f) => f.names);
      const reply = kind === 'file' ? '$(compgen -f -- "$cur")' : kind === 'dir' ? '$(compgen -d -- "$cur")' : '';
      return names.length ? `    ${names.join('|')}) COMPREPLY=(${reply}); return ;;` : undefined;
    })
    .filter(Boolean);
  return `# bash completion for ${program.name()}: made from its option definitions at build time.
_${program.name()}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  case $prev in
${cases.join('\n')}
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '${all.flatMap((f) => f.names).join(' ')}' -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _${program.name()} ${program.name()}
`;
}

/** zsh's _arguments reads [ ] : \ and ' in a description: escape them inside a single-quoted spec. */
const zshText = (s: string) => s.replace(/[\\[\]:]/g, '\\$&').replace(/'/g, `'\\''`);

/** The _cmemgzip function file, for /usr/share/zsh/vendor-completions/. */
export function zshCompletion(program: Command): string {
  const action = (f: Flag) => (f.arg === 'file' ? '_files' : f.arg === 'dir' ? '_files -/' : ' ');
  const specs = flags(program).flatMap((f) =>
    f.names.map((name) => {
      const takes = f.arg === undefined ? '' : name.startsWith('--') ? '=' : '+';
      const arg = f.arg === undefined ? '' : `:${f.argName}:${action(f)}`;
      return `  '${name}${takes}[${zshText(f.description)}]${arg}'`;
    }),
  );
  return `#compdef ${program.name()}
# zsh completion for ${program.name()}: made from its option definitions at build time.
_arguments -s -S \\
${[...specs, `  '*:file:_files'`].join(' \\\n')}
`;
}
