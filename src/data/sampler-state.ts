// The sampler's saved position, checked field by field before the sampler touches it: a checkpoint's
// trainer_state.json carries it, and a hand-edited or damaged file must be refused with the field named
// rather than fail later as a read at a NaN offset.
import type { SamplerState } from './sampler';

export class SamplerStateError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'SamplerStateError';
  }
}

// A dataset with more sources than this is not one the page or the CLI can build.
const MAX_SOURCES = 10_000;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isU32 = (v: unknown): v is number => isCount(v) && v < 2 ** 32;
const show = (v: unknown): string => JSON.stringify(v)?.slice(0, 100) ?? String(v);

/** The value as a SamplerState, or a SamplerStateError naming the first bad field (e.g. `sources[0].position`). */
export function checkSamplerState(v: unknown): SamplerState {
  const fail = (field: string, message: string): never => {
    throw new SamplerStateError(field, message);
  };
  if (!isRecord(v)) return fail('(top level)', `must be an object, got ${show(v)}`);
  if (v.version !== 1) fail('version', `must be 1, got ${show(v.version)}`);
  const rng = v.rng;
  if (!Array.isArray(rng) || rng.length !== 4 || !rng.every(isU32)) fail('rng', `must be four 32-bit unsigned integers, got ${show(rng)}`);
  const sources = v.sources;
  if (!Array.isArray(sources)) return fail('sources', `must be a list, got ${show(sources)}`);
  if (sources.length > MAX_SOURCES) fail('sources', `has ${sources.length} entries, more than ${MAX_SOURCES}`);
  const names = new Set<string>();
  const checked = sources.map((s: unknown, i) => {
    const at = `sources[${i}]`;
    if (!isRecord(s)) return fail(at, `must be {name, epoch, position}, got ${show(s)}`);
    if (typeof s.name !== 'string') fail(`${at}.name`, `must be a string, got ${show(s.name)}`);
    if (names.has(s.name as string)) fail(`${at}.name`, `${show(s.name)} appears twice`);
    names.add(s.name as string);
    for (const f of ['epoch', 'position'] as const) {
      if (!isCount(s[f])) fail(`${at}.${f}`, `must be a non-negative integer, got ${show(s[f])}`);
    }
    return { name: s.name as string, epoch: s.epoch as number, position: s.position as number };
  });
  return { version: 1, rng: [...(rng as number[])] as SamplerState['rng'], sources: checked };
}
