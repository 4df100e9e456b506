// The chat box: a conversation with the weights the training worker holds (the imported model before any
// run, the run's own after), each reply rendered through the model's chat template in the worker and
// streamed in token by token; Stop ends it where it is. Temperature, top-k and the reply's length are
// checked against the samples' limits before anything is asked. Model text is shown through samplePieces
// (sample-box's showText), never as HTML.
import { MAX_SAMPLE_TOKENS, type ChatRequest, type ChatTurn } from '../worker/train-api';
import { errorText, fill, h, labelled, numberInput } from './dom';
import { showText } from './sample-box';
import { streamingText } from './sample-text';

export interface ChatHandlers {
  send(req: ChatRequest, id: number): Promise<{ text: string; tokens: number; cancelled: boolean }>;
  cancel(id: number): void;
}

export class ChatPanel {
  private readonly log: HTMLOListElement;
  private readonly input: HTMLTextAreaElement;
  private readonly temperature: HTMLInputElement;
  private readonly topK: HTMLInputElement;
  private readonly maxTokens: HTMLInputElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly clearButton: HTMLButtonElement;
  private readonly problems: HTMLElement;
  private readonly note: HTMLElement;
  private readonly turns: ChatTurn[] = [];
  private unavailable: string | null = 'Import a model or train one to chat with it.';
  private live: { id: number; body: HTMLElement; meta: HTMLElement } | null = null;
  private nextId = 1;

  constructor(root: HTMLElement, private readonly handlers: ChatHandlers) {
    this.log = h('ol', { class: 'chat-log', 'data-testid': 'chat-log', 'aria-live': 'polite' });
    this.input = h('textarea', { rows: 2, 'data-testid': 'chat-input', onkeydown: (e: Event) => {
      const k = e as KeyboardEvent;
      if (k.key === 'Enter' && !k.shiftKey) { k.preventDefault(); void this.send(); }
    } });
    const check = () => this.validate();
    this.temperature = numberInput(0.7, { min: 0, max: 5, step: 0.05, 'data-testid': 'chat-temperature', oninput: check });
    this.topK = numberInput(40, { min: 0, step: 1, 'data-testid': 'chat-topk', oninput: check });
    this.maxTokens = numberInput(128, { min: 1, max: MAX_SAMPLE_TOKENS, step: 1, 'data-testid': 'chat-max-tokens', oninput: check });
    this.sendButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'chat-send', onclick: () => void this.send() }, 'Send');
    this.stopButton = h('button', { type: 'button', 'data-testid': 'chat-stop', disabled: true, onclick: () => this.stop() }, 'Stop');
    this.clearButton = h('button', { type: 'button', 'data-testid': 'chat-clear', onclick: () => this.clear() }, 'Clear the chat');
    this.problems = h('div', { class: 'error', role: 'alert', 'data-testid': 'chat-problems', hidden: true });
    this.note = h('p', { class: 'hint', 'data-testid': 'chat-note' });
    fill(root,
      h('h2', {}, 'Chat'),
      this.note,
      this.log,
      labelled('Message', this.input, 'Enter sends, Shift+Enter a new line'),
      h('div', { class: 'grid' },
        labelled('Temperature', this.temperature, '0: greedy, up to 5'), labelled('Top-k', this.topK, '0: all tokens'),
        labelled('Max tokens', this.maxTokens, `1 to ${MAX_SAMPLE_TOKENS}, within the context`)),
      this.problems,
      h('div', { class: 'buttons' }, this.sendButton, this.stopButton, this.clearButton));
    this.validate();
  }

  /** Whether there are weights to chat with (null) or why not; `template` says which chat format replies use. */
  setAvailable(reason: string | null, template?: string): void {
    this.unavailable = reason;
    this.note.textContent = reason ?? `Replies use the chat template from ${template ?? 'ChatML (the default)'}.`;
    this.sync();
  }

  /** A token of the reply `id` arrived: its text so far. */
  progress(id: number, text: string, tokens: number, maxTokens: number): void {
    if (this.live?.id !== id) return;
    showText(this.live.body, streamingText(text));
    this.live.meta.textContent = `assistant · ${tokens} / ${maxTokens} tokens…`;
  }

  clear(): void {
    if (this.live) return;
    this.turns.length = 0;
    fill(this.log);
  }

  private validate(): boolean {
    const problems: string[] = [];
    const num = (i: HTMLInputElement) => (i.value.trim() === '' ? NaN : Number(i.value));
    const t = num(this.temperature), k = num(this.topK), n = num(this.maxTokens);
    const mark = (i: HTMLInputElement, problem: string | null) => { i.setAttribute('aria-invalid', String(problem !== null)); if (problem) problems.push(problem); };
    mark(this.temperature, t >= 0 && t <= 5 ? null : 'Temperature must be from 0 (greedy) to 5.');
    mark(this.topK, Number.isInteger(k) && k >= 0 ? null : 'Top-k must be a whole number of 0 or more.');
    mark(this.maxTokens, Number.isInteger(n) && n >= 1 && n <= MAX_SAMPLE_TOKENS ? null
      : `Max tokens must be a whole number from 1 to ${MAX_SAMPLE_TOKENS}: a reply holds the training worker until it ends.`);
    fill(this.problems, ...problems.map((p) => h('div', {}, p)));
    this.problems.hidden = problems.length === 0;
    this.sync();
    return problems.length === 0;
  }

  private sync(): void {
    this.sendButton.disabled = this.unavailable !== null || this.live !== null || !this.problems.hidden;
    this.stopButton.disabled = this.live === null;
    this.clearButton.disabled = this.live !== null;
  }

  private turn(role: ChatTurn['role'], text: string): { li: HTMLLIElement; body: HTMLElement; meta: HTMLElement } {
    const meta = h('div', { class: 'chat-meta' }, role === 'user' ? 'you' : 'assistant');
    const body = h('div', { class: 'chat-text sample-text' });
    showText(body, text);
    const li = h('li', { class: `chat-turn ${role}`, 'data-testid': 'chat-turn', 'data-role': role }, meta, body);
    this.log.appendChild(li);
    return { li, body, meta };
  }

  private async send(): Promise<void> {
    const text = this.input.value.trim();
    if (!text || !this.validate() || this.unavailable !== null || this.live) return;
    this.input.value = '';
    this.turns.push({ role: 'user', content: text });
    this.turn('user', text);
    const id = this.nextId++;
    const reply = this.turn('assistant', '');
    reply.li.dataset.live = 'true';
    this.live = { id, body: reply.body, meta: reply.meta };
    this.sync();
    const req: ChatRequest = {
      messages: [...this.turns], maxTokens: Number(this.maxTokens.value),
      temperature: Number(this.temperature.value), topK: Number(this.topK.value), seed: id,
    };
    try {
      const r = await this.handlers.send(req, id);
      showText(reply.body, r.text);
      reply.li.dataset.tokens = String(r.tokens);
      reply.meta.textContent = `assistant${r.cancelled ? ` · stopped after ${r.tokens} tokens` : ''}`;
      this.turns.push({ role: 'assistant', content: r.text });
    } catch (e) {
      // The question stays out of the history: asking again sends it again.
      this.turns.pop();
      reply.li.classList.add('error');
      reply.meta.textContent = `No reply: ${errorText(e)}`;
    } finally {
      delete reply.li.dataset.live;
      this.live = null;
      this.sync();
    }
  }

  private stop(): void {
    if (!this.live) return;
    this.stopButton.disabled = true;
    this.handlers.cancel(this.live.id);
  }
}
