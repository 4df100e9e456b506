// Every file and folder `npm run train` will touch, checked before data preparation or GPU set-up: the data
// (a prepared folder opened and checked whole, or a readable file), the --save folder (new, empty, or an
// earlier checkpoint, and creatable), the --resume checkpoint (its headers read and matched to the preset
// and, when the data is known, to its tokenizer). A refusal here costs nothing; after training it costs the run.
import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { MANIFEST_FILE } from '../data/pack/manifest';
import type { ByteSource } from '../train/checkpoint/byte-source';
import type { TokenizerChoice } from '../data/tokenizer-choice';
import { tokenizerFingerprint } from '../data/tokenizer';
import type { ModelConfig } from '../model/config';
import { preset } from '../model/presets';
import { CHECKPOINT_FILES } from '../train/checkpoint/checkpoint';
import { readCheckpoint } from '../train/checkpoint/checkpoint-read';
import { configDifferences } from '../train/checkpoint/config-diff';
import { openCheckpointDir } from '../train/checkpoint/dir.node';
import { ADAPTER_FILES, readAdapter } from '../train/checkpoint/peft-adapter';
import { fingerprintOfJSON } from '../train/trainer';
import { ArgError, InputError } from './args';
import { RUN_FILE } from '../runs/run-record';
import { existingDataset, type CliDataset } from './dataset.node';
import { checkInitFromData } from './init-from.node';
import type { TrainArgs } from './train-args';

export interface TrainInputs {
  /** The data, when it opens without work; null for a file that the run must prepare first. */
  dataset: CliDataset | null;
  /** The tokenizer a file is prepared with: Mistral's for 32000-token presets, else a BPE of the preset's size. */
  tokenizer: TokenizerChoice;
}

export function tokenizerChoiceFor(base: ModelConfig): TokenizerChoice {
  return base.vocabSize === 32000 ? { kind: 'mistral' } : { kind: 'bpe', vocabSize: base.vocabSize };
}

/** The tokenizer a file is prepared with: the --init-from folder's own, or the preset's kind. */
export function tokenizerChoiceOf(args: TrainArgs): TokenizerChoice {
  return args.initFrom ? { kind: 'json', json: args.initFrom.folder.tokenizerJSON } : tokenizerChoiceFor(args.base);
}

/** The model a run trains: the preset with the data's vocabulary, or the --init-from folder's config as it is
 *  (its vocabulary is fixed by its weights; the data's tokenizer was checked to be the folder's). */
export function modelConfigFor(args: TrainArgs, vocabSize: number): ModelConfig {
  if (args.initFrom) return args.initFrom.folder.config;
  try {
    return preset(args.preset, { vocabSize });
  } catch (e) {
    throw new InputError(`--data ${args.data}: its tokenizer's vocabulary of ${vocabSize} does not fit --preset ${args.preset} (${(e as Error).message})`);
  }
}

export async function checkTrainInputs(args: TrainArgs): Promise<TrainInputs> {
  const tokenizer = tokenizerChoiceOf(args);
  const dataset = await existingDataset(args.data, tokenizer, args.train.seqLen, args.initFrom?.dir);
  if (dataset && args.initFrom) checkInitFromData(args.initFrom, args.data, dataset);
  if (dataset && dataset.manifest.packLength < args.train.seqLen + 1) {
    throw new InputError(`--data ${args.data}: its ${MANIFEST_FILE} packs sequences of ${dataset.manifest.packLength - 1} tokens, shorter than ` +
      `--seq-len ${args.train.seqLen}: pass --seq-len ${dataset.manifest.packLength - 1} or less, or prepare it again with npm run data -- --seq-len ${args.train.seqLen} ...`);
  }
  // Fine-tuning rows hold whole examples: a shorter window would cut them from their prompts (sampler.ts).
  if (dataset?.manifest.segments && dataset.manifest.packLength !== args.train.seqLen + 1) {
    throw new InputError(`--data ${args.data}: it holds SFT examples packed whole into rows of ${dataset.manifest.packLength} tokens: ` +
      `pass --seq-len ${dataset.manifest.packLength - 1}, or prepare it again with npm run data -- --seq-len ${args.train.seqLen} ...`);
  }
  const config = dataset ? modelConfigFor(args, dataset.tokenizer.vocabSize) : null;
  if (args.save !== undefined) await checkSaveDir(args.save);
  if (args.resume !== undefined) await checkResume(args, config, dataset);
  return { dataset, tokenizer };
}

