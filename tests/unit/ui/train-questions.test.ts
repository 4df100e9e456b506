// What Train asks before it starts (issue 14.5 and 14.1): nothing for a fresh page, a question naming the
// run that would be lost, or the autosave that would be overwritten, and the flag of a run of hours.
import { describe, expect, it } from 'vitest';
import { trainQuestion } from '../../../src/ui/train-questions';

const offer = { dataset: 'ds-1', step: 12, totalSteps: 26, savedAt: 0, label: 'tiny', bytes: 1 };

describe('trainQuestion', () => {
  it('asks nothing when nothing would be lost', () => {
    expect(trainQuestion({ continuable: null, offered: null, longRun: null })).toBeNull();
    expect(trainQuestion({ continuable: null, offered: { ...offer, step: 26 }, longRun: null })).toBeNull(); // a finished autosave
  });

  it('names the run that can continue and points to Resume', () => {
    const q = trainQuestion({ continuable: { step: 7, totalSteps: 20 }, offered: offer, longRun: null });
    expect(q?.title).toBe('Start a new run?');
    expect(q?.lines).toHaveLength(1);
    expect(q?.lines[0]).toMatch(/^The current run is at step 7 of 20 and can continue: press Resume for that\. A new run replaces it/);
    expect(q?.cancel).toBe('Keep the current run');
  });

  it('names the autosave not yet restored', () => {
    expect(trainQuestion({ continuable: null, offered: offer, longRun: null })?.lines[0]).toMatch(/^An autosaved tiny run at step 12 of 26 can be resumed/);
  });

  it('passes on the flag of a long run, as a sentence', () => {
    const q = trainQuestion({ continuable: null, offered: null, longRun: 'this run would take about 3h 00m here' });
    expect(q).toEqual({ title: 'Start a long run?', lines: ['This run would take about 3h 00m here.'], confirm: 'Start anyway', cancel: 'Cancel' });
  });
});
