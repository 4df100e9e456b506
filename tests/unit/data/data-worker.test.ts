// The data worker's API through a real Comlink channel (a MessageChannel in place of the worker boundary):
// files and the progress callback cross it, the dataset lands in the store, exports come back as
// Blobs, and a run can be cancelled. Storage is in memory here; OPFS is covered by the store tests.
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import type { PipelineProgress } from '../../../src/data/pipeline-options';
import type { DataStore } from '../../../src/data/store';
import { MemoryStore } from '../../../src/data/store.memory';
import type { DataApi } from '../../../src/worker/data-api';
import { blobFromStore, createDataApi, toSourceFile } from '../../../src/worker/data-service';
import { jsonl, resolveTestTokenizer } from './helpers';

const ports: MessagePort[] = [];
afterEach(() => { for (const p of ports.splice(0)) p.close(); });

function connect() {
  const datasets = new Map<string, MemoryStore>();
  const api = createDataApi({
    openStore: async (name, create) => {
      let s = datasets.get(name);
      if (!s) { if (!create) throw new Error(`no dataset ${name}`); s = new MemoryStore(); datasets.set(name, s); }
      return s;
    },
    listDatasets: async () => [...datasets.keys()].sort(),
    removeDataset: async (name) => { datasets.delete(name); },
    blob: (store: DataStore, file: string) => blobFromStore(store, file),
    resolveTokenizer: resolveTestTokenizer,
  });
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  Comlink.expose(api, port1 as unknown as Comlink.Endpoint);
  return { remote: Comlink.wrap<DataApi>(port2 as unknown as Comlink.Endpoint), datasets };
}

const sentence = (i: number) => `Record ${i} tells how the keeper of the light counted ${i} gulls on the rocks before the storm came in from the sea.`;

describe('data worker API over Comlink', () => {
  it('prepares a dataset from File objects, reporting progress, then lists and exports it', async () => {
    const { remote } = connect();
    // Node's structured clone turns a File into a nameless Blob (browsers keep the File), so files cross as
    // named Blobs here; toSourceFile treats both alike.
    const file = { name: 'lights.jsonl', blob: new Blob([jsonl(Array.from({ length: 60 }, (_, i) => ({ id: i, text: sentence(i) })))]) };
    const stages: string[] = [];
    const report = await remote.prepare({
      dataset: 'lights', sources: [{ name: 'lights', category: 'books', weight: 1, files: [file] }],
      tokenizer: { kind: 'bpe', vocabSize: 300 }, seqLen: 32,
    }, Comlink.proxy((p: PipelineProgress) => { if (!stages.includes(p.stage)) stages.push(p.stage); }));
    expect(report.sources[0].kept.docs).toBe(60);
    await new Promise((r) => setTimeout(r, 20)); // progress calls travel on their own channel: let the last land
    expect(stages).toEqual(['clean', 'tokenizer', 'pack', 'done']);

    const [info] = await remote.listDatasets();
    expect(info.name).toBe('lights');
    expect(info.manifest?.packLength).toBe(33);
    expect(info.bytes).toBeGreaterThan(0);

    const cleaned = await remote.exportFile('lights', 'cleaned.jsonl');
    const rows = (await cleaned.text()).trim().split('\n').map((l) => JSON.parse(l) as { id: number; _source: string });
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(JSON.parse(await (await remote.exportFile('lights', 'report.json')).text())).toEqual(report);

    await remote.deleteDataset('lights');
    expect(await remote.listDatasets()).toEqual([]);
    await expect(remote.exportFile('lights', 'report.json')).rejects.toThrow();
  });

  it("renders SFT sources with the request's chat template (the imported model's), ChatML without one", async () => {
    const { remote } = connect();
    const chats = Array.from({ length: 30 }, (_, i) => ({ prompt: `Question ${i}: how many gulls?`, completion: `Answer ${i}: ${i} gulls.` }));
    const file = () => ({ name: 'chat.jsonl', blob: new Blob([jsonl(chats)]) });
    const chatTemplate = { template: "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}{{ eos_token }}\n{% endfor %}", bosToken: '', eosToken: '</s>', origin: 'smol/tokenizer_config.json' };
    const source = { name: 'chat', category: 'instruct', weight: 1, sft: true };
    const model = await remote.prepare({ dataset: 'model', sources: [{ ...source, files: [file()] }], tokenizer: { kind: 'mistral' }, seqLen: 256, chatTemplate });
    expect(model.sft?.template).toBe('smol/tokenizer_config.json');
    const chatml = await remote.prepare({ dataset: 'chatml', sources: [{ ...source, files: [file()] }], tokenizer: { kind: 'mistral' }, seqLen: 256 });
    expect(chatml.sft?.template).toBe('default (ChatML)');
    expect(model.sft?.sources[0].examples).toBe(30);
    // The model's template writes fewer tokens than ChatML's role markers: what was packed followed it.
    expect(model.sft!.sources[0].maskedTokens).toBeLessThan(chatml.sft!.sources[0].maskedTokens);
  });

  it('cancels a running preparation', async () => {
    const { remote } = connect();
    const big = { name: 'big.jsonl', blob: new Blob([jsonl(Array.from({ length: 20000 }, (_, i) => ({ text: sentence(i) })))]) };
    const run = remote.prepare({ dataset: 'big', sources: [{ name: 'big', category: 'web', weight: 1, files: [big] }], tokenizer: { kind: 'bpe', vocabSize: 300 } },
      Comlink.proxy((p: PipelineProgress) => { if (p.stage === 'clean' && p.fraction > 0) void remote.cancel(); }));
    await expect(run).rejects.toThrow(/abort/i);
    // The worker is free again, and the same dataset name can be prepared afresh.
    const small = { name: 'small.jsonl', blob: new Blob([jsonl(Array.from({ length: 20 }, (_, i) => ({ text: sentence(i) })))]) };
    const report = await remote.prepare({ dataset: 'big', sources: [{ name: 'small', category: 'web', weight: 1, files: [small] }], tokenizer: { kind: 'bpe', vocabSize: 300 }, seqLen: 16 });
    expect(report.sources[0].kept.docs).toBe(20);
  });

  it('takes a File as it is', () => {
    const f = new File(['x'], 'a.txt');
    expect(toSourceFile(f)).toBe(f);
  });

  it('hands out the rule defaults and their help text', async () => {
    const { remote } = connect();
    const { defaults, help } = await remote.ruleDefaults();
    expect(defaults.nearDedup.threshold).toBe(0.8);
    expect(Object.keys(help)).toEqual(Object.keys(defaults));
  });
});
