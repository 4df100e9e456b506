import { describe, expect, it } from 'vitest';
import { paramSpecs, numel } from '../../../src/model/params';
import { blobSource, bodyBytes, bytesSource, sourcesInMemory, type ByteSource, type FileBody } from '../../../src/train/checkpoint/byte-source';
import { buildCheckpoint, CHECKPOINT_FILES as F, type CheckpointFiles } from '../../../src/train/checkpoint/checkpoint';
import { readCheckpoint, type LoadedCheckpoint } from '../../../src/train/checkpoint/checkpoint-read';
import { hfConfig } from '../../../src/train/checkpoint/hf-config';
import { openSafetensors, safetensorsFile, safetensorsLayout } from '../../../src/train/checkpoint/safetensors';
import { momentSpecs, serializeTrainerState } from '../../../src/train/checkpoint/trainer-state';
import { openZip } from '../../../src/train/checkpoint/zip-read';
import { zipChunks, zipToBlob } from '../../../src/train/checkpoint/zip-write';
import { collect, fingerprint, sameBits, TINY, tinyInput, tokenizerJSON, trainerState } from './fixtures';

const enc = (s: string) => new TextEncoder().encode(s);
const json = (v: unknown) => enc(JSON.stringify(v));

/** Checks everything a resume needs came back exactly as it went in. */
async function expectSame(loaded: LoadedCheckpoint, input: ReturnType<typeof tinyInput>) {
  expect(loaded.config).toEqual(input.config);
  expect([loaded.bosId, loaded.eosId]).toEqual([input.bosId, input.eosId]);
  expect(loaded.tokenizerJSON).toEqual(input.tokenizerJSON);
  expect(loaded.trainerState).toEqual(input.trainerState);
  expect(loaded.warnings).toEqual([]);
  for (const [name, v] of input.params) expect(sameBits(await loaded.readParam(name), v), name).toBe(true);
  for (const [name, v] of input.moments) expect(sameBits(await loaded.readMoment(name), v), name).toBe(true);
}

/** A tensor file with the checkpoint's layout rules but any tensors, for building bad checkpoints. */
async function tensorFile(specs: { name: string; shape: readonly number[] }[], metadata: Record<string, string> = { format: 'pt' }) {
  const layout = safetensorsLayout(specs.map((s) => ({ ...s, dtype: 'F32' as const })), metadata);
  return bodyBytes('t', safetensorsFile(layout, (name) => new Float32Array(numel(specs.find((s) => s.name === name)!.shape))));
}

const read = async (files: CheckpointFiles, options: Partial<Parameters<typeof readCheckpoint>[1]> = {}) =>
  readCheckpoint(await sourcesInMemory(files), { fingerprint, ...options });

const withFile = (files: CheckpointFiles, name: string, body: FileBody | undefined): CheckpointFiles => {
  const copy = new Map(files);
  if (body === undefined) copy.delete(name);
  else copy.set(name, body);
  return copy;
};

