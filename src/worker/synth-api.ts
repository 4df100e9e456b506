// The page's synthetic-text request (HARE's D2) to the training worker, and what comes back: kept apart from
// train-api.ts so the synthesis types sit with the one call that uses them.
import type { SynthProgress } from '../data/synth/synth';

export type { SynthProgress } from '../data/synth/synth';

/** The most samples one page request may ask for (the CLI has no limit). */
export const MAX_SYNTH_SAMPLES = 2000;

export interface SynthRequest {
  /** The prepared dataset (its OPFS folder) whose cleaned records seed the prompts. */
  dataset: string;
  n: number;
  maxTokens: number;
  /** One of DEFAULT_SYNTH_TEMPLATES' names, or 'mixed' for all of them spread over the seeds. */
  template: string;
  temperature: number;
  topK: number;
  seed: number;
}

export interface SynthOutcome {
  /** The JSONL output as it is in OPFS now (read it before the next generation rewrites the file). */
  file: File;
  /** Records in the file, resumed ones included, of `total`. */
  done: number;
  total: number;
  generated: number;
  resumed: number;
  tokens: number;
  tokensPerSecond: number;
  cancelled: boolean;
  /** How the seeds were drawn, in words (drawSeeds). */
  method: string;
}

export type SynthListener = (p: SynthProgress) => void;
