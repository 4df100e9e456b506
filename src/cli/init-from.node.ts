// `npm run train -- --init-from DIR`: a released Hugging Face folder (Llama or Mistral) as the starting point.
// Checked before any work like every other input: config.json, tokenizer.json and every tensor header are
// read and matched here; the weights themselves stream into the GPU, one tensor at a time, once the engine
// exists. The folder's tokenizer.json is the run's tokenizer: a file is prepared with it, and a prepared
// folder tokenized otherwise is refused with what differs.
import { openCheckpointDir } from '../train/checkpoint/dir.node';
import { loadWeights, openHFFolder, type HFModelFolder } from '../train/checkpoint/hf-folder';
import type { TrainBackend } from '../train/backend';
import { EngineBackend } from '../train/engine-backend';
import { LoraBackend } from '../train/lora-backend';
import { tokenizerDifferences } from '../train/tokenizer-diff';
import { formatBytes } from '../model/memory';
import { join } from 'node:path';
import type { KeptTokenizerConfig } from '../train/checkpoint/hf-config';
import { InputError } from './args';
import { chatTemplateInFolder } from './chat-template.node';
import type { CliDataset } from './dataset.node';

export interface InitFrom {
  readonly dir: string;
  readonly folder: HFModelFolder;
  /** Its tokenizer_config.json's chat template and BOS/EOS strings, which a full fine-tune's saved folder
   *  writes back (a chat model fine-tuned still speaks its format); absent without a chat_template. */
  readonly kept?: KeptTokenizerConfig;
  /** Closes the folder's files (after the weights are loaded, or when the run ends early). */
  close(): Promise<void>;
}

/** The value of --init-from in argv, read ahead of the full parse: the folder's config supplies the defaults
 *  (context, width) that parse checks the other options against. */
export function initFromArg(argv: readonly string[]): string | undefined {
  let found: string | undefined;
  argv.forEach((a, i) => {
    if (a === '--init-from') found = argv[i + 1] ?? '';
    else if (a.startsWith('--init-from=')) found = a.slice('--init-from='.length);
  });
  return found;
}

/** Opens DIR and checks it whole (headers only); every refusal starts with `--init-from DIR:` and the file. */
export async function openInitFrom(dir: string): Promise<InitFrom> {
  if (dir === '' || dir.startsWith('--')) throw new InputError('--init-from needs a folder');
  const named = (e: unknown) => new InputError(`--init-from ${dir}: ${(e as Error).message}`);
  const opened = await openCheckpointDir(dir).catch((e) => { throw named(e); });
  try {
    const folder = await openHFFolder(opened.files, dir);
    const chat = await chatTemplateInFolder(dir);
    // chatTemplateInFolder names the file as the origin only when the file has a template (else ChatML's default).
    const kept = chat && chat.origin === join(dir, 'tokenizer_config.json')
      ? { chatTemplate: chat.template, bosToken: chat.bosToken, eosToken: chat.eosToken } : undefined;
    return { dir, folder, ...(kept ? { kept } : {}), close: () => opened.close() };
  } catch (e) {
    await opened.close();
    throw named(e);
  }
}

/** A prepared dataset must have been tokenized with the folder's tokenizer.json. */
export function checkInitFromData(init: InitFrom, dataArg: string, dataset: CliDataset): void {
  const differences = tokenizerDifferences(dataset.tokenizer, init.folder.tokenizer);
  if (differences.length) {
    throw new InputError(`--data ${dataArg}: prepared with another tokenizer than --init-from ${init.dir}/tokenizer.json ` +
      `(data vs model: ${differences.join('; ')}); prepare it again with npm run data -- --tokenizer ${init.dir}/tokenizer.json ...`);
  }
}

/** Streams the folder's weights into the backend, printing progress about every tenth of the bytes. On our
 *  engine each tensor goes to its GPU buffers before the next is read; the tfjs reference needs them all at once. */
export async function loadInitWeights(init: InitFrom, backend: TrainBackend, log: (s: string) => void): Promise<void> {
  const f = init.folder;
  for (const w of f.warnings) log(`warning: ${init.dir}: ${w}`);
  const started = performance.now();
  let nextReport = 0.1;
  const progress = (p: { bytes: number; totalBytes: number; tensors: number; totalTensors: number }) => {
    const done = p.bytes / p.totalBytes;
    if (done >= nextReport || p.tensors === p.totalTensors) {
      log(`loading ${init.dir}: ${Math.round(done * 100)}% (${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}, ` +
        `${p.tensors}/${p.totalTensors} tensors)`);
      while (nextReport <= done) nextReport += 0.1;
    }
  };
  if (backend instanceof EngineBackend || backend instanceof LoraBackend) {
    const store = backend.engine.store;
    await loadWeights(f, (name, values) => store.write(name, values), progress);
  } else {
    const all = new Map<string, Float32Array>();
    await loadWeights(f, (name, values) => { all.set(name, values); }, progress);
    await backend.setParams(all);
  }
  log(`loaded ${init.dir} (${f.weights.files.join(', ')}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
