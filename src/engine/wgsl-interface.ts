// Reads a WGSL module's interface from its text: the resource declarations an entry point uses, the fields
// of its structs, its override constants. Enough of WGSL for the engine's own shaders (declarations at module
// scope, one per line or not, with comments anywhere), so a kernel's TypeScript contract can be checked
// against the shader it binds. Not a WGSL parser: it finds declarations, it does not validate them.

export type BindingAccess = 'read' | 'read_write' | 'uniform';

export interface WgslBinding {
  readonly group: number;
  readonly binding: number;
  readonly name: string;
  readonly access: BindingAccess;
  /** The declared type as written: `array<f32>`, `Params`. */
  readonly type: string;
}

export interface WgslField {
  readonly name: string;
  readonly type: string;
}

export interface WgslInterface {
  readonly bindings: readonly WgslBinding[];
  readonly structs: ReadonlyMap<string, readonly WgslField[]>;
  readonly overrides: ReadonlySet<string>;
  /** Function name -> the module-scope names its signature and body mention. */
  readonly functions: ReadonlyMap<string, ReadonlySet<string>>;
  readonly entryPoints: ReadonlySet<string>;
}

const stripComments = (src: string): string => src.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, '');

const BINDING = /@group\(\s*(\d+)\s*\)\s*@binding\(\s*(\d+)\s*\)\s*var\s*<\s*(uniform|storage(?:\s*,\s*(read_write|read))?)\s*>\s*(\w+)\s*:\s*([^;]+);/g;
const STRUCT = /struct\s+(\w+)\s*\{([^}]*)\}/g;
const OVERRIDE = /(?:^|[;}\s])override\s+(\w+)/g;
const FN = /fn\s+(\w+)\s*\(/g;
const IDENT = /(?<![.\w])[A-Za-z_]\w*/g;   // not a member after a dot
const LOCAL = /\b(?:let|var|const)\s+(\w+)/g;
const PARAM = /(\w+)\s*:/g;

/** Module-scope names a function mentions: its identifiers less its parameters and locals (a parameter
 *  `pos` is not the storage buffer `pos`). */
function mentioned(signature: string, body: string): Set<string> {
  const local = new Set([...signature.matchAll(PARAM), ...body.matchAll(LOCAL)].map((m) => m[1]));
  return new Set([...`${signature} ${body}`.matchAll(IDENT)].map((m) => m[0]).filter((id) => !local.has(id)));
}

/** The index of the brace that closes the one at `open`. */
function closingBrace(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return i;
  }
  throw new Error('unbalanced braces in WGSL');
}

export function parseWgsl(source: string): WgslInterface {
  const src = stripComments(source);
  const bindings: WgslBinding[] = [];
  for (const m of src.matchAll(BINDING)) {
    // var<storage> without an access mode is read-only.
    const access: BindingAccess = m[3] === 'uniform' ? 'uniform' : (m[4] as 'read' | 'read_write' | undefined) ?? 'read';
    bindings.push({ group: Number(m[1]), binding: Number(m[2]), name: m[5], access, type: m[6].trim() });
  }
  const structs = new Map<string, WgslField[]>();
  for (const m of src.matchAll(STRUCT)) {
    const fields = m[2].replace(/@\w+(\([^)]*\))?/g, ' ').split(',').map((f) => f.trim()).filter((f) => f !== '')
      .map((f) => { const [name, type] = f.split(':').map((s) => s.trim()); return { name, type }; });
    structs.set(m[1], fields);
  }
  const overrides = new Set<string>();
  for (const m of src.matchAll(OVERRIDE)) overrides.add(m[1]);
  const functions = new Map<string, Set<string>>();
  const entryPoints = new Set<string>();
  for (const m of src.matchAll(FN)) {
    const open = src.indexOf('{', m.index);
    const close = closingBrace(src, open);
    functions.set(m[1], mentioned(src.slice(m.index + m[0].length, open), src.slice(open + 1, close)));
    // The attributes between the previous declaration's end and this `fn` say whether it is an entry point.
    const before = src.slice(Math.max(src.lastIndexOf(';', m.index), src.lastIndexOf('}', m.index)) + 1, m.index);
    if (/@compute\b/.test(before)) entryPoints.add(m[1]);
  }
  return { bindings, structs, overrides, functions, entryPoints };
}

/**
 * The group-0 bindings an entry point statically uses (mentioned in its body or in a function it calls), in
 * binding order: what `layout: 'auto'` puts in that pipeline's bind group layout.
 */
export function entryBindings(wgsl: WgslInterface, entry: string): WgslBinding[] {
  if (!wgsl.entryPoints.has(entry)) throw new Error(`no @compute entry point named ${entry}`);
  const used = new Set<string>();
  const seen = new Set<string>();
  const visit = (fn: string) => {
    if (seen.has(fn)) return;
    seen.add(fn);
    for (const id of wgsl.functions.get(fn) ?? []) {
      used.add(id);
      if (wgsl.functions.has(id)) visit(id);
    }
  };
  visit(entry);
  return wgsl.bindings.filter((b) => b.group === 0 && used.has(b.name)).sort((a, b) => a.binding - b.binding);
}
