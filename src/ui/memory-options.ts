// The memory options of the Model & training form, as checkboxes with a tooltip each (the CLI's --recompute,
// --f16-base and --f16-activations): what they save and what they cost, in plain words. The f16 base only
// applies to a LoRA run on an imported model, so its box shows only then. Recomputation and f16 activations
// exclude each other (recomputation keeps no saved activations to store): ticking one unticks the other.
import { h, labelled, uid } from './dom';
import type { MemoryChoice } from './memory-fit';

const HELP: Record<keyof MemoryChoice, { label: string; help: string }> = {
  recompute: {
    label: 'Recompute activations in the backward',
    help: 'Keeps only each block\'s input from the forward and computes the block again right before its backward: ' +
      'one block\'s activations in memory instead of every layer\'s, for about one more forward per step. The results are identical.',
  },
  f16Base: {
    label: 'Store the frozen base as f16',
    help: 'A LoRA run never changes the imported model\'s weights, so its linear layers can be kept as 16-bit halves: half ' +
      'their memory. Products and sums stay in f32; weights released in BF16 or F16 lose nothing in their normal range.',
  },
  f16Activations: {
    label: 'Store saved activations as f16',
    help: 'Keeps what each block saves for the backward as 16-bit halves instead of 32-bit floats: half the memory of ' +
      'those (hare-1.1b at 1 × 2048: activations 3.3 GiB instead of 5.6 GiB), for a quick conversion after each block\'s ' +
      'forward and before its backward. Everything is still computed in f32, but the backward reads rounded values, so ' +
      'losses and gradients change slightly (gradients within 1% in the tests). Not together with recomputation.',
  },
};

/** Options that exclude each other: ticking one unticks the other. */
const EXCLUDES: Partial<Record<keyof MemoryChoice, keyof MemoryChoice>> = { recompute: 'f16Activations', f16Activations: 'recompute' };

export class MemoryOptions {
  readonly root: HTMLElement;
  private readonly boxes = new Map<keyof MemoryChoice, HTMLInputElement>();
  private readonly f16BaseField: HTMLLabelElement;

  constructor(changed: () => void) {
    const fields = (Object.keys(HELP) as (keyof MemoryChoice)[]).map((key) => {
      const box = h('input', {
        type: 'checkbox', 'data-testid': `memory-${key}`,
        onchange: () => { if (box.checked) this.untickExcluded(key); changed(); },
      });
      this.boxes.set(key, box);
      const label = labelled(HELP[key].label, box);
      const help = h('span', { class: 'field-help', id: uid('help') }, HELP[key].help);
      label.append(help);
      label.title = HELP[key].help;
      box.setAttribute('aria-describedby', help.id);
      return label;
    });
    this.f16BaseField = fields[1];
    this.f16BaseField.hidden = true;
    this.root = h('fieldset', { class: 'memory-options', 'data-testid': 'memory-options' }, h('legend', {}, 'Memory'), ...fields);
  }

  /** What the boxes say; the f16 base counts only while a LoRA run is chosen. */
  choice(): MemoryChoice {
    return {
      recompute: this.boxes.get('recompute')!.checked,
      f16Base: !this.f16BaseField.hidden && this.boxes.get('f16Base')!.checked,
      f16Activations: this.boxes.get('f16Activations')!.checked,
    };
  }

  /** The f16 base box shows with a LoRA adapter on an imported model only. */
  setLora(on: boolean): void {
    this.f16BaseField.hidden = !on;
  }

  /** Ticks a box (a fit button's change); the caller recomputes. */
  turnOn(key: keyof MemoryChoice): void {
    this.boxes.get(key)!.checked = true;
    this.untickExcluded(key);
  }

  private untickExcluded(key: keyof MemoryChoice): void {
    const other = EXCLUDES[key];
    if (other) this.boxes.get(other)!.checked = false;
  }
}
