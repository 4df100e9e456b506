// The README's commands, as a reader of a fresh clone types them: every `npm run X` / `npm X` it shows names
// a script in package.json; installing runs no lifecycle script (npm 11 ran `prepare` at install and took
// `npm run prepare` for install too); and the cheap commands run through the real npm (so npm's own
// environment, npm_command and all, reaches scripts/cli.mjs): every command's --help, and the README's
// data command on a small file with its placeholders filled in.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** Every npm command the README shows: in inline code and at the start of lines of code blocks. */
function readmeCommands(): string[] {
  const inline = [...readme.matchAll(/`(npm [^`]+)`/g)].map((m) => m[1]);
  const blocks = [...readme.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n'))
    .map((l) => l.trim()).filter((l) => l.startsWith('npm '));
  return [...inline, ...blocks].map((c) => c.replace(/\s+#.*$/, '').replace(/\\\|/g, '|'));
}

function scriptOf(command: string): string {
  const m = /^npm (?:run(?:-script)? )?([\w:-]+)/.exec(command);
  if (!m) throw new Error(`not an npm command: ${command}`);
  return m[1];
}

/** `npm run ...` as from a shell: none of this test runner's npm_* variables leak in. */
function npm(args: string[]): Promise<{ code: number | null; out: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  return new Promise((resolve, reject) => {
    const p = spawn('npm', args, { cwd: root, env, timeout: 240_000 });
    let out = '';
    p.stdout.on('data', (d) => { out += String(d); });
    p.stderr.on('data', (d) => { out += String(d); });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out }));
  });
}

describe('README commands', () => {
  it('every npm command in the README names a script in package.json', () => {
    const commands = readmeCommands();
    expect(commands.length).toBeGreaterThan(5);
    const builtins = new Set(['install', 'ci', 'test', 'start']);
    const missing = commands.filter((c) => !(scriptOf(c) in scripts) && !builtins.has(scriptOf(c)));
    expect(missing).toEqual([]);
    expect(commands.map(scriptOf)).toEqual(expect.arrayContaining(['start', 'test', 'data', 'train', 'eval', 'bench', 'check']));
  });

  it('installing runs nothing: no lifecycle script, and no command named after one', () => {
    const lifecycle = ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare', 'prepack', 'postpack'];
    expect(Object.keys(scripts).filter((s) => lifecycle.includes(s))).toEqual([]);
    expect(readme).not.toMatch(/npm run prepare\b/);
  });
});

describe('README commands through the real npm', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'leveret-readme-'));
    writeFileSync(join(dir, 'notes.txt'), Array.from({ length: 30 }, (_, i) =>
      `Note ${i}: the miller ground ${i * 4} sacks of barley before the river froze over in the long winter.`).join('\n\n'));
    writeFileSync(join(dir, 'bench.jsonl'), `${JSON.stringify({ question: 'Which grain did the miller grind before the river froze?' })}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every CLI command prints its options with --help', async () => {
    // At once: each run bundles the CLI into a file of its own, so they do not collide.
    const commands = ['data', 'train', 'eval', 'bench', 'check'];
    const runs = await Promise.all(commands.map((c) => npm(['run', c, '--', '--help'])));
    commands.forEach((command, i) => {
      expect(runs[i].code, runs[i].out).toBe(0);
      expect(runs[i].out).toContain(`usage: npm run ${command}`);
    });
  }, 600_000);

  it("the README's data command, placeholders filled in, writes a dataset folder", async () => {
    const row = readmeCommands().find((c) => scriptOf(c) === 'data' && c.includes('--out'))!;
    const out = join(dir, 'out');
    const argv = row.replace(/\s\.\.\./g, '').split(/\s+/).map((w) => w
      .replace('FILE:CATEGORY:WEIGHT', `${join(dir, 'notes.txt')}:books:1`)
      .replace(/^FILE$/, join(dir, 'bench.jsonl'))
      .replace(/^DIR$/, out));
    expect(argv.slice(0, 4)).toEqual(['npm', 'run', 'data', '--']);
    // A BPE small enough to learn in a moment; the rest is the README's command as written.
    const r = await npm([...argv.slice(1), '--tokenizer', 'bpe:300', '--seq-len', '16']);
    expect(r.code, r.out).toBe(0);
    for (const f of ['dataset.json', 'tokenizer.json', 'report.json', 'cleaned.jsonl']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(r.out).toMatch(/\d+ documents read, \d+ kept/);
  }, 300_000);
});
