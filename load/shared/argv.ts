// Splits a command line into `--key=value` flags and positional words, the seed's flag syntax.
// Unlike the seed, a value keeps everything after the first '=' (the seed cut it at a second '='),
// and a flag given twice is an error rather than a silent last-one-wins. A bad command line throws
// UsageError: the CLIs print its message and the usage text, then exit 2.

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ParsedArgv {
  flags: Map<string, string>;
  positional: string[];
}

/** A bare `--key` means 'true', so boolean flags read naturally (`--json`). */
export function tokenizeArgv(argv: readonly string[]): ParsedArgv {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (const arg of argv) {
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const body = arg.slice(2);
    const eq = body.indexOf('=');
    const key = eq === -1 ? body : body.slice(0, eq);
    const value = eq === -1 ? 'true' : body.slice(eq + 1);
    if (key.length === 0) throw new UsageError(`malformed flag "${arg}"`);
    if (flags.has(key)) throw new UsageError(`flag --${key} given twice`);
    flags.set(key, value);
  }
  return { flags, positional };
}
