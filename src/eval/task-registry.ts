// Every task by name, with its row layout and the Open LLM Leaderboard's (v1) number of few-shot examples.
import { arcChallenge, arcEasy } from './tasks/arc';
import { hellaswag } from './tasks/hellaswag';
import { mc } from './tasks/mc';
import { mmlu } from './tasks/mmlu';
import { piqa } from './tasks/piqa';
import type { TaskFamily } from './tasks/task';
import { truthfulqaMc2 } from './tasks/truthfulqa';
import { winogrande } from './tasks/winogrande';

export const TASKS: readonly TaskFamily[] = [arcChallenge, arcEasy, hellaswag, winogrande, mmlu, truthfulqaMc2, piqa, mc];

export function taskByName(name: string): TaskFamily | undefined {
  return TASKS.find((t) => t.name === name);
}

/** One line per task for --help: name, default shots, fields. */
export function describeTasks(): string {
  const w = Math.max(...TASKS.map((t) => t.name.length));
  return TASKS.map((t) => `  ${t.name.padEnd(w)}  ${String(t.defaultShots).padStart(2)}-shot  ${t.layout}`).join('\n');
}
