// The fuzz runner's child process: runs inputs [from, from + count) of one family and reports each over IPC
// before and after it runs, so the parent can tell a hang from a slow input and name the input that hung.
import { inputRng, type FuzzCase, type Verdict } from './family';
import { families } from './families/index';

export type ChildMessage =
  | { type: 'start'; i: number; label: string }
  | { type: 'done'; i: number; verdict: Verdict; ms: number }
  | { type: 'end' };

const [name, seedArg, fromArg, countArg] = process.argv.slice(2);
const family = families.find((f) => f.name === name);
if (!family) throw new Error(`no fuzz family named ${name}`);
const seed = Number(seedArg) >>> 0;
const from = Number(fromArg);
const count = Number(countArg);
const send = (m: ChildMessage) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

function judge(input: FuzzCase, messages: string[], kept: number, violations: string[]): Verdict {
  const unnamed = messages.find((m) => !m.includes(input.fileName));
  if (unnamed !== undefined) return { kind: 'unnamed', detail: unnamed.slice(0, 300) };
  if (input.mustKeep !== undefined && kept < input.mustKeep) {
    return { kind: 'lost', detail: `kept ${kept} of ${input.mustKeep} valid records` };
  }
  if (violations.length > 0) return { kind: 'violation', detail: violations.join('; ').slice(0, 300) };
  return { kind: messages.length > 0 ? 'refused' : 'accepted' };
}

for (let i = from; i < from + count; i++) {
  const input = await family.make(inputRng(seed, family.name, i), i);
  await send({ type: 'start', i, label: input.label });
  const t0 = performance.now();
  let verdict: Verdict;
  try {
    const r = await family.run(input);
    verdict = judge(input, r.messages, r.kept, r.violations ?? []);
  } catch (e) {
    const err = e as Error;
    const message = String(err?.message ?? err);
    verdict = message.includes(input.fileName)
      ? { kind: 'refused' }
      : { kind: 'crash', detail: `${err?.name ?? 'Error'}: ${message.slice(0, 300)}` };
  }
  await send({ type: 'done', i, verdict, ms: performance.now() - t0 });
}
await send({ type: 'end' });
process.exit(0);
