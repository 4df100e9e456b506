// One task source's rows rendered into training text: fields found on each file's first usable row
// (detect.ts), one of the layout's templates chosen per row by a hash of (seed, source, file, line), so the
// choice is reproducible, independent of reading order and of the other sources, and varies with the seed.
import type { Template } from '@huggingface/jinja';
import { hashString32 } from '../dedup/hash';
import { RowError } from '../../eval/tasks/task';
import { hashUnit } from '../rng';
import { detectFields, taskContext, type FieldMap } from './detect';
import { compileTemplate } from './jinja-check';
import type { TaskSpec } from './layouts';
import { DEFAULT_TEMPLATES, TEMPLATE_VARIABLES } from './templates';

/** What report.json says about a task source: the recipe's part for rebuilding the same samples. */
export interface TaskReport {
  layout: string;
  /** Role -> field, as detected (or given) on each file's first usable row. */
  fields: Record<string, Record<string, string>>;
  labels: string[] | null;
  templates: string[];
  /** Rows rendered with each template, in template order. */
  templateCounts: number[];
  rendered: number;
  /** Rows that did not fit the layout (reported as problems with file and line). */
  skipped: number;
}

/** Rendered text ends like a sentence: the cleaning's `incomplete` rule would drop "Answer: Denver Broncos". */
function endSentence(text: string): string {
  const t = text.trimEnd();
  if (/[.!?…]["'”’)\]]*$/.test(t)) return t.replace(/([.!?])\.$/, '$1');
  return `${t}.`;
}

export class TaskRenderer {
  private readonly compiled: Template[];
  private readonly sourceHash: number;
  private fields: FieldMap | null = null;
  private file = '';
  readonly report: TaskReport;

  constructor(private readonly spec: TaskSpec, sourceName: string, private readonly seed: number) {
    const templates = spec.templates ?? DEFAULT_TEMPLATES[spec.layout];
    if (templates.length === 0) throw new Error(`task source "${sourceName}": no templates for layout ${spec.layout}`);
    this.compiled = templates.map((t, i) => {
      const c = compileTemplate(t, TEMPLATE_VARIABLES[spec.layout]);
      if ('error' in c) throw new Error(`task source "${sourceName}": template ${i + 1} of layout ${spec.layout}: ${c.error}`);
      return c;
    });
    this.sourceHash = hashString32(sourceName);
    this.report = { layout: spec.layout, fields: {}, labels: spec.labels ? [...spec.labels] : null, templates: [...templates],
      templateCounts: templates.map(() => 0), rendered: 0, skipped: 0 };
  }

  /** The text of one row; throws RowError (naming the field) when the row does not fit the layout. */
  render(row: Record<string, unknown>, file: string, line: number): { text: string; template: number } {
    try {
      if (file !== this.file) { this.file = file; this.fields = null; }
      if (!this.fields) {
        const found = detectFields(this.spec, row);
        if ('missing' in found) throw new RowError(`no field for ${found.missing.join('; ')}`);
        this.fields = found;
        this.report.fields[file] = { ...found.roles, ...(found.numbered ? { choices: found.numbered.fields.join(',') } : {}) };
      }
      const context = taskContext(this.spec, this.fields, row);
      const template = Math.floor(hashUnit(this.seed, this.sourceHash, hashString32(file), line) * this.compiled.length);
      let text: string;
      try {
        text = this.compiled[template].render(context);
      } catch (e) {
        throw new RowError(`template ${template + 1} failed: ${(e as Error).message}`);
      }
      this.report.templateCounts[template]++;
      this.report.rendered++;
      return { text: endSentence(text), template };
    } catch (e) {
      if (e instanceof RowError) this.report.skipped++;
      throw e;
    }
  }
}