/** --save: absent (and creatable), or a folder that is empty or holds only checkpoint files (replaced). */
export async function checkSaveDir(dir: string): Promise<void> {
  if (dir === '') throw new ArgError('--save needs a folder');
  const info = await stat(dir).catch(() => null);
  if (info) {
    if (!info.isDirectory()) throw new InputError(`--save ${dir}: is a file, not a folder`);
    // run.json is the run record a save keeps beside its checkpoint (run-save.node.ts).
    const own = new Set<string>([...Object.values(CHECKPOINT_FILES), ...Object.values(ADAPTER_FILES), RUN_FILE]);
    const foreign = (await readdir(dir)).filter((n) => !own.has(n));
    if (foreign.length) {
      throw new InputError(`--save ${dir}: holds files that are not part of a checkpoint (${foreign.slice(0, 5).join(', ')}); choose an empty or new folder`);
    }
    await access(dir, constants.W_OK).catch(() => { throw new InputError(`--save ${dir}: the folder is not writable`); });
    return;
  }
  // The folder is made at the end of the run: the nearest folder that exists must let it be made.
  let parent = dirname(resolve(dir));
  for (;;) {
    const p = await stat(parent).catch(() => null);
    if (p) {
      if (!p.isDirectory()) throw new InputError(`--save ${dir}: cannot be created, ${parent} is a file`);
      await access(parent, constants.W_OK).catch(() => { throw new InputError(`--save ${dir}: cannot be created, ${parent} is not writable`); });
      return;
    }
    if (dirname(parent) === parent) throw new InputError(`--save ${dir}: cannot be created`);
    parent = dirname(parent);
  }
}

/** --resume: the checkpoint's headers, the preset it must be, and the data's tokenizer when known (a run
 *  that prepares its data calls this again once the tokenizer exists, before GPU set-up). */
export async function checkResume(args: TrainArgs, config: ModelConfig | null, dataset: CliDataset | null): Promise<void> {
  const dir = args.resume!;
  if (dir === '') throw new ArgError('--resume needs a folder');
  const named = (e: unknown) => new InputError(`--resume ${dir}: ${(e as Error).message}`);
  const opened = await openCheckpointDir(dir).catch((e) => { throw named(e); });
  if (args.lora) {
    try { await checkLoraResume(args, opened.files, dataset); } finally { await opened.close(); }
    return;
  }
  try {
    const ck = await readCheckpoint(opened.files, {
      fingerprint: fingerprintOfJSON,
      expected: config && dataset ? { config, tokenizerFingerprint: tokenizerFingerprint(dataset.tokenizer) } : undefined,
    }).catch((e) => { throw named(e); });
    // Without the data's tokenizer yet, the vocabulary is the one thing the preset cannot say.
    let asPreset: ModelConfig;
    try { asPreset = args.initFrom?.folder.config ?? preset(args.preset, { vocabSize: ck.config.vocabSize }); } catch (e) { throw named(e); }
    const differences = configDifferences(ck.config, asPreset);
    if (differences.length) {
      throw new InputError(`--resume ${dir}: ${CHECKPOINT_FILES.config} is not a ${args.preset} model: ${differences.join('; ')}`);
    }
  } finally {
    await opened.close();
  }
}

/** --resume of a --lora run: a PEFT adapter folder with trainer state, of this base, r, alpha and targets,
 *  trained with the data's tokenizer when it is known. */
async function checkLoraResume(args: TrainArgs, files: ReadonlyMap<string, ByteSource>, dataset: CliDataset | null): Promise<void> {
  const dir = args.resume!, base = args.initFrom!.folder.config;
  const named = (e: unknown) => new InputError(`--resume ${dir}: ${(e as Error).message}`);
  const adapter = await readAdapter(files, base, args.lora).catch((e) => { throw named(e); });
  if (!adapter.training) {
    throw new InputError(`--resume ${dir}: holds an adapter but no ${ADAPTER_FILES.trainerState} and ${ADAPTER_FILES.optimizer} to continue from`);
  }
  const fp = adapter.training.trainerState.tokenizerFingerprint;
  if (dataset && fp !== tokenizerFingerprint(dataset.tokenizer)) {
    throw new InputError(`--resume ${dir}: ${ADAPTER_FILES.trainerState} was trained with another tokenizer than --data ${args.data}`);
  }
}
