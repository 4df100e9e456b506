// The source card's layout preview: which layout a first row is recognised as, and the first rows rendered by
// the pipeline's own renderer (the same template per row as in cleaned.jsonl for the same name and seed).
import { describe, expect, it } from 'vitest';
import type { SourceFile } from '../../../src/data/source';
import { TaskRenderer } from '../../../src/data/tasks/renderer';
import { previewLayout, recogniseLayout } from '../../../src/worker/data-layout-preview';

const file = (name: string, rows: object[]): SourceFile => {
  const blob = new Blob([rows.map((r) => JSON.stringify(r)).join('\n') + '\n']);
  return { name, size: blob.size, stream: () => blob.stream() };
};

const arc = (k: number) => ({ question: `Which tool measures thing ${k}?`, choices: { text: ['ruler', 'clock'], label: ['A', 'B'] }, answerKey: 'B' });

describe('recogniseLayout', () => {
  it('names the layout of the common datasets and none for prose', () => {
    expect(recogniseLayout(arc(0))).toBe('mc');
    expect(recogniseLayout({ premise: 'A man sleeps.', hypothesis: 'A man rests.', label: 0 })).toBe('nli');
    expect(recogniseLayout({ article: 'Long text.', highlights: 'Short.' })).toBe('summary');
    expect(recogniseLayout({ context: 'Paris is in France.', question: 'Where is Paris?', answers: { text: ['France'] } })).toBe('qa');
    expect(recogniseLayout({ text: 'Stocks rose.', label: 2 })).toBe('classification');
    expect(recogniseLayout({ sentence: 'The cup fell on the _ .', option1: 'floor', option2: 'sky', answer: '1' })).toBe('cloze');
    expect(recogniseLayout({ messages: [{ role: 'user', content: 'hi' }] })).toBe('sft');
    expect(recogniseLayout({ text: 'Call me Ishmael.' })).toBeNull();
  });
});

describe('previewLayout', () => {
  it('renders the first three rows as the pipeline does and reports the fields found', async () => {
    const p = await previewLayout(file('arc.jsonl', [0, 1, 2, 3].map(arc)), 'jsonl', { layout: 'mc', source: 'arc', seed: 1 });
    expect(p.recognised).toBe('mc');
    expect(p.columns).toEqual(['question', 'choices', 'answerKey']);
    expect(p.fields).toEqual({ question: 'question', choices: 'choices.text', answer: 'answerKey' });
    expect(p.rows.map((r) => r.line)).toEqual([1, 2, 3]);
    const pipeline = new TaskRenderer({ layout: 'mc' }, 'arc', 1);
    p.rows.forEach((r, k) => expect(r.text).toBe(pipeline.render(arc(k), 'arc.jsonl', k + 1).text));
  });

  it('names the missing role and says why each row fails when a field override names nothing', async () => {
    const p = await previewLayout(file('arc.jsonl', [arc(0)]), 'jsonl', { layout: 'mc', fields: { answer: 'gold' }, source: 'arc', seed: 1 });
    expect(p.rows).toEqual([{ line: 1, error: 'field "gold" (null) names none of the 2 choices' }]);
    const nli = await previewLayout(file('arc.jsonl', [arc(0)]), 'jsonl', { layout: 'nli', source: 'arc', seed: 1 });
    expect(nli.missing.map((m) => m.split(' ')[0])).toEqual(['premise', 'hypothesis', 'label']);
  });

  it('renders SFT rows through ChatML', async () => {
    const p = await previewLayout(file('chat.jsonl', [{ prompt: 'Hi?', completion: 'Hello.' }]), 'jsonl', { layout: 'sft', source: 'chat', seed: 1 });
    expect(p.rows[0].text).toBe('<|im_start|>user\nHi?<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n');
    expect(p.template).toBe('default (ChatML)');
  });

  it("renders SFT rows through an imported model's template when the page gives it, naming it", async () => {
    const chatTemplate = { template: "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}{{ eos_token }}{% endfor %}", bosToken: '<s>', eosToken: '</s>', origin: 'smol/tokenizer_config.json' };
    const p = await previewLayout(file('chat.jsonl', [{ prompt: 'Hi?', completion: 'Hello.' }]), 'jsonl', { layout: 'sft', source: 'chat', seed: 1, chatTemplate });
    expect(p.rows[0].text).toBe('[user] Hi?</s>[assistant] Hello.</s>');
    expect(p.template).toBe('smol/tokenizer_config.json');
  });
});
