// The page's synthesis request: its limits refused by field, and a plan's OPFS folder naming everything that
// changes a record (so a resumed file only ever continues its own plan) while the file follows the template.
import { describe, expect, it } from 'vitest';
import { checkSynthRequest, synthPath } from '../../../src/worker/train-synth';
import type { SynthRequest } from '../../../src/worker/synth-api';

const REQ: SynthRequest = { dataset: 'ds-abc', n: 6, maxTokens: 8, template: 'mixed', temperature: 0.8, topK: 40, seed: 1 };

describe('page synthesis requests', () => {
  it('accepts the defaults and refuses each limit by its name', () => {
    expect(() => checkSynthRequest(REQ)).not.toThrow();
    expect(() => checkSynthRequest({ ...REQ, n: 0 })).toThrow(/^Samples must be a whole number from 1 to 2000, got 0$/);
    expect(() => checkSynthRequest({ ...REQ, n: 2001 })).toThrow(/Samples/);
    expect(() => checkSynthRequest({ ...REQ, maxTokens: 1.5 })).toThrow(/^Max tokens must be a whole number from 1 to 1024/);
    expect(() => checkSynthRequest({ ...REQ, template: 'poem' })).toThrow(/unknown template "poem"/);
    expect(() => checkSynthRequest({ ...REQ, template: 'qa' })).not.toThrow();
  });

  it('keeps each plan in its own folder, the file named by the template', () => {
    const a = synthPath(REQ, 'released llama');
    expect(a).toEqual({ folder: 'ds-abc-released-llama-n6-t8-T0.8-k40-s1', file: 'synthetic-mixed.jsonl' });
    for (const other of [{ n: 7 }, { maxTokens: 9 }, { temperature: 0 }, { topK: 0 }, { seed: 2 }, { dataset: 'ds-x' }]) {
      expect(synthPath({ ...REQ, ...other }, 'released llama').folder).not.toBe(a.folder);
    }
    expect(synthPath(REQ, 'other').folder).not.toBe(a.folder);
  });
});
