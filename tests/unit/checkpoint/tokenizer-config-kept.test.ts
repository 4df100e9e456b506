// tokenizer_config.json as the two writers produce it: a model imported with a chat template and its own
// BOS/EOS strings keeps them in a fine-tuned checkpoint and in a merged folder; a Leveret-trained model,
// which never had a template, gets no chat_template field at all.
import { describe, expect, it } from 'vitest';
import { bodyBytes, type FileBody } from '../../../src/train/checkpoint/byte-source';
import { buildCheckpoint, CHECKPOINT_FILES as F } from '../../../src/train/checkpoint/checkpoint';
import { modelFolderFiles } from '../../../src/train/checkpoint/model-folder';
import { tinyInput } from './fixtures';

const CHATML = "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}";
const kept = { chatTemplate: CHATML, bosToken: '<|endoftext|>', eosToken: '<|im_end|>' };

async function tokenizerConfigOf(files: Map<string, FileBody>): Promise<Record<string, unknown>> {
  return JSON.parse(new TextDecoder().decode(await bodyBytes(F.tokenizerConfig, files.get(F.tokenizerConfig)!))) as Record<string, unknown>;
}

describe('tokenizer_config.json keeps an imported model\'s chat template and special tokens', () => {
  it('in a checkpoint of a run fine-tuning it', async () => {
    const written = await tokenizerConfigOf(buildCheckpoint({ ...tinyInput(), kept }));
    expect(written).toMatchObject({ chat_template: CHATML, bos_token: '<|endoftext|>', eos_token: '<|im_end|>', unk_token: '<unk>' });
  });

  it('in a plain folder with an adapter merged', async () => {
    const input = tinyInput();
    const params = input.params as ReadonlyMap<string, Float32Array>;
    const files = modelFolderFiles({ ...input, params: (name) => params.get(name)!, kept });
    expect(await tokenizerConfigOf(files)).toMatchObject({ chat_template: CHATML, bos_token: '<|endoftext|>', eos_token: '<|im_end|>' });
  });

  it('and writes none for a model that had none, its BOS/EOS the tokenizer\'s', async () => {
    const written = await tokenizerConfigOf(buildCheckpoint(tinyInput()));
    expect('chat_template' in written).toBe(false);
    expect(written).toMatchObject({ bos_token: '<s>', eos_token: '</s>' });
  });
});
