// The fields of the normalizers, pre-tokenizers and decoders that Hugging Face's JS library reads without
// checking. A wrong type there is not refused by the library: an array `replacement` of a Metaspace is
// turned into a 600 KB string and put between every two words, and the first encode runs for minutes. So each
// known component's fields are checked for type, and strings for a sane length, before anything runs.
// A cycle with the checker, harmless: the class is only used when a check runs, after both modules loaded.
import { TokenizerJSONError } from './tokenizer-json-check';

type Obj = Record<string, unknown>;
type FieldKind = 'string' | 'boolean' | 'count' | 'pattern';

// Markers and replacements are a few characters; anything longer is damage that would be copied into the text.
const MAX_STRING = 1024;

const REPLACE = { pattern: 'pattern', content: 'string' } as const;
const METASPACE = { replacement: 'string', prepend_scheme: 'string', split: 'boolean', add_prefix_space: 'boolean', str_rep: 'string' } as const;
const BYTE_LEVEL = { add_prefix_space: 'boolean', trim_offsets: 'boolean', use_regex: 'boolean' } as const;

/** By the list a component sits in (the same type name means different things in different stages). */
const FIELDS: Record<string, Record<string, Record<string, FieldKind>>> = {
  normalizers: {
    Replace: REPLACE,
    Prepend: { prepend: 'string' },
    Strip: { strip_left: 'boolean', strip_right: 'boolean' },
    BertNormalizer: { clean_text: 'boolean', handle_chinese_chars: 'boolean', strip_accents: 'boolean', lowercase: 'boolean' },
  },
  pretokenizers: {
    Metaspace: METASPACE,
    ByteLevel: BYTE_LEVEL,
    Split: { pattern: 'pattern', behavior: 'string', invert: 'boolean' },
    Punctuation: { behavior: 'string' },
    Digits: { individual_digits: 'boolean' },
    FixedLength: { length: 'count' },
  },
  decoders: {
    Metaspace: METASPACE,
    ByteLevel: BYTE_LEVEL,
    Replace: REPLACE,
    Strip: { content: 'string', start: 'count', stop: 'count' },
    WordPiece: { prefix: 'string', cleanup: 'boolean' },
    BPEDecoder: { suffix: 'string' },
    CTC: { pad_token: 'string', word_delimiter_token: 'string', cleanup: 'boolean' },
  },
};

const show = (v: unknown) => JSON.stringify(v)?.slice(0, 80) ?? String(v);

function checkField(path: string, v: unknown, want: FieldKind): void {
  // Absent and null fields take the library's defaults.
  if (v === undefined || v === null) return;
  const fail = (what: string): never => {
    throw new TokenizerJSONError(`${path} must be ${what}, got ${show(v)}`);
  };
  if (want === 'boolean' && typeof v !== 'boolean') fail('true or false');
  if (want === 'count' && !(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_STRING)) fail(`an integer from 0 to ${MAX_STRING}`);
  if (want === 'string') {
    if (typeof v !== 'string') fail('a string');
    if ((v as string).length > MAX_STRING) fail(`at most ${MAX_STRING} characters`);
  }
  if (want === 'pattern') {
    const p = v as Obj;
    const ok = typeof v === 'object' && !Array.isArray(v) && Object.keys(p).length === 1
      && (typeof p.String === 'string' || typeof p.Regex === 'string');
    if (!ok) fail('{"String": "..."} or {"Regex": "..."}');
    if (((p.String ?? p.Regex) as string).length > MAX_STRING) fail(`a pattern of at most ${MAX_STRING} characters`);
  }
}

/** Checks the fields of one (non-Sequence) component of the stage whose Sequence list is `listField`. */
export function checkComponentFields(path: string, v: Obj, listField: string): void {
  const fields = FIELDS[listField]?.[v.type as string];
  if (!fields) return;
  for (const [field, want] of Object.entries(fields)) checkField(`${path}.${field}`, v[field], want);
}
