// Checks a tokenizer.json's post_processor before anything runs it. Hugging Face's JS library takes the
// object as is and reads its fields only at the first encode, so a garbage template would otherwise surface
// as "type is not iterable" in the middle of tokenizing a corpus, naming nothing.
// A cycle with the checker, harmless: the class is only used when a check runs, after both modules loaded.
import { TokenizerJSONError } from './tokenizer-json-check';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTypeId = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= 0);
const show = (v: unknown) => JSON.stringify(v)?.slice(0, 80) ?? String(v);

/** One template item: {SpecialToken: {id: "<s>", type_id}} or {Sequence: {id: "A" | "B", type_id}}. */
function checkTemplateItem(path: string, item: unknown): void {
  if (isObj(item) && isObj(item.SpecialToken) && typeof item.SpecialToken.id === 'string' && isTypeId(item.SpecialToken.type_id)) return;
  if (isObj(item) && isObj(item.Sequence) && (item.Sequence.id === 'A' || item.Sequence.id === 'B') && isTypeId(item.Sequence.type_id)) return;
  throw new TokenizerJSONError(`${path} must be {SpecialToken: {id, type_id}} or {Sequence: {id: "A" or "B", type_id}}, got ${show(item)}`);
}

function checkTemplate(path: string, p: Obj): void {
  for (const field of ['single', 'pair']) {
    const list = p[field];
    if (!Array.isArray(list)) throw new TokenizerJSONError(`${path}.${field} must be a list of template items, got ${show(list)}`);
    list.forEach((item, i) => checkTemplateItem(`${path}.${field}[${i}]`, item));
  }
  const specials = p.special_tokens;
  if (specials === undefined || specials === null) return;
  if (!isObj(specials)) throw new TokenizerJSONError(`${path}.special_tokens must be an object, got ${show(specials)}`);
  for (const [name, s] of Object.entries(specials)) {
    const ok = isObj(s) && typeof s.id === 'string' && Array.isArray(s.ids) && s.ids.every((x) => Number.isInteger(x) && (x as number) >= 0)
      && Array.isArray(s.tokens) && s.tokens.every((x) => typeof x === 'string');
    if (!ok) throw new TokenizerJSONError(`${path}.special_tokens[${JSON.stringify(name)}] must be {id, ids, tokens}, got ${show(s)}`);
  }
}

/** BertProcessing and RobertaProcessing: sep and cls are [token, id] pairs. */
function checkPair(path: string, v: unknown): void {
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && Number.isInteger(v[1]) && v[1] >= 0) return;
  throw new TokenizerJSONError(`${path} must be [token, id], got ${show(v)}`);
}

/** Checks the fields each known post-processor reads; the component walk has already checked `type`. */
export function checkPostProcessor(path: string, v: unknown): void {
  if (!isObj(v)) return;
  switch (v.type) {
    case 'TemplateProcessing':
      checkTemplate(path, v);
      return;
    case 'BertProcessing':
    case 'RobertaProcessing':
      checkPair(`${path}.sep`, v.sep);
      checkPair(`${path}.cls`, v.cls);
      return;
    case 'Sequence':
      (v.processors as unknown[]).forEach((p, i) => checkPostProcessor(`${path}.processors[${i}]`, p));
      return;
    default:
      // ByteLevel reads nothing at encode time; unknown types are refused by the library when it loads.
      return;
  }
}
