// The GGUF export read back by @huggingface/gguf (an independent parser) and by hand at the offsets it gives:
// header, llama.* keys, tokenizer keys for both vocabulary families, tensor names, ggml-order dims, alignment,
// and the Q/K rows in llama.cpp's order, checked against the converter's reshape written out as index maths.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gguf } from '@huggingface/gguf';
import { float16ToFloat32, bfloat16ToFloat32 } from '../../../src/train/checkpoint/float-formats';
import { float32ToBfloat16Bits, float32ToFloat16Bits } from '../../../src/export/float-encode';
import { chatTemplateOf, ggufFromFolder } from '../../../src/export/gguf-export';
import { permuteForLlamaRope } from '../../../src/export/gguf-llama';
import { writeFileBody } from '../../../src/export/file-sink.node';
import { mistralTokenizer } from '../../../src/data/tokenizer';
import { bpeTokenizer, modelFolder, smallConfig } from './gguf-fixtures';

const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

async function exportAndParse(folder: Parameters<typeof ggufFromFolder>[0], dtype: 'f32' | 'f16' | 'bf16', chatTemplate?: string) {
  const dir = await mkdtemp(join(tmpdir(), 'leveret-gguf-'));
  dirs.push(dir);
  const path = join(dir, 'model.gguf');
  const file = ggufFromFolder(folder, { dtype, name: 'test', ...(chatTemplate ? { chatTemplate } : {}) });
  await writeFileBody(path, file);
  const bytes = new Uint8Array(await readFile(path));
  expect(bytes.length).toBe(file.size);
  const parsed = await gguf(path, { allowLocalFile: true });
  return { bytes, parsed };
}

describe('float narrowing', () => {
  it('rounds to nearest even, saturates to infinity, keeps subnormals and NaN', () => {
    const h = float32ToFloat16Bits;
    expect([h(1), h(-2), h(65504), h(65520), h(2 ** -24), h(2 ** -25), h(3 * 2 ** -25), h(1 + 2 ** -11), h(1 + 3 * 2 ** -11)])
      .toEqual([0x3c00, 0xc000, 0x7bff, 0x7c00, 0x0001, 0x0000, 0x0002, 0x3c00, 0x3c02]);
    expect(h(NaN) & 0x7c00).toBe(0x7c00);
    expect(h(NaN) & 0x3ff).not.toBe(0);
    expect(h(-0)).toBe(0x8000);
    const b = float32ToBfloat16Bits;
    expect([b(1), b(1 + 2 ** -8), b(1 + 3 * 2 ** -8), b(-Infinity), b(3.4e38)]).toEqual([0x3f80, 0x3f80, 0x3f82, 0xff80, 0x7f80]);
    expect(Number.isNaN(bfloat16ToFloat32(new Uint16Array([b(NaN)]))[0])).toBe(true);
  });

  it('gives the nearest representable value for values across the whole range', () => {
    let worst = 0;
    for (let k = 0; k < 20000; k++) {
      const x = Math.fround(Math.sinh((k / 20000 - 0.5) * 24) * 1e-3); // a float32, as the weights are
      const bits = float32ToFloat16Bits(x);
      const [lo, mid, hi] = float16ToFloat32(new Uint16Array([bits - 1, bits, bits + 1]));
      // The chosen value is at least as close as its neighbours (ties resolved to the even one).
      if (Math.abs(x - mid) > Math.min(Math.abs(x - lo), Math.abs(x - hi))) worst = Math.max(worst, Math.abs(x - mid));
    }
    expect(worst).toBe(0);
  });
});

describe('Q/K permutation', () => {
  it('matches reshape(heads, 2, D/2, cols).swapaxes(1, 2) written as index maths', () => {
    const heads = 3, D = 6, cols = 5;
    const w = Float32Array.from({ length: heads * D * cols }, (_, i) => i);
    const out = permuteForLlamaRope(w, heads, cols);
    // out[h][a][b][c] (shape heads, D/2, 2, cols) = in[h][b][a][c] (shape heads, 2, D/2, cols)
    for (let h = 0; h < heads; h++) for (let a = 0; a < D / 2; a++) for (let b = 0; b < 2; b++) for (let c = 0; c < cols; c++) {
      expect(out[((h * (D / 2) + a) * 2 + b) * cols + c]).toBe(w[((h * 2 + b) * (D / 2) + a) * cols + c]);
    }
  });
});

