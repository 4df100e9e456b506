// Every file `npm run data` will read, checked before the pipeline starts: each source and benchmark file
// exists, --out is not a file, and a --tokenizer file parses and loads. Each refusal names the file.
import { readFile, stat } from 'node:fs/promises';
import { parseTemplateFile, TemplateFileError, type TemplateSet } from '../data/tasks/user-templates';
import type { TokenizerChoice } from '../data/tokenizer-choice';
import { InputError } from './args';
import { loadTokenizerFile } from './dataset.node';
import type { PrepareArgs } from './prepare-args';
import { readJSONFile } from './read-json.node';

async function checkFile(path: string, option: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new InputError(`${option} ${path}: no such file`);
  if (!info.isFile()) throw new InputError(`${option} ${path}: not a file`);
}

/** Returns the tokenizer choice with a --tokenizer file's JSON loaded (and proven to load). */
export async function checkPrepareInputs(args: PrepareArgs): Promise<TokenizerChoice> {
  for (const s of args.sources) for (const p of s.paths) await checkFile(p, '--source');
  for (const b of args.benchmarks) await checkFile(b.path, '--benchmark');
  if (args.templates) await checkFile(args.templates, '--templates');
  const out = await stat(args.out).catch(() => null);
  if (out && !out.isDirectory()) throw new InputError(`--out ${args.out}: is a file, not a folder`);
  const t = args.tokenizer;
  if (t.kind !== 'file') return t;
  try {
    const json = await readJSONFile(t.path, 'tokenizer');
    loadTokenizerFile(json, t.path);
    return { kind: 'json', json: json as object };
  } catch (e) {
    // The message starts with the file; say which option gave it.
    throw e instanceof InputError ? new InputError(`--tokenizer ${e.message}`) : e;
  }
}

/** The --templates file, every template compiled; a bad one is refused naming the file, layout and template. */
export async function readTemplateFile(path: string): Promise<TemplateSet> {
  try {
    return parseTemplateFile(await readFile(path, 'utf8'), path);
  } catch (e) {
    if (e instanceof TemplateFileError) throw new InputError(`--templates ${e.message}`);
    throw e;
  }
}
