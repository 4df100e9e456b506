// A LoRA run's files in the page, without a GPU: the merged folder is the imported base with W + s B A on the
// adapted weights only (the rest bit-identical to the folder's), its family, tie and chat template kept; and
// the refusals a LoRA start or restore gives, naming what is missing; a whole-model checkpoint refused while a
// model is imported.
import { describe, expect, it } from 'vitest';
import { initLora, loraNames, mergeLora, targetShape, validateLora } from '../../../src/model/lora';
import { bodyBytes, bytesSource, sourcesInMemory } from '../../../src/train/checkpoint/byte-source';
import { buildAdapterFiles } from '../../../src/train/checkpoint/peft-adapter';
import { openSafetensors } from '../../../src/train/checkpoint/safetensors';
import { openImportedModel } from '../../../src/worker/model-import';
import type { Compute } from '../../../src/worker/train-compute';
import { checkLora, isAdapterFolder, mergedModelFiles, readLoraRestore } from '../../../src/worker/train-lora';
import { releasedFolder } from '../checkpoint/hf-folder-fixture';
import { buildCheckpoint } from '../../../src/train/checkpoint/checkpoint';
import { zipToBlob } from '../../../src/train/checkpoint/zip-write';
import { createTrainApi } from '../../../src/worker/train-service';
import { tinyInput } from '../checkpoint/fixtures';

const TEMPLATE = "{% for m in messages %}{{ m['content'] }}{% endfor %}";

async function imported() {
  const f = releasedFolder();
  f.files.set('tokenizer_config.json', new TextEncoder().encode(JSON.stringify({ eos_token: '<|im_end|>', chat_template: TEMPLATE })));
  const m = await openImportedModel([...f.files].map(([name, b]) => ({ name, file: new File([new Uint8Array(b)], name) })), 'base-test');
  return { m, f };
}

const tfjs = { report: { kind: 'tfjs' }, dev: null, onFailure: () => undefined } as unknown as Compute;
const gpu = { report: { kind: 'webgpu' }, dev: {}, onFailure: () => undefined } as unknown as Compute;

describe('a LoRA run on an imported model, in the worker', () => {
  it('merges the adapter into a plain folder of the base: W + s B A on q and v only, the chat template kept', async () => {
    const { m, f } = await imported();
    const lora = validateLora({ rank: 2, alpha: 8, targets: ['q_proj', 'v_proj'] });
    const adapter = initLora(m.folder.config, lora, 3);
    for (const [name, v] of adapter) if (name.endsWith('lora_B.weight')) v.forEach((_, i) => { v[i] = 0.01 * ((i % 7) - 3); });
    const files = mergedModelFiles(m, lora, adapter);
    const config = JSON.parse(new TextDecoder().decode(await bodyBytes('config.json', files.get('config.json')!))) as Record<string, unknown>;
    expect(config).toMatchObject({ architectures: ['LlamaForCausalLM'], tie_word_embeddings: true });
    const tokConfig = JSON.parse(new TextDecoder().decode(await bodyBytes('tokenizer_config.json', files.get('tokenizer_config.json')!))) as Record<string, unknown>;
    expect(tokConfig).toMatchObject({ chat_template: TEMPLATE, eos_token: '<|im_end|>' });
    const model = await openSafetensors(bytesSource(await bodyBytes('model.safetensors', files.get('model.safetensors')!)), 'model.safetensors');
    const q = 'model.layers.1.self_attn.q_proj.weight', n = loraNames(1, 'q_proj');
    const want = mergeLora(f.weights.get(q)!, adapter.get(n.A)!, adapter.get(n.B)!, targetShape(m.folder.config, 'q_proj'), 2, 4);
    expect([...await model.read(q)]).toEqual([...want]);
    const k = 'model.layers.1.self_attn.k_proj.weight';
    expect([...await model.read(k)]).toEqual([...f.weights.get(k)!]); // not a target: the base's values
  });

  it('refuses a LoRA start without an imported model or on the tfjs fallback, and a bad rank as LoRA rank', async () => {
    const { m } = await imported();
    const req = { rank: 4, alpha: 8, targets: ['q_proj' as const] };
    expect(() => checkLora(req, null, gpu, 'auto')).toThrow(/LoRA trains an adapter on an imported model: import one first/);
    expect(() => checkLora(req, m, tfjs, 'auto')).toThrow(/LoRA runs on the WebGPU engine only/);
    expect(() => checkLora({ ...req, rank: 0 }, m, gpu, 'auto')).toThrow('LoRA rank must be a positive integer, got 0');
    expect(checkLora(req, m, gpu, 'auto')).toEqual({ rank: 4, alpha: 8, targets: ['q_proj'] });
  });

  it('knows an adapter zip, and refuses to resume one without its base or without trainer state', async () => {
    const { m } = await imported();
    const lora = validateLora({ rank: 2, alpha: 4, targets: ['v_proj'] });
    const files = await sourcesInMemory(buildAdapterFiles({ base: m.folder.config, lora, baseModel: 'base-test', tensors: initLora(m.folder.config, lora, 1) }));
    expect(isAdapterFolder(files)).toBe(true);
    await expect(readLoraRestore(files, null)).rejects.toThrow(/this is a LoRA adapter \(adapter_config\.json\): import its base model first/);
    await expect(readLoraRestore(files, m)).rejects.toThrow(/trainer_state\.json: missing, so this adapter cannot resume training/);
  });

  it('refuses a whole-model checkpoint zip while a model is imported, saying how to let go of it', async () => {
    const f = releasedFolder();
    const api = createTrainApi({
      openCompute: async () => tfjs,
      openDataset: async () => { throw new Error('not reached'); },
      saveAutosave: async () => { throw new Error('not used'); },
      autosaveInfo: async () => null, autosaveBlob: async () => null, discardAutosave: async () => undefined,
    });
    await api.importModel([...f.files].map(([name, b]) => ({ name, file: new File([new Uint8Array(b)], name) })), 'held-model');
    const zip = await zipToBlob(buildCheckpoint(tinyInput()), { folder: 'run' });
    const opts = { sample: { prompt: '', maxTokens: 1, temperature: 0, topK: 0, seed: 1, everySteps: 0 }, autosaveSeconds: 0, engine: 'auto' as const };
    await expect(api.importCheckpoint(zip, 'run.zip', opts)).rejects.toThrow(
      /held-model is imported to start from, and a whole-model checkpoint brings its own weights: press "Use a preset instead"/);
  });
});
