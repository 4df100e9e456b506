// Request strings against the ones lm-evaluation-harness builds: fixtures/harness-requests.json holds a row
// in each task's Hugging Face layout and the exact (context, continuation) pairs the harness makes of it,
// derived under Python by fixtures/harness_strings.py, a transcription of the harness's task definitions.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { textRequests } from '../../../src/eval/prompt';
import { taskByName } from '../../../src/eval/task-registry';
import { pyCapitalize } from '../../../src/eval/tasks/py-string';

interface Case {
  task: string;
  row: Record<string, unknown>;
  shots: Record<string, unknown>[];
  gold: number;
  requests: { context: string; continuation: string }[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/harness-requests.json', import.meta.url), 'utf8')) as
  { cases: Record<string, Case>; capitalize: Record<string, string> };

describe('request strings as the harness builds them', () => {
  for (const [name, c] of Object.entries(fixture.cases)) {
    it(name, () => {
      const task = taskByName(c.task)!;
      const doc = task.fromRow(c.row);
      expect(doc.gold).toBe(c.gold);
      expect(textRequests(doc, c.shots.map((s) => task.fromRow(s)))).toEqual(c.requests);
    });
  }

  it("ctx_b is capitalised as Python's str.capitalize does", () => {
    for (const [input, py] of Object.entries(fixture.capitalize)) expect(pyCapitalize(input), input).toBe(py);
  });
});
