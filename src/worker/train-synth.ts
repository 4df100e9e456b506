// Synthetic text in the page (HARE's D2): the CLI's core (src/data/synth) run in the training worker on the
// imported model's KV-cache generator, seeded from a prepared dataset in OPFS (the data worker's folder, read
// through the same DataStore the CLI reads a folder with), appended record by record to an OPFS file.
//
// Resuming: each plan (dataset, model, N, tokens, sampling, seed) has its own folder, so Generate again with
// the same settings continues the file a Stop left (resumeState checks every record is this plan's), and other
// settings never mix into it. The file name follows the template, which names the page's source card.
import { OpfsStore, type SyncCapable } from '../data/store.opfs';
import { compileSynthTemplates, DEFAULT_SYNTH_TEMPLATES, promptFormat } from '../data/synth/prompts';
import { drawSeeds } from '../data/synth/seeds';
import { planSamples, resumeState, runSynth } from '../data/synth/synth';
import type { TokenGenerator } from '../train/sampling';
import type { ImportedModel } from './model-import';
import { MAX_SYNTH_SAMPLES, type SynthListener, type SynthOutcome, type SynthRequest } from './synth-api';
import { MAX_SAMPLE_TOKENS } from './train-api';

/** The OPFS folder under the root that holds the page's synthetic text, one sub-folder per plan. */
export const SYNTH_DIR = 'synthetic';
export const MIXED = 'mixed';

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');

export function checkSynthRequest(r: SynthRequest): void {
  const whole = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!whole(r.n, 1, MAX_SYNTH_SAMPLES)) throw new Error(`Samples must be a whole number from 1 to ${MAX_SYNTH_SAMPLES}, got ${r.n}`);
  if (!whole(r.maxTokens, 1, MAX_SAMPLE_TOKENS)) throw new Error(`Max tokens must be a whole number from 1 to ${MAX_SAMPLE_TOKENS}, got ${r.maxTokens}`);
  if (r.template !== MIXED && !(r.template in DEFAULT_SYNTH_TEMPLATES)) throw new Error(`unknown template "${r.template}"`);
  if (!(r.temperature >= 0 && r.temperature <= 5)) throw new Error(`temperature must be 0 to 5, got ${r.temperature}`);
  if (!whole(r.topK, 0, 1e9) || !Number.isInteger(r.seed)) throw new Error('top-k and seed must be whole numbers');
}

/** The plan's folder and file: everything that changes a record is in the folder's name. */
export function synthPath(r: SynthRequest, model: string): { folder: string; file: string } {
  return {
    folder: safe(`${r.dataset}-${model}-n${r.n}-t${r.maxTokens}-T${r.temperature}-k${r.topK}-s${r.seed}`),
    file: `synthetic-${safe(r.template)}.jsonl`,
  };
}

export async function synthesize(m: ImportedModel, generator: TokenGenerator, r: SynthRequest, onProgress: SynthListener,
  signal: { readonly aborted: boolean }): Promise<SynthOutcome> {
  checkSynthRequest(r);
  const templates = compileSynthTemplates(r.template === MIXED ? DEFAULT_SYNTH_TEMPLATES : { [r.template]: DEFAULT_SYNTH_TEMPLATES[r.template] });
  const draw = await drawSeeds(await OpfsStore.open(r.dataset, false), r.n, r.seed);
  // As the CLI: the model's chat template when its tokenizer_config.json has one, else plain text after BOS.
  const f = m.folder;
  const format = promptFormat(f.tokenizer, f.bosId, f.eosId, m.kept?.chatTemplate,
    m.kept ? { bos_token: m.kept.bosToken, eos_token: m.kept.eosToken } : undefined);
  const plans = planSamples(draw.seeds, templates, format, r.seed);
  const longest = Math.max(...plans.map((p) => p.ids.length));
  if (longest + r.maxTokens > generator.maxLen) {
    throw new Error(`the longest prompt (${longest} tokens) and ${r.maxTokens} new tokens need ${longest + r.maxTokens} positions; ${m.name}'s context is ${generator.maxLen}: lower Max tokens`);
  }

  const path = synthPath(r, m.name);
  const root = await navigator.storage.getDirectory();
  const dir = await (await root.getDirectoryHandle(SYNTH_DIR, { create: true })).getDirectoryHandle(path.folder, { create: true });
  const handle = (await dir.getFileHandle(path.file, { create: true })) as SyncCapable;
  const existing = await (await handle.getFile()).text();
  const state = resumeState(existing, plans, m.name, path.file);
  const encoder = new TextEncoder();
  let at = encoder.encode(existing.slice(0, state.keepChars)).length; // a line cut off by a crash is dropped
  // A sync access handle writes each record to disk as it is made (a dedicated worker has one); elsewhere a
  // writable stream, whose data lands when it closes (a Stop still closes it).
  const sink = typeof handle.createSyncAccessHandle === 'function'
    ? await (async () => {
      const sync = await handle.createSyncAccessHandle();
      sync.truncate(at);
      return { write: async (b: Uint8Array) => { at += sync.write(b, { at }); sync.flush(); }, close: async () => sync.close() };
    })()
    : await (async () => {
      const w = await handle.createWritable({ keepExistingData: true });
      await w.truncate(at);
      return { write: async (b: Uint8Array) => { await w.write({ type: 'write', position: at, data: b as Uint8Array<ArrayBuffer> }); at += b.length; }, close: () => w.close() };
    })();
  let summary;
  try {
    summary = await runSynth(plans, [generator], f.tokenizer, format, { maxTokens: r.maxTokens, temperature: r.temperature, topK: r.topK },
      m.name, state.done, { onRecord: (rec) => sink.write(encoder.encode(`${JSON.stringify(rec)}\n`)), onProgress, signal });
  } finally {
    await sink.close();
  }
  return {
    file: await handle.getFile(), done: summary.done, total: summary.total, generated: summary.generated, resumed: summary.resumed,
    tokens: summary.tokens, tokensPerSecond: summary.tokensPerSecond, cancelled: summary.cancelled, method: draw.method,
  };
}
