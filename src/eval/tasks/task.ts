// What a benchmark task is here: a reader of one row in the Hugging Face dataset's own field names into the
// parts lm-evaluation-harness builds its prompts from (doc_to_text, doc_to_choice, doc_to_target), plus
// the few facts about how it is scored. Prompts and requests are then built the same way for every task
// (prompt.ts), as the harness's ConfigurableTask does.

/** One document, as the harness's multiple_choice tasks see it. */
export interface TaskDoc {
  /** doc_to_text: the question part of the prompt (unused when `partialTarget` is set). */
  readonly text: string;
  /**
   * doc_to_choice. Normally the answers, each scored as the continuation `" " + choice`; for partial
   * scoring (Winogrande) the alternative contexts, each followed by the same continuation.
   */
  readonly choices: readonly string[];
  /** Index of the right choice (for truthfulqa_mc2 the harness's doc_to_target, 0). */
  readonly gold: number;
  /** Partial scoring (the harness's "multiple input"): the shared continuation after each context. */
  readonly partialTarget?: string;
  /** truthfulqa_mc2: 1 for each true answer, 0 for each false one, in choice order. */
  readonly mc2Labels?: readonly number[];
  /** Text before everything else, few-shot examples included (MMLU's subject line). */
  readonly description?: string;
  /** Few-shot examples are drawn only from documents of the same group (MMLU: the same subject). */
  readonly group?: string;
}

/** A row that cannot be read as a document of the task; the message names the field at fault. */
export class RowError extends Error {}

export interface TaskFamily {
  readonly name: string;
  /** The fields a row must have, for --help and for messages. */
  readonly layout: string;
  /** The Open LLM Leaderboard (v1) number of few-shot examples; for tasks outside it, the harness's own. */
  readonly defaultShots: number;
  /** Whether the harness reports acc_norm for the task (winogrande, mmlu and mc2 report only acc). */
  readonly accNorm: boolean;
  /** acc is truthfulqa_mc2's normalised probability mass of the true answers, not an argmax. */
  readonly mc2?: boolean;
  /** Reads one row (fields as the dataset's Parquet or JSONL holds them); throws RowError. */
  fromRow(row: Record<string, unknown>): TaskDoc;
}