describe('GGUF export', () => {
  it('writes a byte-level BPE Llama that @huggingface/gguf parses, with every key, name and offset', async () => {
    const tok = await bpeTokenizer();
    const c = smallConfig(tok.vocabSize + 3, { architecture: 'llama' }); // padded past the tokenizer
    const { folder, params } = await modelFolder(c, tok);
    const { bytes, parsed } = await exportAndParse(folder, 'f32', '{{ bos_token }}{{ messages[0].content }}');
    const m = parsed.metadata as Record<string, unknown>;
    expect(m.version).toBe(3);
    expect(m['general.architecture']).toBe('llama');
    expect(m['general.alignment']).toBe(32);
    expect([m['llama.context_length'], m['llama.embedding_length'], m['llama.block_count'], m['llama.feed_forward_length'],
      m['llama.attention.head_count'], m['llama.attention.head_count_kv'], m['llama.rope.dimension_count']]).toEqual([64, 32, 2, 48, 4, 2, 8]);
    expect(m['llama.attention.layer_norm_rms_epsilon']).toBeCloseTo(1e-5, 10);
    expect(m['llama.rope.freq_base']).toBe(10000);
    expect(m['tokenizer.ggml.model']).toBe('gpt2');
    expect(m['tokenizer.ggml.pre']).toBe('gpt-2'); // llama.cpp's name for GPT-2's regex
    const tokens = m['tokenizer.ggml.tokens'] as string[];
    expect(tokens.length).toBe(c.vocabSize);
    expect(tokens.slice(0, 3)).toEqual(['<unk>', '<s>', '</s>']);
    expect(tokens[c.vocabSize - 1]).toBe(`[PAD${c.vocabSize - 1}]`);
    const types = m['tokenizer.ggml.token_type'] as number[];
    expect([types[0], types[1], types[2], types[3], types[c.vocabSize - 1]]).toEqual([2, 3, 3, 1, 5]); // <unk> is llama.cpp's unknown type
    const merges = m['tokenizer.ggml.merges'] as string[];
    const json = tok.toJSON() as { model: { merges: (string | string[])[] } };
    expect(merges).toEqual(json.model.merges.map((x) => (Array.isArray(x) ? x.join(' ') : x)));
    expect([m['tokenizer.ggml.bos_token_id'], m['tokenizer.ggml.eos_token_id'], m['tokenizer.ggml.unknown_token_id']]).toEqual([1, 2, 0]);
    expect(m['tokenizer.ggml.add_bos_token']).toBe(true);
    expect(m['tokenizer.chat_template']).toBe('{{ bos_token }}{{ messages[0].content }}');

    const names = parsed.tensorInfos.map((t) => t.name);
    expect(names.slice(0, 10)).toEqual(['token_embd.weight', 'blk.0.attn_norm.weight', 'blk.0.attn_q.weight', 'blk.0.attn_k.weight',
      'blk.0.attn_v.weight', 'blk.0.attn_output.weight', 'blk.0.ffn_norm.weight', 'blk.0.ffn_gate.weight', 'blk.0.ffn_up.weight', 'blk.0.ffn_down.weight']);
    expect(names.slice(-2)).toEqual(['output_norm.weight', 'output.weight']);
    const info = (n: string) => parsed.tensorInfos.find((t) => t.name === n)!;
    expect(info('blk.1.ffn_down.weight').shape).toEqual([48n, 32n]);
    expect(info('blk.0.attn_k.weight').shape).toEqual([32n, 16n]);
    const data = Number(parsed.tensorDataOffset);
    expect(data % 32).toBe(0);
    for (const t of parsed.tensorInfos) expect(Number(t.offset) % 32).toBe(0);
    const f32At = (n: string, count: number) => new Float32Array(bytes.slice(data + Number(info(n).offset), data + Number(info(n).offset) + 4 * count).buffer);
    const q = params.get('model.layers.1.self_attn.q_proj.weight')!;
    const gq = f32At('blk.1.attn_q.weight', q.length);
    // Head 2, pair index 1: GGUF rows 2*1 and 2*1+1 of the head are HF rows 1 and 1 + D/2.
    const D = 8, C = 32, row = (h: number, r: number) => (h * D + r) * C;
    expect(Array.from(gq.subarray(row(2, 2), row(2, 2) + C))).toEqual(Array.from(q.subarray(row(2, 1), row(2, 1) + C)));
    expect(Array.from(gq.subarray(row(2, 3), row(2, 3) + C))).toEqual(Array.from(q.subarray(row(2, 5), row(2, 5) + C)));
    const v = params.get('model.layers.0.self_attn.v_proj.weight')!;
    expect(Array.from(f32At('blk.0.attn_v.weight', v.length))).toEqual(Array.from(v));
  });

  it('leaves out output.weight for a tied model, stores f16 matrices with F32 norms', async () => {
    const tok = await bpeTokenizer();
    const c = smallConfig(tok.vocabSize, { tieWordEmbeddings: true });
    const { folder, params } = await modelFolder(c, tok);
    const { bytes, parsed } = await exportAndParse(folder, 'f16');
    expect(parsed.tensorInfos.map((t) => t.name)).not.toContain('output.weight');
    expect((parsed.metadata as Record<string, unknown>)['general.file_type']).toBe(1);
    const info = (n: string) => parsed.tensorInfos.find((t) => t.name === n)!;
    expect(info('token_embd.weight').dtype).toBe(1);
    expect(info('output_norm.weight').dtype).toBe(0);
    const at = Number(parsed.tensorDataOffset) + Number(info('token_embd.weight').offset);
    const embd = params.get('model.embed_tokens.weight')!;
    const back = float16ToFloat32(new Uint16Array(bytes.slice(at, at + 2 * embd.length).buffer));
    let worst = 0;
    for (let i = 0; i < embd.length; i++) worst = Math.max(worst, Math.abs(back[i] - embd[i]) / Math.max(Math.abs(embd[i]), 2 ** -14));
    expect(worst).toBeLessThan(2 ** -10);
  });

  it('writes Mistral\'s vocabulary as an SPM "llama" tokenizer: byte tokens, control tokens, merge-rank scores', async () => {
    const tok = mistralTokenizer();
    const c = smallConfig(32000, { dim: 16, nHeads: 2, nKvHeads: 1, hiddenDim: 16, nLayers: 1 });
    const { folder } = await modelFolder(c, tok);
    const { parsed } = await exportAndParse(folder, 'bf16');
    const m = parsed.metadata as Record<string, unknown>;
    expect(m['tokenizer.ggml.model']).toBe('llama');
    expect(m['tokenizer.ggml.add_space_prefix']).toBe(true);
    expect(m['general.file_type']).toBe(32);
    const tokens = m['tokenizer.ggml.tokens'] as string[];
    const types = m['tokenizer.ggml.token_type'] as number[];
    const scores = m['tokenizer.ggml.scores'] as number[];
    expect([tokens[0], tokens[1], tokens[2], tokens[3], tokens[3 + 255]]).toEqual(['<unk>', '<s>', '</s>', '<0x00>', '<0xFF>']);
    expect([types[0], types[1], types[2], types[3], types[258], types[259]]).toEqual([2, 3, 3, 6, 6, 1]);
    // '▁t' is Mistral's first merge; a token made later scores lower.
    expect(scores[tokens.indexOf('▁t')]).toBe(-0);
    expect(scores[tokens.indexOf('▁the')]).toBeLessThan(scores[tokens.indexOf('▁t')]);
    expect(m['tokenizer.ggml.merges']).toBeUndefined();
  });

  it('reads a chat template from tokenizer_config.json in either form', () => {
    expect(chatTemplateOf({ chat_template: 'x' })).toBe('x');
    expect(chatTemplateOf({ chat_template: [{ name: 'tool_use', template: 'a' }, { name: 'default', template: 'b' }] })).toBe('b');
    expect(chatTemplateOf({})).toBeUndefined();
  });
});
