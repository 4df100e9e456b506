// Types of make-sotu-tasks.mjs for the TypeScript tests.
export interface SotuTrainRow { year: number; question: string; choices: string[]; answer: number }
export interface SotuBenchmarkRow { year: number; context: string; choices: string[]; gold: number }
export interface SotuTasks {
  train: SotuTrainRow[];
  test: SotuBenchmarkRow[];
  trainYears: number[];
  testYears: number[];
  chance: number;
}
export const QUESTION: (year: number) => string;
export const CONTEXT: (year: number) => string;
export function makeSotuTasks(records: readonly unknown[], options?: { seed?: number; testFraction?: number; choices?: number }): SotuTasks;
