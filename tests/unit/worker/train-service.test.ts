// The training worker's API when the GPU fails under it (issue 14.1): a start that fails, or whose device is
// lost while it builds, puts the page back to a failed (idle) state with a plain message instead of leaving
// it on "building the model"; a lost device is reopened for the next start.
import { describe, expect, it } from 'vitest';
import { HARE_TRAIN_DEFAULTS } from '../../../src/train/config';
import { PRESETS } from '../../../src/model/presets';
import type { Compute } from '../../../src/worker/train-compute';
import type { StartRequest, TrainEvent } from '../../../src/worker/train-api';
import { createTrainApi, type TrainServiceDeps } from '../../../src/worker/train-service';

const request: StartRequest = {
  dataset: 'ds-test', model: PRESETS.tiny, train: { ...HARE_TRAIN_DEFAULTS, steps: 5 },
  sample: { prompt: 'x', maxTokens: 4, temperature: 0, topK: 0, seed: 1, everySteps: 0 }, autosaveSeconds: 0, engine: 'auto',
};

function harness(openDataset: TrainServiceDeps['openDataset']) {
  const failures: ((message: string, lost: boolean) => void)[] = [];
  let opened = 0;
  const compute = (): Compute => ({
    report: { kind: 'webgpu', name: 'fake', adapter: null, fallbackReason: null, emulated: true },
    dev: null,
    onFailure: (f) => { failures.push(f); },
  });
  const api = createTrainApi({
    openCompute: async () => { opened++; return compute(); },
    openDataset,
    saveAutosave: async () => { throw new Error('not used'); },
    autosaveInfo: async () => null,
    autosaveBlob: async () => null,
    discardAutosave: async () => undefined,
  });
  const events: TrainEvent[] = [];
  void api.listen((e) => { events.push(e); });
  return { api, events, failures, opened: () => opened };
}

const states = (events: TrainEvent[]) => events.filter((e) => e.type === 'state').map((e) => (e as { state: string; message: string }));

describe('the training worker when the GPU fails', () => {
  it('a failed start says why in plain words, goes to failed, and a second start is not refused as "a run is going"', async () => {
    const h = harness(async () => { throw new Error('Instance dropped in popErrorScope'); });
    await expect(h.api.start(request)).rejects.toThrow(/^the GPU device stopped answering \(Instance dropped in popErrorScope\); most often the model did not fit/);
    expect(states(h.events).at(-1)).toEqual({ type: 'state', state: 'failed', step: 0, message: expect.stringMatching(/^training failed to start: the GPU device stopped answering/) });
    await expect(h.api.start(request)).rejects.toThrow(/stopped answering/); // not "a run is going"
  });

  it('a device lost while the model builds ends the start, and the next start opens a new device', async () => {
    const h = harness(() => new Promise(() => undefined)); // the build never finishes on its own
    await h.api.probe();
    expect(h.opened()).toBe(1);
    const start = h.api.start(request);
    await new Promise((r) => setTimeout(r, 10));
    for (const f of h.failures) f('the GPU device stopped answering (device lost: out of memory)', true);
    await expect(start).rejects.toThrow(/device lost: out of memory/);
    expect(states(h.events).at(-1)?.state).toBe('failed');
    await h.api.probe();
    expect(h.opened()).toBe(2);
  });

  it('a refused start while a build is going leaves that build alone', async () => {
    const h = harness(() => new Promise(() => undefined));
    void h.api.start(request).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 10));
    await expect(h.api.start(request)).rejects.toThrow(/a run is going/);
    expect(states(h.events).filter((s) => s.state === 'failed')).toEqual([]);
  });
});
