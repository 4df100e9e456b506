// The current run as one GGUF file for llama.cpp, as `npm run export -- --gguf` writes a saved folder: the
// weights are read back from the GPU in one turn of the run's queue (between steps), then narrowed and
// reordered tensor by tensor while the file streams into OPFS (opfs-export.ts). A LoRA run exports its base
// with the adapter merged (W + s B A) as each base tensor is read from the imported files.
import { ggufFromFolder, type GGUFModel } from '../export/gguf-export';
import type { ExportDtype } from '../export/gguf-llama';
import { mergedWeight } from '../train/lora-merge';
import { freshExportFolder, writeExport } from './opfs-export';
import { LoraTrainer } from './train-lora';
import type { Run } from './train-run';

export const GGUF_DTYPES: readonly ExportDtype[] = ['f32', 'f16', 'bf16'];

interface Snapshot {
  model: GGUFModel;
  name: string;
  chatTemplate?: string;
}

async function snapshot(r: Run): Promise<Snapshot> {
  const t = r.trainer;
  if (t instanceof LoraTrainer) {
    const { adapter, step } = await r.exclusive(async () => ({ adapter: await t.backend.getParams(), step: t.step }));
    const f = t.base.folder;
    const readAdapter = async (name: string) => {
      const v = adapter.get(name);
      if (!v) throw new Error(`the adapter has no tensor ${name}`);
      return v;
    };
    const read = async (name: string) => mergedWeight(f.config, t.lora, name, await f.weights.read(name), readAdapter);
    return {
      model: { config: f.config, tokenizerJSON: f.tokenizerJSON, bosId: f.bosId, eosId: f.eosId, weights: { read } },
      name: `${t.base.name}-lora-merged-step${step}`,
      ...(t.base.kept ? { chatTemplate: t.base.kept.chatTemplate } : {}),
    };
  }
  const { params, name } = await r.exclusive(async () => ({ params: await t.backend.getParams(), name: r.folderName() }));
  const read = async (tensor: string) => {
    const v = params.get(tensor);
    if (!v) throw new Error(`the run has no tensor ${tensor}`);
    return v;
  };
  return {
    model: { config: t.backend.config, tokenizerJSON: t.tokenizer.toJSON(), bosId: t.tokenizer.bosId, eosId: t.tokenizer.eosId, weights: { read } },
    name,
    ...(t.kept ? { chatTemplate: t.kept.chatTemplate } : {}),
  };
}

/** Writes the run's GGUF into OPFS and returns the file; `onProgress(bytes, total)` as it goes. */
export async function exportRunGGUF(r: Run, dtype: ExportDtype, onProgress?: (bytes: number, total: number) => void): Promise<{ file: File; fileName: string }> {
  if (!GGUF_DTYPES.includes(dtype)) throw new Error(`GGUF type must be one of ${GGUF_DTYPES.join(', ')}, got "${dtype}"`);
  const s = await snapshot(r);
  const gguf = ggufFromFolder(s.model, { dtype, name: s.name, ...(s.chatTemplate !== undefined ? { chatTemplate: s.chatTemplate } : {}) });
  const fileName = `${s.name}-${dtype}.gguf`;
  const dir = await freshExportFolder('gguf');
  const file = await writeExport(dir, fileName, gguf.chunks(), onProgress && ((n) => onProgress(n, gguf.size)));
  if (file.size !== gguf.size) throw new Error(`the GGUF file came out at ${file.size} bytes, its layout says ${gguf.size}`);
  return { file, fileName };
}
