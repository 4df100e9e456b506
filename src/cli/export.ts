// `npm run export`: a checkpoint as one GGUF file for llama.cpp, or a prepared dataset as Megatron-LM indexed
// datasets with the --data-path line of its mixture and a README of the cluster commands.
//   --checkpoint DIR --gguf FILE [--dtype f32|f16|bf16] [--adapter DIR]
//   --checkpoint DIR --adapter DIR --merge OUT
//   --dataset DIR --megatron OUT [--checkpoint DIR] [--text-field NAME]
// --adapter merges a PEFT LoRA adapter into the base (W + s B A, PEFT's merge_and_unload) tensor by tensor:
// --merge writes the result as a plain Hugging Face folder, --gguf as GGUF.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NodeDirStore } from '../data/store.node';
import { PRESETS } from '../model/presets';
import { openCheckpointDir } from '../train/checkpoint/dir.node';
import { openHFFolder, type HFModelFolder } from '../train/checkpoint/hf-folder';
import { writeCheckpointDir } from '../train/checkpoint/dir.node';
import { modelFolderFiles } from '../train/checkpoint/model-folder';
import { mergedWeight } from '../train/lora-merge';
import { openAdapterArg } from './adapter-arg.node';
import { checkSaveDir } from './train-inputs.node';
import { clusterReadme } from '../export/cluster-readme';
import { writeFileBody } from '../export/file-sink.node';
import { chatTemplateOf, ggufFromFolder } from '../export/gguf-export';
import type { ExportDtype } from '../export/gguf-llama';
import { exportMegatron } from '../export/megatron-mixture';
import { Args, ArgError, InputError } from './args';
import { openDatasetDir } from './dataset.node';

export const EXPORT_USAGE = `usage: npm run export -- --checkpoint DIR --gguf FILE [--dtype f32|f16|bf16] [--adapter DIR]
       npm run export -- --checkpoint DIR --adapter DIR --merge OUT
       npm run export -- --dataset DIR --megatron OUT [--checkpoint DIR] [--text-field NAME]`;

const DTYPES: readonly ExportDtype[] = ['f32', 'f16', 'bf16'];

async function withFolder<T>(dir: string, use: (folder: HFModelFolder) => Promise<T>, adapterDir?: string): Promise<T> {
  const opened = await openCheckpointDir(dir).catch((e: Error) => { throw new InputError(`--checkpoint ${dir}: ${e.message}`); });
  try {
    const folder = await openHFFolder(opened.files, dir).catch((e: Error) => { throw new InputError(`--checkpoint ${dir}: ${e.message}`); });
    if (adapterDir === undefined) return await use(folder);
    const arg = await openAdapterArg(adapterDir, folder.config);
    try {
      // The same folder with every targeted weight merged as it is read.
      const { lora, readTensor } = arg.adapter;
      const read = async (name: string) => mergedWeight(folder.config, lora, name, await folder.weights.read(name), readTensor);
      console.error(`merging ${adapterDir}: LoRA r ${lora.rank}, alpha ${lora.alpha} on ${lora.targets.join(', ')}`);
      return await use({ ...folder, weights: { ...folder.weights, read } });
    } finally {
      await arg.close();
    }
  } finally {
    await opened.close();
  }
}

async function chatTemplate(dir: string): Promise<string | undefined> {
  const text = await readFile(join(dir, 'tokenizer_config.json'), 'utf8').catch(() => null);
  if (text === null) return undefined;
  try { return chatTemplateOf(JSON.parse(text)); } catch { throw new InputError(`${join(dir, 'tokenizer_config.json')}: not valid JSON`); }
}

async function gguf(a: Args): Promise<number> {
  const dir = a.required('checkpoint'), out = a.required('gguf');
  const dtype = (a.string('dtype') ?? 'f32') as ExportDtype;
  if (!DTYPES.includes(dtype)) throw new ArgError(`--dtype must be one of ${DTYPES.join(', ')}, got "${dtype}"`);
  const adapterDir = a.string('adapter');
  a.checkAllUsed();
  const template = await chatTemplate(dir);
  return withFolder(dir, async (folder) => {
    for (const w of folder.warnings) console.error(`warning: ${w}`);
    const file = ggufFromFolder(folder, { dtype, name: dir.replace(/\/+$/, '').split('/').pop() || 'leveret', ...(template ? { chatTemplate: template } : {}) });
    let shown = 0;
    await writeFileBody(out, file, (n) => {
      const pct = Math.floor((100 * n) / file.size);
      if (pct >= shown + 10 || n === file.size) { shown = pct; console.error(`[export] ${pct}% of ${(file.size / 2 ** 20).toFixed(1)} MiB`); }
    });
    console.log(`wrote ${out}: GGUF v3, llama architecture, ${dtype}, ${file.size} bytes`);
    return 0;
  }, adapterDir);
}

async function merge(a: Args): Promise<number> {
  const dir = a.required('checkpoint'), adapterDir = a.required('adapter'), out = a.required('merge');
  a.checkAllUsed();
  await checkSaveDir(out).catch((e: Error) => { throw e instanceof InputError ? new InputError(e.message.replace(/^--save/, '--merge')) : e; });
  return withFolder(dir, async (folder) => {
    for (const w of folder.warnings) console.error(`warning: ${w}`);
    await writeCheckpointDir(out, modelFolderFiles({
      config: folder.config, tokenizerJSON: folder.tokenizerJSON, bosId: folder.bosId, eosId: folder.eosId,
      params: (name) => folder.weights.read(name),
    }));
    console.log(`wrote ${out}: a Hugging Face ${folder.config.architecture ?? 'mistral'} folder, ${dir} with ${adapterDir} merged (F32)`);
    return 0;
  }, adapterDir);
}

async function megatron(a: Args): Promise<number> {
  const dir = a.required('dataset'), out = a.required('megatron');
  const checkpoint = a.string('checkpoint');
  const textField = a.string('text-field');
  a.checkAllUsed();
  const ds = await openDatasetDir(dir);
  const config = checkpoint ? await withFolder(checkpoint, async (f) => f.config) : PRESETS['hare-1.1b'];
  const store = await NodeDirStore.open(out);
  const result = await exportMegatron(ds.store, ds.manifest, ds.tokenizer, store, {
    ...(textField ? { textField } : {}),
    onDocument: (n) => { if (n % 10000 === 0) console.error(`[export] ${n} documents`); },
  });
  const readme = await store.writer('README.md');
  await readme.write(clusterReadme({ config, fromCheckpoint: checkpoint !== undefined, megatron: result, vocabSize: ds.manifest.vocabSize }));
  await readme.close();
  for (const s of result.sources) console.log(`${s.prefix}: ${s.documents} documents, ${s.tokens} tokens (${result.dtype}), weight ${s.weight}`);
  console.log(`wrote ${out}: data-path.txt, README.md`);
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help')) { console.log(EXPORT_USAGE); return 0; }
  try {
    const a = new Args(argv);
    if (argv.some((x) => x === '--gguf' || x.startsWith('--gguf='))) return await gguf(a);
    if (argv.some((x) => x === '--merge' || x.startsWith('--merge='))) return await merge(a);
    if (argv.some((x) => x === '--megatron' || x.startsWith('--megatron='))) return await megatron(a);
    throw new ArgError('give --gguf FILE (with --checkpoint), --merge OUT (with --checkpoint and --adapter) or --megatron OUT (with --dataset)');
  } catch (e) {
    if (e instanceof ArgError) { console.error(`${e.message}\n\n${EXPORT_USAGE}`); return 2; }
    if (e instanceof InputError) { console.error(e.message); return 2; }
    throw e;
  }
}
