// Input problems for report.json: counts by kind and by file are exact for every file; examples are listed
// up to the report's cap, at most PROBLEM_EXAMPLES_PER_FILE from one file, so a single file with thousands of
// bad lines cannot crowd every other bad file out of the list.
import type { InputProblem, ProblemKind } from './read/problems';

export const PROBLEM_EXAMPLES_PER_FILE = 100;

export interface FileProblems {
  file: string;
  total: number;
  counts: Partial<Record<ProblemKind, number>>;
}

export interface ProblemsReport {
  counts: Partial<Record<ProblemKind, number>>;
  /** Every file with a problem, in the order first seen. */
  files: FileProblems[];
  /** Examples: at most maxProblems in all and PROBLEM_EXAMPLES_PER_FILE per file. */
  list: InputProblem[];
}

export class ProblemTally {
  private readonly counts: Partial<Record<ProblemKind, number>> = {};
  private readonly files = new Map<string, FileProblems>();
  private readonly list: InputProblem[] = [];

  constructor(private readonly maxListed: number) {}

  add(p: InputProblem): void {
    this.counts[p.kind] = (this.counts[p.kind] ?? 0) + 1;
    let f = this.files.get(p.file);
    if (!f) { f = { file: p.file, total: 0, counts: {} }; this.files.set(p.file, f); }
    f.total++;
    f.counts[p.kind] = (f.counts[p.kind] ?? 0) + 1;
    if (f.total <= PROBLEM_EXAMPLES_PER_FILE && this.list.length < this.maxListed) this.list.push(p);
  }

  report(): ProblemsReport {
    return { counts: this.counts, files: [...this.files.values()], list: this.list };
  }
}
