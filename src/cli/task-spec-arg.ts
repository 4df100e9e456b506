// The task part of `--source FILE:CATEGORY:WEIGHT:LAYOUT[,ROLE=FIELD...][,labels=A|B|...]`: a layout name
// where a text field would go (layout names win over a field of the same name), then field overrides by role.
import { isTaskLayout, LAYOUT_ROLES, type TaskSpec } from '../data/tasks/layouts';

/** The task spec when `part` names a layout, else null (it is a text field or a split). */
export function parseTaskPart(part: string, fail: (m: string) => never): TaskSpec | null {
  const [layout, ...options] = part.split(',');
  if (!isTaskLayout(layout)) return null;
  const spec: TaskSpec = { layout };
  const roles = LAYOUT_ROLES[layout].map((r) => r.name);
  const fields: Record<string, string> = {};
  for (const o of options) {
    const eq = o.indexOf('=');
    const key = o.slice(0, eq);
    const value = o.slice(eq + 1);
    if (eq <= 0 || !value) fail(`"${o}" should be ROLE=FIELD or labels=NAME|NAME|...`);
    if (key === 'labels') { spec.labels = value.split('|'); continue; }
    if (!roles.includes(key)) fail(`layout ${layout} has no role "${key}" (roles: ${roles.join(', ')}; or labels=...)`);
    fields[key] = value;
  }
  if (Object.keys(fields).length > 0) spec.fields = fields;
  return spec;
}
