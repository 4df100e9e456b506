// The user's own templates: a JSON object of layout -> [Jinja template, ...] (the CLI's --templates FILE,
// later the page's source card). Every template is compiled and checked for unknown variables here, before
// any data is read, and a bad one is refused with the file, the layout and its place in the list.
import { compileTemplate } from './jinja-check';
import { isTaskLayout, TASK_LAYOUTS, type TaskLayout } from './layouts';
import { TEMPLATE_VARIABLES } from './templates';

export type TemplateSet = Partial<Record<TaskLayout, string[]>>;

export class TemplateFileError extends Error {}

export function parseTemplateFile(text: string, fileName: string): TemplateSet {
  const fail = (m: string): never => { throw new TemplateFileError(`${fileName}: ${m}`); };
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) { return fail(`not JSON (${(e as Error).message})`); }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return fail('expected an object of layout -> [templates]');
  const out: TemplateSet = {};
  for (const [layout, list] of Object.entries(json as Record<string, unknown>)) {
    if (!isTaskLayout(layout)) fail(`unknown layout "${layout}" (layouts: ${TASK_LAYOUTS.join(', ')})`);
    const l = layout as TaskLayout;
    if (!Array.isArray(list) || list.length === 0) fail(`"${l}" must be a non-empty list of template strings`);
    (list as unknown[]).forEach((t, i) => {
      if (typeof t !== 'string' || t.trim() === '') fail(`template ${i + 1} of "${l}" is not a non-empty string`);
      const c = compileTemplate(t as string, TEMPLATE_VARIABLES[l]);
      if ('error' in c) fail(`template ${i + 1} of "${l}": ${c.error}`);
    });
    out[l] = list as string[];
  }
  return out;
}
