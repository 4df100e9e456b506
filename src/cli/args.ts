// A small command-line parser shared by the commands: `--name value`, `--name=value`, bare `--flag`.

export class ArgError extends Error {}

export class Args {
  private readonly values = new Map<string, string[]>();
  private readonly used = new Set<string>();

  constructor(argv: readonly string[], private readonly flags: ReadonlySet<string> = new Set()) {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (!a.startsWith('--')) throw new ArgError(`unexpected argument "${a}"`);
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      let value: string;
      if (eq > 0) value = a.slice(eq + 1);
      else if (flags.has(name)) value = 'true';
      else {
        if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new ArgError(`--${name} needs a value`);
        value = argv[++i];
      }
      this.values.set(name, [...(this.values.get(name) ?? []), value]);
    }
  }

  string(name: string): string | undefined {
    this.used.add(name);
    const v = this.values.get(name);
    return v ? v[v.length - 1] : undefined;
  }

  /** Every value of an option that may be given more than once (`--task a=x --task b=y`), in order. */
  strings(name: string): string[] {
    this.used.add(name);
    return [...(this.values.get(name) ?? [])];
  }

  required(name: string): string {
    const v = this.string(name);
    if (v === undefined) throw new ArgError(`--${name} is required`);
    return v;
  }

  number(name: string, fallback: number): number;
  number(name: string): number | undefined;
  number(name: string, fallback?: number): number | undefined {
    const v = this.string(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new ArgError(`--${name} must be a number, got "${v}"`);
    return n;
  }

  flag(name: string): boolean {
    if (!this.flags.has(name)) throw new Error(`--${name} is not declared as a flag`);
    return this.string(name) === 'true';
  }

  /** Refuses options nobody asked for (a typo should not silently do nothing). */
  checkAllUsed(): void {
    for (const k of this.values.keys()) if (!this.used.has(k)) throw new ArgError(`unknown option --${k}`);
  }
}

/** An input file or folder that cannot be used; the message starts with its path. Found before any work,
 *  so the commands print it without the usage (the arguments were fine, the file is not). */
export class InputError extends Error {}