describe('checkpoint round trips', () => {
  it('holds the Hugging Face folder plus the trainer state', async () => {
    const input = tinyInput();
    const files = buildCheckpoint(input);
    expect([...files.keys()].sort()).toEqual(Object.values(F).sort());
    const text = async (name: string) => JSON.parse(new TextDecoder().decode(await bodyBytes(name, files.get(name)!)));
    expect(await text(F.config)).toEqual(hfConfig(TINY, { bosId: 1, eosId: 2 }));
    expect(await text(F.tokenizerConfig)).toMatchObject({ bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>', model_max_length: 64 });
    expect(await text(F.generationConfig)).toMatchObject({ bos_token_id: 1, eos_token_id: 2 });
    const model = await openSafetensors(bytesSource(await bodyBytes(F.model, files.get(F.model)!)), F.model);
    expect([...model.tensors.keys()]).toEqual(paramSpecs(TINY).map((p) => p.name));
    expect(model.metadata).toEqual({ format: 'pt' });
  });

  it('reads back bit-exactly from memory', async () => {
    const input = tinyInput();
    await expectSame(await read(buildCheckpoint(input)), input);
  });

  it('reads back bit-exactly through a zip, with tensors fetched asynchronously into a reused buffer', async () => {
    const input = tinyInput();
    const scratch = new Float32Array(4096);
    const fetched: string[] = [];
    // Like a GPU readback: async, one tensor at a time, into memory that the next read overwrites.
    const viaScratch = (map: Map<string, Float32Array>) => async (name: string) => {
      fetched.push(name);
      await new Promise((r) => setTimeout(r, 0));
      const v = map.get(name)!;
      scratch.set(v);
      return scratch.subarray(0, v.length);
    };
    const files = buildCheckpoint({ ...input, params: viaScratch(input.params), moments: viaScratch(input.moments) });
    expect(fetched).toEqual([]); // nothing read until the files stream
    const archive = await collect(zipChunks(files, { folder: 'tiny-step-120' }));
    expect(fetched.length).toBe(input.params.size + input.moments.size);
    await expectSame(await readCheckpoint(await openZip(bytesSource(archive)), { fingerprint }), input);
  });

  it('reads back bit-exactly from a downloaded Blob', async () => {
    const input = tinyInput();
    const blob = await zipToBlob(buildCheckpoint(input), { folder: 'run' });
    await expectSame(await readCheckpoint(await openZip(blobSource(blob), { name: 'run.zip' }), { fingerprint }), input);
  });

  it('accepts the expected config and tokenizer when they match', async () => {
    const input = tinyInput();
    const loaded = await read(buildCheckpoint(input), { expected: { config: { ...TINY }, tokenizerFingerprint: fingerprint(input.tokenizerJSON) } });
    expect(loaded.trainerState.step).toBe(120);
  });
});

describe('building refuses inconsistent input', () => {
  it('a trainer state for another model', () => {
    const input = tinyInput();
    expect(() => buildCheckpoint({ ...input, trainerState: { ...input.trainerState, modelConfig: { ...TINY, dim: 32, hiddenDim: 48 } } }))
      .toThrow('trainer_state.json: modelConfig does not match the config being saved: dim is 32, expected 16');
  });

  it('a BOS id the tokenizer does not have', () => {
    expect(() => buildCheckpoint({ ...tinyInput(), bosId: 40 })).toThrow('tokenizer.json: has no token with id 40 (the BOS token)');
  });

  it('a parameter map with a tensor missing or of the wrong size', () => {
    const input = tinyInput();
    const missing = new Map(input.params);
    missing.delete('model.norm.weight');
    expect(() => buildCheckpoint({ ...input, params: missing })).toThrow('model.safetensors: no values given for model.norm.weight');
    const short = new Map(input.moments).set('lm_head.weight.exp_avg', new Float32Array(3));
    expect(() => buildCheckpoint({ ...input, moments: short })).toThrow('optimizer.safetensors: lm_head.weight.exp_avg has 3 values, its shape [32, 16] needs 512');
  });

  it('a getter that returns the wrong size, when the file streams', async () => {
    const files = buildCheckpoint({ ...tinyInput(), params: () => new Float32Array(2) });
    await expect(bodyBytes(F.model, files.get(F.model)!)).rejects.toThrow('model.safetensors: tensor model.embed_tokens.weight is 2 values; its shape [32, 16] needs 512');
  });
});

describe('reading refuses a corrupt or mismatched checkpoint', () => {
  const files = buildCheckpoint(tinyInput());
  const params = paramSpecs(TINY).map(({ name, shape }) => ({ name, shape }));
  const Q = 'model.layers.0.self_attn.q_proj.weight';

  it.each<[string, () => Promise<CheckpointFiles> | CheckpointFiles, string]>([
    ['files missing', () => withFile(withFile(files, F.trainerState, undefined), F.optimizer, undefined),
      'checkpoint: trainer_state.json, optimizer.safetensors missing'],
    ['config.json that is not JSON', () => withFile(files, F.config, enc('{"hidden_size": 16,')), 'config.json: is not valid JSON'],
    ['config.json with a bad field', () => withFile(files, F.config, json({ ...hfConfig(TINY, { bosId: 1, eosId: 2 }), num_key_value_heads: 3 })),
      'config.json: num_key_value_heads: must divide nHeads (4 is not a multiple of 3)'],
    ['config.json and trainer_state.json disagreeing', () => withFile(files, F.config, json({ ...hfConfig(TINY, { bosId: 1, eosId: 2 }), rope_theta: 500000 })),
      'trainer_state.json: modelConfig does not match config.json: ropeTheta is 10000, expected 500000'],
    ['a trainer state that is not ours', () => withFile(files, F.trainerState, json({ global_step: 3 })), 'trainer_state.json: is not a Leveret trainer state'],
    ['a tokenizer.json other than the one trained with', () => withFile(files, F.tokenizer, json(tokenizerJSON('y'))),
      `tokenizer.json: is not the tokenizer trainer_state.json was trained with (fingerprint ${fingerprint(tokenizerJSON('y'))} ≠ ${fingerprint(tokenizerJSON())})`],
    ['a truncated model.safetensors', async () => withFile(files, F.model, (await bodyBytes(F.model, files.get(F.model)!)).subarray(0, 3000)),
      'model.safetensors: tensor model.embed_tokens.weight: data_offsets [0, 2048] run past the end of the data (928 bytes)'],
    ['a tensor of the wrong shape', async () => withFile(files, F.model, await tensorFile(params.map((p) => (p.name === Q ? { name: Q, shape: [16, 8] } : p)))),
      `model.safetensors: ${Q} has shape [16, 8], the config needs [16, 16]`],
    ['a tensor missing', async () => withFile(files, F.model, await tensorFile(params.filter((p) => p.name !== 'model.norm.weight'))),
      'model.safetensors: is missing 1 tensor(s) the config needs: model.norm.weight'],
    ['an extra layer the config does not have', async () => withFile(files, F.model, await tensorFile([...params, { name: 'model.layers.2.mlp.up_proj.weight', shape: [24, 16] }])),
      'model.safetensors: has 1 tensor(s) the config does not account for: model.layers.2.mlp.up_proj.weight'],
    ['an optimizer moment missing', async () => withFile(files, F.optimizer, await tensorFile(momentSpecs(TINY).slice(1), { format: 'pt', step: '120' })),
      'optimizer.safetensors: is missing 1 tensor(s) the config needs: model.embed_tokens.weight.exp_avg'],
    ['moments from another save', () => withFile(files, F.trainerState, enc(serializeTrainerState(trainerState(TINY, tokenizerJSON(), 130)))),
      'optimizer.safetensors: was saved at step 120, trainer_state.json at step 130'],
  ])('%s', async (_, make, message) => {
    await expect(read(await make())).rejects.toThrow(message);
  });

  it('a model other than the expected one', async () => {
    await expect(read(files, { expected: { config: { ...TINY, dim: 32, hiddenDim: 48 } } }))
      .rejects.toThrow('config.json: this checkpoint is a different model: dim is 16, expected 32; hiddenDim is 24, expected 48');
  });

  it('a checkpoint trained with another tokenizer than the one in use', async () => {
    await expect(read(files, { expected: { tokenizerFingerprint: 'c3d4' } }))
      .rejects.toThrow(`tokenizer.json: this checkpoint was trained with another tokenizer (fingerprint ${fingerprint(tokenizerJSON())} ≠ c3d4)`);
  });

  it('ignores a stale rotary_emb.inv_freq buffer, with a warning', async () => {
    const inv = 'model.layers.0.self_attn.rotary_emb.inv_freq';
    const loaded = await read(withFile(files, F.model, await tensorFile([...params, { name: inv, shape: [2] }])));
    expect(loaded.warnings).toEqual([`model.safetensors: ignored ${inv} (derived from rope_theta)`]);
  });

  it('a tensor name outside the model, when asked for one', async () => {
    const loaded = await read(files);
    await expect(loaded.readParam('model.layers.9.mlp.up_proj.weight')).rejects.toThrow('model.safetensors: model.layers.9.mlp.up_proj.weight is not part of this model');
    await expect(loaded.readMoment('lm_head.weight')).rejects.toThrow('optimizer.safetensors: lm_head.weight is not part of this model');
  });

  it('reads a model saved in bfloat16 by Hugging Face tools, widened to float32', async () => {
    // The same tensors as BF16: keep each float's top 16 bits.
    const input = tinyInput();
    const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
    const parts: Uint8Array[] = [];
    let at = 0;
    for (const { name, shape } of params) {
      const halves = new Uint16Array(new Uint32Array(input.params.get(name)!.buffer).map((b) => b >>> 16));
      header[name] = { dtype: 'BF16', shape, data_offsets: [at, at + halves.byteLength] };
      parts.push(new Uint8Array(halves.buffer));
      at += halves.byteLength;
    }
    const text = enc(JSON.stringify(header).padEnd(Math.ceil(JSON.stringify(header).length / 8) * 8, ' '));
    const file = new Uint8Array(8 + text.length + at);
    new DataView(file.buffer).setBigUint64(0, BigInt(text.length), true);
    file.set(text, 8);
    parts.reduce((o, p) => (file.set(p, o), o + p.length), 8 + text.length);
    const loaded = await read(withFile(files, F.model, file));
    const got = await loaded.readParam(Q);
    const want = new Float32Array(new Uint32Array(input.params.get(Q)!.buffer).map((b) => b & 0xffff0000).buffer);
    expect(sameBits(got, want)).toBe(true);
  });
});

describe('sources', () => {
  it('refuse reads outside their range', async () => {
    const s: ByteSource = bytesSource(new Uint8Array(4));
    await expect(s.read(2, 3)).rejects.toThrow('outside a source of 4 bytes');
  });
});
