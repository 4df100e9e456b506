// llama.cpp itself reads the exported GGUF: @wllama/wllama (llama.cpp compiled to WebAssembly) runs in Debian's
// Chromium (it needs a browser's Worker; no WebGPU, one thread), loads the file Leveret wrote at f32, and its
// greedy continuation of a prompt must be the one Leveret's tfjs reference model gives for the same weights,
// token for token, and its prompt must count as many tokens as ours. One byte-level BPE Llama with a tied head
// and one Mistral (SentencePiece vocabulary) are checked.
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import * as tf from '@tensorflow/tfjs';
import { referenceLogits } from '../../../src/model/reference';
import type { ModelConfig } from '../../../src/model/config';
import { paramSpecs } from '../../../src/model/params';
import { ggufFromFolder } from '../../../src/export/gguf-export';
import { writeFileBody } from '../../../src/export/file-sink.node';
import { mistralTokenizer, type Tokenizer } from '../../../src/data/tokenizer';
import { NO_WEBGPU_ARGS } from '../../e2e/harness';
import { bpeTokenizer, modelFolder, smallConfig } from './gguf-fixtures';

const WLLAMA = resolve('node_modules/@wllama/wllama/esm');
const STEPS = 12;
const PROMPT = 'Call me Ishmael. Some years ago, in 1851, 42 ships'; // digits: the trainer's split against llama.cpp's gpt-2

let dir = '';
let server: Server;
let origin = '';
let browser: Browser;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'leveret-wllama-'));
  const types: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
  // The page, wllama's bundle and wasm, and the exported files, all from one origin.
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x').pathname;
    const path = url === '/' ? null : url.startsWith('/wllama/') ? join(WLLAMA, url.slice(8)) : join(dir, url.slice(1));
    if (path === null) { res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>wllama</title>'); return; }
    readFile(path).then((b) => res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(b),
      () => res.writeHead(404).end());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  origin = `http://127.0.0.1:${address.port}`;
  browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', args: NO_WEBGPU_ARGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((ok) => server?.close(ok));
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * Tokens that are not whole UTF-8 on their own (a lone byte of a multi-byte character). An untrained model
 * strings them together at random, and llama.cpp's server refuses to put invalid UTF-8 in its JSON reply, so
 * both sides are given the same ban: logit_bias for llama.cpp, -Infinity here.
 */
function partialUtf8Tokens(tok: Tokenizer, vocabSize: number): Set<number> {
  const out = new Set<number>();
  for (let id = 0; id < vocabSize; id++) if (tok.decode([id]).includes('\uFFFD')) out.add(id);
  return out;
}

/** Leveret's greedy sample (sampling.ts's rule: first maximum, stop at EOS) from the tfjs reference model. */
function referenceGreedy(c: ModelConfig, params: Map<string, Float32Array>, prompt: number[], eos: number, banned: ReadonlySet<number>):
  { ids: number[]; margin: number } {
  const p = Object.fromEntries(paramSpecs(c).map((s) => [s.name, tf.tensor(params.get(s.name)!, [...s.shape])]));
  const ids = [...prompt];
  let margin = Infinity;
  for (let i = 0; i < STEPS; i++) {
    const logits = tf.tidy(() => referenceLogits(c, p, tf.tensor2d(Int32Array.from(ids), [1, ids.length], 'int32')).slice([ids.length - 1, 0], [1, -1]).dataSync());
    for (const k of banned) logits[k] = -Infinity;
    let best = 0;
    for (let k = 1; k < logits.length; k++) if (logits[k] > logits[best]) best = k;
    let second = -Infinity;
    for (let k = 0; k < logits.length; k++) if (k !== best) second = Math.max(second, logits[k]);
    margin = Math.min(margin, logits[best] - second);
    if (best === eos) break;
    ids.push(best);
  }
  for (const t of Object.values(p)) t.dispose();
  return { ids: ids.slice(prompt.length), margin };
}

// Runs in the page. A string, not a function, so the test runner's transform never rewrites its import.
const PAGE_RUN = `async ({ file, prompt, steps, banned }) => {
  const { Wllama } = await import('/wllama/index.js');
  const w = new Wllama({ default: '/wllama/wasm/wllama.wasm' });
  w.setCompat(null);
  const blob = await (await fetch('/' + file)).blob();
  await w.loadModel([blob], { n_ctx: 64, n_threads: 1, n_gpu_layers: 0, cache_type_k: 'f32', cache_type_v: 'f32', seed: 1 });
  const logit_bias = Object.fromEntries(banned.map((id) => [String(id), -1000]));
  const greedy = { max_tokens: steps, temperature: 0, temp: 0, top_k: 1, seed: 1, logit_bias };
  const r = await w.createCompletion({ prompt, ...greedy });
  await w.exit();
  return { text: r.choices[0].text, promptTokens: r.usage.prompt_tokens,
    raw: JSON.stringify(r).slice(0, 1500) };
}`;

interface WllamaRun { text: string; promptTokens: number; raw: string }

async function runWllama(file: string, prompt: string, banned: ReadonlySet<number>): Promise<WllamaRun> {
  const page = await browser.newPage();
  const log: string[] = [];
  page.on('console', (m) => log.push(m.text()));
  try {
    await page.goto(`${origin}/`);
    return await page.evaluate(`(${PAGE_RUN})(${JSON.stringify({ file, prompt, steps: STEPS, banned: [...banned] })})`) as WllamaRun;
  } catch (e) {
    throw new Error(`${(e as Error).message}\nwllama's log:\n${log.slice(-30).join('\n')}`);
  } finally {
    await page.close();
  }
}

async function check(name: string, c: ModelConfig, tok: Tokenizer) {
  const { folder, params } = await modelFolder(c, tok);
  await writeFileBody(join(dir, `${name}.gguf`), ggufFromFolder(folder, { dtype: 'f32', name }));
  const promptIds = [tok.bosId, ...tok.encode(PROMPT)];
  const banned = partialUtf8Tokens(tok, c.vocabSize);
  const ours = referenceGreedy(c, params, promptIds, tok.eosId, banned);
  const theirs = await runWllama(`${name}.gguf`, PROMPT, banned);
  expect(ours.margin).toBeGreaterThan(1e-3); // a greedy choice that float rounding could flip would prove nothing
  // llama.cpp tokenized the text itself; the count, and a continuation that any other prompt ids would change, say
  // it got ours (wllama 3 exposes no tokenize call).
  expect(theirs.promptTokens, theirs.raw).toBe(promptIds.length);
  expect(ours.ids.length).toBeGreaterThan(3);
  // Decoded after the prompt: a SentencePiece decode drops the text's leading space, llama.cpp's pieces keep it.
  expect(PROMPT + theirs.text).toBe(tok.decode([...promptIds, ...ours.ids]));
}

describe('llama.cpp (wllama) runs the exported GGUF', () => {
  it('a tied byte-level BPE Llama: same prompt length, same greedy continuation', async () => {
    const tok = await bpeTokenizer();
    await check('bpe-llama', smallConfig(tok.vocabSize, { architecture: 'llama', tieWordEmbeddings: true }), tok);
  });

  it('a Mistral with Mistral\'s SentencePiece vocabulary: same prompt length, same greedy continuation', async () => {
    const tok = mistralTokenizer();
    await check('mistral', smallConfig(32000, { dim: 32, nHeads: 4, nKvHeads: 1, hiddenDim: 48, nLayers: 2 }), tok);
  });
});
