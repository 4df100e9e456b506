// The fuzz suite at CI size: every family, a few dozen seeded malformed inputs each (FUZZ_COUNT to change),
// 0 crashes, hangs, unnamed refusals, lost records or violations. `npm run fuzz` runs the nightly size.
import { describe, expect, it } from 'vitest';
import { failuresOf, familyNames, formatReports, runFamily } from '../fuzz/runner';

const count = Number(process.env.FUZZ_COUNT ?? 40);

describe('fuzz (seeded, CI size)', () => {
  for (const name of familyNames()) {
    it(`${name}: ${count} malformed inputs, no crash, hang, unnamed refusal or lost record`, async () => {
      const report = await runFamily(name, { count, seed: 20261201, budgetMs: 20_000 });
      if (failuresOf(report) > 0) console.log(formatReports([report]));
      expect(report.inputs).toBe(count);
      expect(failuresOf(report), formatReports([report])).toBe(0);
    }, 600_000);
  }
});
