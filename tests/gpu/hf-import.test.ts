// A released-looking Hugging Face folder (sharded, BF16, tied Llama) through the whole import path: read
// tensor by tensor into the engine, the engine's forward against an independent plain-JS forward of the same
// weights, a few training steps, export, and the exported folder checked by that plain forward and by
// re-import.
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineDevice } from '../../src/engine/device';
import { Engine, batchFromRows } from '../../src/engine/engine';
import { paramSpecs } from '../../src/model/params';
import { bodyBytes, sourcesInMemory, bytesSource } from '../../src/train/checkpoint/byte-source';
import { buildCheckpoint } from '../../src/train/checkpoint/checkpoint';
import { loadWeights, openHFFolder, type HFModelFolder } from '../../src/train/checkpoint/hf-folder';
import { expAvgName, expAvgSqName } from '../../src/train/checkpoint/trainer-state';
import { releasedFolder } from '../unit/checkpoint/hf-folder-fixture';
import { sameBits, trainerState } from '../unit/checkpoint/fixtures';
import { engineDevice } from './harness';
import { parseF32Safetensors, plainConfig, plainLogits, plainLosses } from './plain-forward';

let dev: EngineDevice;
beforeAll(async () => { dev = await engineDevice(); });

const B = 2, T = 16;
const TEXT = 'the rabbit ran in and out of the garden, then the hare ran on. ';

/** Two rows of T+1 tokens of real text through the folder's own tokenizer. */
function rows(folder: HFModelFolder): number[][] {
  const ids = folder.tokenizer.encode(TEXT.repeat(3));
  return [[folder.bosId, ...ids.slice(0, T)], ids.slice(T, 2 * T + 1)];
}

function maxRel(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < want.length; i++) { num = Math.max(num, Math.abs(got[i] - want[i])); den = Math.max(den, Math.abs(want[i])); }
  return num / den;
}

describe('importing a released-looking folder', () => {
  it('loads, matches an independent forward, trains, exports a tied Llama that re-imports identically', async () => {
    const fixture = releasedFolder();
    const folder = await openHFFolder(new Map([...fixture.files].map(([n, b]) => [n, bytesSource(b)])), 'SmolLM-tiny');
    const config = folder.config;
    const engine = await Engine.createTrainer(dev, config, { batchSize: B, seqLen: T, accumSteps: 1 }, { paramPieceBytes: 8192 });
    const progress: string[] = [];
    await loadWeights(folder, (name, v) => engine.store.write(name, v), (p) => progress.push(`${p.tensors}/${p.totalTensors}`));
    expect(progress.at(-1)).toBe(`${paramSpecs(config).length}/${paramSpecs(config).length}`);

    // Forward: every position's loss and one row of logits, against plain JS on the fixture's own values.
    const r = rows(folder);
    const batch = batchFromRows(Int32Array.from(r.flat()), B, T);
    const pc = plainConfig(fixture.config);
    const fromFixture = (name: string) => fixture.weights.get(name)!;
    const want = r.flatMap((row) => plainLosses(plainLogits(pc, fromFixture, row), row));
    const got = await engine.forwardLosses(batch);
    const lossRel = maxRel(got, want);
    const logits = await engine.logitsAt(batch, T + 3);
    const logitRel = maxRel(logits, plainLogits(pc, fromFixture, r[1].slice(0, T))[3]);
    console.log(`imported forward vs plain JS: losses ${lossRel.toExponential(2)}, logits ${logitRel.toExponential(2)} (max abs / max)`);
    expect(lossRel).toBeLessThan(1e-4);
    expect(logitRel).toBeLessThan(1e-4);

    // Continued training from the imported weights lowers the loss on this text.
    const losses: number[] = [];
    for (let s = 0; s < 4; s++) losses.push((await engine.trainStep([batch], 3e-3)).loss);
    console.log(`training from the import: ${losses.map((l) => l.toFixed(4)).join(' ')}`);
    expect(losses[3]).toBeLessThan(losses[0] - 0.05);

    // Export: same family, tied, no lm_head; readable by the plain forward from the raw bytes.
    const params = await engine.getParams();
    const moments = new Map<string, Float32Array>();
    for (const s of engine.store.specs) {
      moments.set(expAvgName(s.name), await engine.store.read(s.name, 'exp_avg'));
      moments.set(expAvgSqName(s.name), await engine.store.read(s.name, 'exp_avg_sq'));
    }
    const files = buildCheckpoint({
      config, tokenizerJSON: folder.tokenizerJSON, bosId: folder.bosId, eosId: folder.eosId, params, moments,
      trainerState: trainerState(config, folder.tokenizerJSON, 4),
    });
    const exportedConfig = JSON.parse(new TextDecoder().decode(await bodyBytes('config.json', files.get('config.json')!)));
    expect(exportedConfig).toMatchObject({ architectures: ['LlamaForCausalLM'], model_type: 'llama', tie_word_embeddings: true });
    const tensors = parseF32Safetensors(await bodyBytes('model.safetensors', files.get('model.safetensors')!));
    expect(tensors.has('lm_head.weight')).toBe(false);
    const exported = plainLogits(plainConfig(exportedConfig), (n) => tensors.get(n)!.data, r[0]);
    const trained = await engine.logitsAt(batch, 5);
    const exportRel = maxRel(trained, exported[5]);
    console.log(`trained engine vs plain JS on the exported folder: logits ${exportRel.toExponential(2)}`);
    expect(exportRel).toBeLessThan(1e-4);

    // Re-import gives the weights back bit for bit.
    const again = await openHFFolder(await sourcesInMemory(files), 'exported');
    expect(again.config).toEqual(config);
    await loadWeights(again, (name, v) => { expect(sameBits(v, params.get(name)!), name).toBe(true); });
    engine.destroy();
  }, 120_000);
});
