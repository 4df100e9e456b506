// A few DOM helpers so panels read as a tree of elements instead of a page of createElement calls.

type Child = Node | string | null | undefined | false;
type Props = Record<string, string | number | boolean | EventListener | null | undefined>;

/** An element with attributes, `on*` listeners and children; `null`, `undefined` and `false` children are skipped. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'text') el.textContent = String(value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) if (c !== null && c !== undefined && c !== false) parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
}

/** Replaces an element's children. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

let ids = 0;
/** A unique id for tying a <label> to its control. */
export const uid = (prefix: string): string => `${prefix}-${++ids}`;

/** A labelled control: the label's `for` points at the control, so every control has an accessible name. */
export function labelled(text: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  if (!control.id) control.id = uid('f');
  // A checkbox reads best after its name on one line; other controls sit under their name.
  const check = control instanceof HTMLInputElement && control.type === 'checkbox';
  const label = h('label', { for: control.id, class: check ? 'field check' : 'field' }, h('span', { class: 'field-name' }, text), control);
  if (hint) { label.title = hint; label.appendChild(h('small', { class: 'hint' }, hint)); }
  return label;
}

export function numberInput(value: number, props: Props = {}): HTMLInputElement {
  return h('input', { type: 'number', value: String(value), step: 'any', ...props });
}

/** Short, readable numbers for counters and tables. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n * 100) / 100);
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Saves a Blob as a download with the given file name. */
export function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: fileName, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoked later: Chrome reads the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
