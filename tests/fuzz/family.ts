// What a fuzz family is: a maker of malformed inputs for one reader or import path, and a way to feed one
// input to it. The runner (runner.ts) judges every outcome the same way for every family:
//   crash    : run() threw an error whose message does not name the input's file (a raw TypeError,
//              RangeError, "Maximum call stack size exceeded", ...);
//   hang     : one input took longer than the per-input budget (the child is killed and restarted);
//   unnamed  : a refusal or problem message that does not name the file;
//   lost     : fewer records kept than the input's known-valid records around the fault (mustKeep);
//   violation: a family-specific check failed (the family returns it in `violations`).
// A thrown error that names the file is a clean refusal (loaders of one file refuse by throwing).
import { hashUnit, Xoshiro128 } from '../../src/data/rng';

export type Rng = Xoshiro128;

export interface FuzzCase {
  /** How the input was made, e.g. "flip byte 13" or "nest 5000 deep": shown when the case fails. */
  label: string;
  /** The file name the reader is given; every message about this input must contain it. */
  fileName: string;
  bytes: Uint8Array;
  /** Valid records the input still holds around the fault: a correct reader keeps at least this many. */
  mustKeep?: number;
}

export interface FuzzResult {
  /** Every refusal or problem message the reader produced for this input. */
  messages: string[];
  /** Records (documents, rows, tensors...) the reader kept. */
  kept: number;
  /** Family-specific failures, e.g. "problem message has no line number". */
  violations?: string[];
}

export interface FuzzFamily {
  name: string;
  /** What the family feeds, for the table (e.g. "JSONL reader through the pipeline"). */
  describe: string;
  /** The i-th malformed input; deterministic for a given rng state. */
  make(rng: Rng, i: number): FuzzCase | Promise<FuzzCase>;
  /** Feeds one input to the reader. Throws only as the reader itself throws. */
  run(input: FuzzCase): Promise<FuzzResult>;
}

/** The verdict on one input. */
export type Verdict =
  | { kind: 'accepted' | 'refused' }
  | { kind: 'crash' | 'unnamed' | 'lost' | 'violation' | 'hang'; detail: string };

/** Each input has a generator of its own, so input i is the same whether or not the inputs before it ran. */
export function inputRng(seed: number, family: string, i: number): Xoshiro128 {
  let h = 0x811c9dc5;
  for (let k = 0; k < family.length; k++) h = Math.imul(h ^ family.charCodeAt(k), 0x01000193) >>> 0;
  // Hashed, not used as raw state: neighbouring states give correlated first outputs in xoshiro.
  return new Xoshiro128(Math.floor(hashUnit(seed | 0, h | 0, i | 0) * 4294967296));
}
