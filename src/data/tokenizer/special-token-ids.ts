// Which ids a loaded tokenizer.json uses for beginning and end of sequence. tokenizer.json has no field for
// them (tokenizer_config.json does, and we are not given it), so we look for the conventional names:
//
//   BOS: <s> (Mistral, Llama 2), <|begin_of_text|> (Llama 3), <|startoftext|>, <bos> (Gemma), [CLS] (BERT),
//        and last <|endoftext|> (GPT-2 and its descendants use one token for both ends);
//   EOS: </s>, <|end_of_text|>, <|endoftext|>, <eos>, [SEP].
//
// Each name is looked up among the added tokens first, then in the model's vocabulary. When no name matches,
// the post-processor's template decides: the special token it puts first is the BOS, the one it puts last the
// EOS. When even that is missing, the id is -1 (callers that pack sequences must check).

import type { CheckedTokenizerJSON } from './tokenizer-json-check';

const BOS_NAMES = ['<s>', '<|begin_of_text|>', '<|startoftext|>', '<bos>', '[CLS]', '<|endoftext|>'];
const EOS_NAMES = ['</s>', '<|end_of_text|>', '<|endoftext|>', '<eos>', '[SEP]'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function idOf(file: CheckedTokenizerJSON, content: string): number | undefined {
  const added = file.addedTokens.find((t) => t.content === content);
  if (added) return added.id;
  const vocab = file.model.vocab;
  if (isObj(vocab) && typeof vocab[content] === 'number') return vocab[content];
  if (Array.isArray(vocab)) {
    const i = vocab.findIndex((e) => Array.isArray(e) && e[0] === content);
    if (i >= 0) return i;
  }
  return undefined;
}

/** The ids of the special tokens a TemplateProcessing post-processor puts around a single sequence. */
function templateEnds(file: CheckedTokenizerJSON): { first?: number; last?: number } {
  const pp = file.root.post_processor;
  if (!isObj(pp) || pp.type !== 'TemplateProcessing' || !Array.isArray(pp.single)) return {};
  const single = pp.single as Obj[];
  const specialAt = (item: Obj | undefined): number | undefined => {
    const st = item?.SpecialToken;
    if (!isObj(st) || typeof st.id !== 'string') return undefined;
    const entry = isObj(pp.special_tokens) ? pp.special_tokens[st.id] : undefined;
    if (isObj(entry) && Array.isArray(entry.ids) && typeof entry.ids[0] === 'number') return entry.ids[0];
    return idOf(file, st.id);
  };
  return { first: specialAt(single[0]), last: specialAt(single[single.length - 1]) };
}

export function specialTokenIds(file: CheckedTokenizerJSON): { bosId: number; eosId: number } {
  const byName = (names: string[]) => {
    for (const n of names) {
      const id = idOf(file, n);
      if (id !== undefined) return id;
    }
    return undefined;
  };
  const template = templateEnds(file);
  return {
    bosId: byName(BOS_NAMES) ?? template.first ?? -1,
    eosId: byName(EOS_NAMES) ?? template.last ?? -1,
  };
}
