// How to fine-tune an imported model: all its weights, or a LoRA adapter on it with the base frozen (the CLI's
// --lora R --lora-alpha A --lora-targets q,v). Shown only while a model is imported. A bad value is refused
// here, naming the field as the form does, and Train stays off with that message until it is fixed.
import { LORA_TARGETS, SHORT_TARGETS, type LoraTarget } from '../model/lora';
import type { LoraRequest } from '../worker/train-api';
import { h, labelled, numberInput } from './dom';

/** The widest rank offered: the engine's LoRA kernels use a workgroup as wide as the rank. */
export const MAX_LORA_RANK = 256;

export type LoraChoice = { ok: true; lora: LoraRequest | null } | { ok: false; message: string };

const SHORT_OF = Object.fromEntries(Object.entries(SHORT_TARGETS).map(([short, full]) => [full, short])) as Record<LoraTarget, string>;

export class LoraFields {
  readonly root: HTMLElement;
  private readonly on: HTMLInputElement;
  private readonly rank: HTMLInputElement;
  private readonly alpha: HTMLInputElement;
  private readonly targets: Map<LoraTarget, HTMLInputElement>;
  private readonly settings: HTMLElement;
  private readonly error: HTMLElement;
  /** The imported model's width: a rank above it adds nothing a full update would not. */
  private width = Infinity;

  constructor(private readonly changed: (c: LoraChoice) => void) {
    const edit = () => this.sync();
    this.on = h('input', { type: 'checkbox', 'data-testid': 'lora-on', onchange: edit });
    this.rank = numberInput(8, { min: 1, step: 1, 'data-testid': 'lora-rank', oninput: edit });
    this.alpha = numberInput(16, { min: 0, step: 'any', 'data-testid': 'lora-alpha', oninput: edit });
    this.targets = new Map(LORA_TARGETS.map((t) => [t, h('input', {
      type: 'checkbox', checked: t === 'q_proj' || t === 'v_proj', 'data-testid': `lora-target-${SHORT_OF[t]}`, onchange: edit,
    })]));
    this.error = h('p', { class: 'status error', role: 'alert', 'data-testid': 'lora-error', hidden: true });
    this.settings = h('div', { class: 'lora-settings' },
      h('div', { class: 'grid' },
        labelled('LoRA rank', this.rank, 'r: the adapter\'s width'),
        labelled('LoRA alpha', this.alpha, 'the update is scaled by alpha / rank')),
      h('fieldset', { class: 'lora-targets' }, h('legend', {}, 'LoRA targets'),
        ...[...this.targets].map(([t, box]) => labelled(`${SHORT_OF[t]} (${t})`, box))),
      this.error);
    this.root = h('div', { class: 'lora-fields', 'data-testid': 'lora-fields', hidden: true },
      h('h3', {}, 'How to fine-tune'),
      labelled('Train a LoRA adapter (the model\'s weights stay frozen)', this.on),
      this.settings);
    this.sync();
  }

  /** Shown with an imported model (its width bounds the rank); hidden, and off, without one. */
  setModel(model: { dim: number } | null): void {
    this.root.hidden = model === null;
    this.width = model?.dim ?? Infinity;
    if (!model) this.on.checked = false;
    this.sync();
  }

  setDisabled(disabled: boolean): void {
    for (const c of [this.on, this.rank, this.alpha, ...this.targets.values()]) c.disabled = disabled;
  }

  choice(): LoraChoice {
    if (this.root.hidden || !this.on.checked) return { ok: true, lora: null };
    const rank = Number(this.rank.value), alpha = Number(this.alpha.value);
    const most = Math.min(MAX_LORA_RANK, this.width);
    if (this.rank.value.trim() === '' || !Number.isInteger(rank) || rank < 1 || rank > most) {
      return { ok: false, message: `LoRA rank must be a whole number from 1 to ${most}` };
    }
    if (this.alpha.value.trim() === '' || !Number.isFinite(alpha) || alpha <= 0) return { ok: false, message: 'LoRA alpha must be a number above 0' };
    const targets = LORA_TARGETS.filter((t) => this.targets.get(t)!.checked);
    if (targets.length === 0) return { ok: false, message: 'LoRA targets: tick at least one module' };
    return { ok: true, lora: { rank, alpha, targets } };
  }

  private sync(): void {
    this.settings.hidden = !this.on.checked;
    const c = this.choice();
    this.error.hidden = c.ok;
    this.error.textContent = c.ok ? '' : `${c.message}.`;
    this.changed(c);
  }
}
