// `--source FILE:CATEGORY:WEIGHT:sft` beside the task layouts' grammar, and the options that go with it.
import { describe, expect, it } from 'vitest';
import { parsePrepareArgs, parseSourceSpec } from '../../../src/cli/prepare-args';

describe('SFT source arguments', () => {
  it('reads sft where a field or a task layout would go, named or not, several files', () => {
    expect(parseSourceSpec('chats.jsonl:chat:2:sft')).toEqual({ name: 'chats', category: 'chat', weight: 2, paths: ['chats.jsonl'], sft: true });
    expect(parseSourceSpec('mine=a.jsonl,b.jsonl.gz:chat:1:sft')).toMatchObject({ name: 'mine', paths: ['a.jsonl', 'b.jsonl.gz'], sft: true });
    // A task layout and a text field still read as before.
    expect(parseSourceSpec('obqa.jsonl:qa:2:mc')).toMatchObject({ task: { layout: 'mc' } });
    expect(parseSourceSpec('obqa.jsonl:qa:2:mc').sft).toBeUndefined();
    expect(parseSourceSpec('web.jsonl:web:1:body').format).toEqual({ kind: 'jsonl', textField: 'body' });
  });

  it('refuses SFT rows that are not JSONL, a BPE trained here, and --chat-template without an SFT source', () => {
    expect(() => parseSourceSpec('chats.jsonl,notes.txt:chat:1:sft')).toThrow(/SFT rows are JSONL .* notes\.txt is not/);
    expect(() => parsePrepareArgs(['--source', 'c.jsonl:chat:1:sft', '--tokenizer', 'bpe:512', '--out', 'o'])).toThrow(/SFT sources need the model's tokenizer/);
    expect(() => parsePrepareArgs(['--source', 'w.txt:web:1', '--chat-template', 't.json', '--out', 'o'])).toThrow(/--chat-template applies to SFT sources/);
    expect(parsePrepareArgs(['--source', 'c.jsonl:chat:1:sft', '--chat-template', 't.jinja', '--tokenizer', 'm/tokenizer.json', '--out', 'o']).chatTemplate).toBe('t.jinja');
  });
});
