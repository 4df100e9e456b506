// The pipeline as the fuzz families run it: every rule that judges text switched off (the families test the
// readers, and a valid record must not fall to a language guess), and a byte tokenizer (no BPE training).
import type { RuleOverrides } from '../../../src/data/rules/defaults';
import type { Tokenizer } from '../../../src/data/tokenizer/tokenizer';

export const READING_ONLY: RuleOverrides = {
  links: { enabled: false }, pii: { enabled: false }, quality: { enabled: false }, language: { enabled: false },
  exactDedup: { enabled: false }, nearDedup: { enabled: false }, length: { enabled: false }, decontam: { enabled: true },
};

/** Bytes shifted by 3 (0 unused, BOS 1, EOS 2), as the unit tests' tokenizer. */
export function byteTokenizer(): Tokenizer {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  return {
    name: 'fuzz-bytes', vocabSize: 259, bosId: 1, eosId: 2,
    encode: (text) => Array.from(enc.encode(text), (b) => b + 3),
    decode: (ids) => dec.decode(Uint8Array.from(Array.from(ids).filter((i) => i >= 3), (i) => i - 3)),
    toJSON: () => ({ model: { type: 'fuzz-bytes' } }),
  };
}
