// A released-looking folder dropped into the page, as the training worker takes it (Files read a slice at a
// time): the model card, refusals naming file and field, a dataset with another tokenizer refused with what
// differs, and a conversation rendered with the model's chat template and its special tokens as single ids.
import { describe, expect, it } from 'vitest';
import { loadTokenizerJSON } from '../../../src/data/tokenizer/load-tokenizer-json';
import type { Tokenizer } from '../../../src/data/tokenizer/tokenizer';
import { HARE_TRAIN_DEFAULTS } from '../../../src/train/config';
import type { GenerateOptions, TokenGenerator } from '../../../src/train/sampling';
import { CHATML_TEMPLATE, chatFormat, encodeWithSpecials, renderChat, specialTokens } from '../../../src/worker/chat-prompt';
import { openImportedModel } from '../../../src/worker/model-import';
import type { ModelFile, StartRequest, TrainEvent } from '../../../src/worker/train-api';
import { streamChat } from '../../../src/worker/train-chat';
import { createTrainApi } from '../../../src/worker/train-service';
import type { OpenedDataset } from '../../../src/worker/train-dataset';
import { byteLevelTokenizerJSON, releasedFolder, sentencePieceTokenizerJSON, SHAPE } from '../checkpoint/hf-folder-fixture';

const asFiles = (files: Map<string, Uint8Array>): ModelFile[] =>
  [...files].map(([name, bytes]) => ({ name, file: new File([new Uint8Array(bytes)], name) }));

/** The service with no WebGPU (the tfjs fallback): the folder is checked and held, nothing goes to a GPU. */
function service(dataTokenizer?: Tokenizer) {
  const events: TrainEvent[] = [];
  const api = createTrainApi({
    openCompute: async () => ({ report: { kind: 'tfjs', name: 'tfjs', adapter: null, fallbackReason: 'test', emulated: false }, dev: null, onFailure: () => undefined }),
    openDataset: async (name) => ({ name, tokenizer: dataTokenizer, fingerprint: 'x' } as unknown as OpenedDataset),
    saveAutosave: async () => { throw new Error('not used'); },
    autosaveInfo: async () => null,
    autosaveBlob: async () => null,
    discardAutosave: async () => undefined,
  });
  void api.listen((e) => { events.push(e); });
  return { api, events };
}

