// The page's loading gate (issue 7.1): while anything it tracks is pending, the controls get one sentence
// naming what is awaited; the moment the last task settles, resolved or failed, they get null.
import { describe, expect, it } from 'vitest';
import { LoadingGate } from '../../../src/ui/loading-gate';

describe('LoadingGate', () => {
  it('names what is pending and clears once everything has settled, failures included', async () => {
    const seen: (string | null)[] = [];
    const gate = new LoadingGate((r) => seen.push(r));
    let finishCorpus!: () => void;
    let failAdapter!: (e: Error) => void;
    const corpus = gate.track('loading the default corpus', new Promise<void>((r) => { finishCorpus = r; }));
    const adapter = gate.track('opening the GPU adapter', new Promise<void>((_, reject) => { failAdapter = reject; }));
    expect(gate.reason).toBe('Wait: loading the default corpus, opening the GPU adapter…');
    finishCorpus();
    await corpus;
    expect(gate.reason).toBe('Wait: opening the GPU adapter…');
    failAdapter(new Error('no adapter'));
    await expect(adapter).rejects.toThrow('no adapter');
    expect(gate.reason).toBeNull();
    expect(seen.at(-1)).toBeNull();
    expect(seen.filter((r) => r === null)).toHaveLength(1); // enabled once, at the end
  });
});
