// A Hugging Face model folder (a Leveret checkpoint or a released Llama/Mistral folder) as one GGUF file that
// llama.cpp loads: metadata and tokenizer first, then each weight read from the folder, reordered and
// narrowed as it goes out. The result is a stream of chunks, so the CLI writes it to a file and the page can
// hand the same chunks to a download or OPFS without holding the file in memory.
import type { ChunkedFile } from '../train/checkpoint/byte-source';
import type { HFModelFolder } from '../train/checkpoint/hf-folder';
import { encodeFloats } from './float-encode';
import { GGUF_ARCH, llamaMetadata, llamaTensors, permuteForLlamaRope, type ExportDtype } from './gguf-llama';
import { tokenizerMetadata } from './gguf-tokenizer';
import { ggufFile, ggufLayout, GGUF_ALIGNMENT, str, u32, type GGUFValue } from './gguf-writer';

export interface GGUFExportOptions {
  readonly dtype: ExportDtype;
  /** general.name. */
  readonly name: string;
  readonly chatTemplate?: string;
}

/**
 * What the writer reads of a model: an opened folder fits, and so does the page's run (its weights read back
 * from the GPU, or a LoRA run's base merged as it is read), without a folder on disk.
 */
export type GGUFModel = Pick<HFModelFolder, 'config' | 'tokenizerJSON' | 'bosId' | 'eosId'> & {
  readonly weights: Pick<HFModelFolder['weights'], 'read'>;
};

/** The file, its size known before the first byte; tensors are read from the folder while it streams. */
export function ggufFromFolder(folder: GGUFModel, opts: GGUFExportOptions): ChunkedFile {
  const c = folder.config;
  const metadata = new Map<string, GGUFValue>([
    ['general.architecture', str(GGUF_ARCH)],
    ['general.name', str(opts.name)],
    ['general.alignment', u32(GGUF_ALIGNMENT)],
    ...llamaMetadata(c, opts.dtype),
    ...tokenizerMetadata({
      tokenizerJSON: folder.tokenizerJSON, vocabSize: c.vocabSize, bosId: folder.bosId, eosId: folder.eosId,
      ...(opts.chatTemplate !== undefined ? { chatTemplate: opts.chatTemplate } : {}),
    }),
  ]);
  const tensors = llamaTensors(c, opts.dtype);
  const byName = new Map(tensors.map((t) => [t.spec.name, t]));
  const layout = ggufLayout(metadata, tensors.map((t) => t.spec));
  return ggufFile(layout, async (spec) => {
    const t = byName.get(spec.name)!;
    let values = await folder.weights.read(t.source);
    if (t.permuteHeads) values = permuteForLlamaRope(values, t.permuteHeads, spec.dims[0]);
    return encodeFloats(values, spec.type);
  });
}

/** chat_template from tokenizer_config.json's parsed object: a string, or the "default" of a named list. */
export function chatTemplateOf(tokenizerConfig: unknown): string | undefined {
  const t = (tokenizerConfig as { chat_template?: unknown } | null)?.chat_template;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const named = t.find((e) => (e as { name?: unknown })?.name === 'default') as { template?: unknown } | undefined;
    if (typeof named?.template === 'string') return named.template;
  }
  return undefined;
}