describe('importing a model folder in the worker', () => {
  it('reads a sharded BF16 tied Llama into its card: family, tie, shape, parameters, tokenizer, chat template', async () => {
    const f = releasedFolder();
    const card = await service().api.importModel(asFiles(f.files), 'smol-test');
    expect(card.className).toBe('LlamaForCausalLM');
    expect(card.tied).toBe(true);
    expect(card.config).toMatchObject({ dim: SHAPE.hidden, nLayers: SHAPE.layers, vocabSize: SHAPE.vocab, architecture: 'llama', tieWordEmbeddings: true });
    const { hidden: C, inter: F, layers: L, heads: H, kv: KV, vocab: V } = SHAPE;
    const D = C / H;
    expect(card.parameters).toBe(V * C + L * (2 * C + 3 * C * F + C * H * D * 2 + 2 * C * KV * D) + C);
    expect(card.storedBytes).toBe(card.parameters * 2); // BF16
    expect(card.dtypes).toEqual(['BF16']);
    expect(card.weightFiles).toEqual(['model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(card.tokenizer).toMatchObject({ type: 'BPE', vocabSize: 267, bosId: 0, eosId: 0 });
    expect(card.chatTemplate).toMatch(/^ChatML/); // the fixture's tokenizer_config.json has none
    expect(card.onGpu).toBe(false);
    // SFT sources prepared for it: ChatML with the folder's BOS/EOS, as `npm run data` takes them.
    expect(card.sftTemplate).toMatchObject({ bosToken: '<|endoftext|>', eosToken: '<|endoftext|>', origin: 'default (ChatML; smol-test/tokenizer_config.json has no chat_template)' });
  });

  it("hands the folder's chat template to the data step for SFT sources, or a warning when it does not parse", async () => {
    const f = releasedFolder();
    const withTemplate = new Map(f.files);
    const template = "{% for m in messages %}[{{ m['role'] }}]{{ m['content'] }}{{ eos_token }}{% endfor %}";
    withTemplate.set('tokenizer_config.json', new TextEncoder().encode(JSON.stringify({ chat_template: template, bos_token: '<|endoftext|>', eos_token: '<|endoftext|>' })));
    const card = await service().api.importModel(asFiles(withTemplate), 'smol-chat');
    expect(card.sftTemplate).toEqual({ template, bosToken: '<|endoftext|>', eosToken: '<|endoftext|>', origin: 'smol-chat/tokenizer_config.json' });
    const broken = new Map(f.files);
    broken.set('tokenizer_config.json', new TextEncoder().encode(JSON.stringify({ chat_template: '{% for m in messages %}', eos_token: '</s>' })));
    const bad = await service().api.importModel(asFiles(broken), 'smol-bad');
    expect(bad.sftTemplate).toBeNull();
    expect(bad.warnings.join('\n')).toMatch(/tokenizer_config\.json: its chat_template does not parse .*SFT sources will render with ChatML/);
  });

  it('refuses by file and field: a missing shard, a bad config field, the same file twice', async () => {
    const f = releasedFolder();
    const noShard = new Map(f.files);
    noShard.delete('model-00002-of-00002.safetensors');
    await expect(service().api.importModel(asFiles(noShard), 'm')).rejects.toThrow(/^model\.safetensors\.index\.json: names shard\(s\) the folder does not have: model-00002-of-00002/);
    const bias = releasedFolder({ config: { attention_bias: true } });
    await expect(service().api.importModel(asFiles(bias.files), 'm')).rejects.toThrow(/^config\.json: attention_bias: is true; Leveret's linear layers have no bias/);
    const twice = [...asFiles(f.files), { name: 'config.json', file: new File(['{}'], 'config.json') }];
    await expect(service().api.importModel(twice, 'm')).rejects.toThrow(/^config\.json: was given twice/);
  });

  it('a run from the imported weights refuses data prepared with another tokenizer, saying what differs', async () => {
    const f = releasedFolder();
    const { api } = service(loadTokenizerJSON(sentencePieceTokenizerJSON()));
    const card = await api.importModel(asFiles(f.files), 'smol-test');
    const req: StartRequest = {
      dataset: 'ds', model: card.config, train: { ...HARE_TRAIN_DEFAULTS, steps: 2, batchSize: 1, seqLen: 32 }, fromImported: true,
      sample: { prompt: '', maxTokens: 4, temperature: 0, topK: 0, seed: 1, everySteps: 0 }, autosaveSeconds: 0, engine: 'auto',
    };
    await expect(api.start(req)).rejects.toThrow(/tokenized with another tokenizer than smol-test\/tokenizer\.json \(data vs model: vocabulary of 272 vs 267 tokens; BOS id 1 vs 0/);
    await expect(api.start({ ...req, model: { ...card.config, tieWordEmbeddings: false } })).rejects.toThrow(/differ from smol-test\/config\.json \(tieWordEmbeddings false vs true\)/);
  });

  it('chat is refused, not hung, when no weights are loaded', async () => {
    const { api } = service();
    await expect(api.chat({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 4, temperature: 0, topK: 0, seed: 1 }, 1))
      .rejects.toThrow(/no weights to chat with/);
  });
});

describe('chat prompts', () => {
  const tok = loadTokenizerJSON(byteLevelTokenizerJSON());
  const specials = specialTokens(tok.toJSON());

  it('renders ChatML by default and encodes its markers as the special ids', () => {
    const format = chatFormat(null, tok);
    expect(format.template).toBe(CHATML_TEMPLATE);
    const text = renderChat(format, [{ role: 'user', content: 'hi' }]);
    expect(text).toBe('<|endoftext|><|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n');
    const ids = encodeWithSpecials(tok, text, specials);
    expect(ids.slice(0, 2)).toEqual([0, 1]); // <|endoftext|> (BOS), <|im_start|>
    expect(ids.filter((i) => i < 3)).toEqual([0, 1, 2, 1]);
    expect(tok.decode(ids)).toBe('user\nhi\nassistant\n'); // specials dropped, the rest is the text
  });

  it("uses tokenizer_config.json's template with its BOS/EOS strings", () => {
    const format = chatFormat({ chat_template: "{% for m in messages %}[{{ m['role'] }}]{{ m['content'] }}{{ eos_token }}{% endfor %}>", eos_token: '<|im_end|>' }, tok);
    expect(format.origin).toBe('tokenizer_config.json');
    expect(renderChat(format, [{ role: 'user', content: 'a' }])).toBe('[user]a<|im_end|>>');
  });

  it('streams a reply that stops at the turn end, and refuses a conversation past the context', async () => {
    let asked: { prompt: readonly number[]; o: GenerateOptions } | null = null;
    const generator: TokenGenerator = {
      maxLen: 64,
      async generate(prompt, o, onToken) {
        asked = { prompt, o };
        const ids = [...tok.encode('ok')];
        ids.forEach((id, i) => onToken?.(id, ids.slice(0, i + 1)));
        return { ids, reason: 'stop' };
      },
    };
    const model = { generator, tokenizer: tok, format: chatFormat(null, tok), specials, contextLength: 64, extraStops: [] };
    const seen: string[] = [];
    const r = await streamChat(model, { messages: [{ role: 'user', content: 'hi' }], maxTokens: 8, temperature: 0, topK: 0, seed: 1 }, (t) => seen.push(t), () => false);
    expect(r).toMatchObject({ text: 'ok', cancelled: false });
    expect(seen.at(-1)).toBe('ok');
    expect(asked!.o.stopIds).toEqual(expect.arrayContaining([0, 2])); // EOS and <|im_end|>
    await expect(streamChat(model, { messages: [{ role: 'user', content: 'x'.repeat(60) }], maxTokens: 8, temperature: 0, topK: 0, seed: 1 }, () => undefined, () => false))
      .rejects.toThrow(/more than the model's context of 64: lower Max tokens or clear the chat/);
    await expect(streamChat(model, { messages: [{ role: 'user', content: 'hi' }], maxTokens: 0, temperature: 0, topK: 0, seed: 1 }, () => undefined, () => false))
      .rejects.toThrow(/Tokens must be a whole number from 1/);
  });

  it('opens a folder from Files without reading the weights whole', async () => {
    const f = releasedFolder({ shards: 1 });
    const m = await openImportedModel(asFiles(f.files), 'one');
    expect(m.folder.weights.files).toEqual(['model.safetensors']);
    expect(m.specials.get('<|im_start|>')).toBe(1);
  });
});
