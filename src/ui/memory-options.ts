// The memory options of the Model & training form, as checkboxes with a tooltip each (the CLI's --recompute,
// --f32-base unticked, --update-per-layer and --f16-activations): what they save and what they cost, in plain
// words. The f16 base only applies to a LoRA run on an imported model, so its box shows only then, ticked as
// the CLI's default is; the update layer by layer only to full training with one micro-batch per step (no
// accumulation), so its box shows only then. F16 activations exclude recomputation (which keeps no saved
// activations to store) and the update layer by layer (whose second backward rereads them): ticking one
// unticks the other.
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
    help: 'On by default: a LoRA run never changes the imported model\'s weights, so its linear layers are kept as 16-bit ' +
      'halves, half their memory. Products and sums stay in f32; weights released in BF16 or F16 lose nothing in f16\'s range ' +
      '(a weight beyond it is refused, naming the tensor); an f32 model is rounded to f16. Untick to keep the base in f32.',
  },
  updatePerLayer: {
    label: 'Apply the update layer by layer',
    help: 'Updates each layer\'s weights as soon as the backward has its gradient, so one layer\'s gradients are in memory instead of ' +
      'every layer\'s (the embedding\'s and the head\'s stay). Every step runs the backward twice (first to measure the whole ' +
      'gradient for clipping), about 1.7 times the step time. The results are identical. Full training without accumulation only.',
  },
  f16Activations: {
    label: 'Store saved activations as f16',
    help: 'Keeps what each block saves for the backward as 16-bit halves instead of 32-bit floats: half the memory of ' +
      'those (hare-1.1b at 1 × 2048: activations 2.8 GiB instead of 4.6 GiB), for a quick conversion after each block\'s ' +
      'forward and before its backward. Everything is still computed in f32, but the backward reads rounded values, so ' +
      'losses and gradients change slightly (gradients within 1% in the tests). Not together with recomputation or the update layer by layer.',
  },
};

/** Options that exclude each other: ticking one unticks the others. */
const EXCLUDES: Partial<Record<keyof MemoryChoice, readonly (keyof MemoryChoice)[]>> = {
  recompute: ['f16Activations'], updatePerLayer: ['f16Activations'], f16Activations: ['recompute', 'updatePerLayer'],
};

export class MemoryOptions {
  readonly root: HTMLElement;
  private readonly boxes = new Map<keyof MemoryChoice, HTMLInputElement>();
  private readonly f16BaseField: HTMLLabelElement;
  private readonly updatePerLayerField: HTMLLabelElement;
  private lora = false;
  private accumulating = false;

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
    // As the CLI: a LoRA base is f16 unless the user asks for f32 (--f32-base).
    this.boxes.get('f16Base')!.checked = true;
    this.updatePerLayerField = fields[2];
    this.root = h('fieldset', { class: 'memory-options', 'data-testid': 'memory-options' }, h('legend', {}, 'Memory'), ...fields);
  }

  /** What the boxes say; the f16 base counts only while a LoRA run is chosen, the update layer by layer only
   *  while full training without accumulation is. */
  choice(): MemoryChoice {
    return {
      recompute: this.boxes.get('recompute')!.checked,
      f16Base: !this.f16BaseField.hidden && this.boxes.get('f16Base')!.checked,
      updatePerLayer: !this.updatePerLayerField.hidden && this.boxes.get('updatePerLayer')!.checked,
      f16Activations: this.boxes.get('f16Activations')!.checked,
    };
  }

  /** The f16 base box shows with a LoRA adapter on an imported model only; the update layer by layer without one. */
  setLora(on: boolean): void {
    this.lora = on;
    this.f16BaseField.hidden = !on;
    this.showPerLayer();
  }

  /** Accumulation (more than one micro-batch per step) hides the update layer by layer: every gradient lives until the last. */
  setAccumulating(on: boolean): void {
    this.accumulating = on;
    this.showPerLayer();
  }

  private showPerLayer(): void {
    this.updatePerLayerField.hidden = this.lora || this.accumulating;
  }

  /** Ticks a box (a fit button's change); the caller recomputes. */
  turnOn(key: keyof MemoryChoice): void {
    this.boxes.get(key)!.checked = true;
    this.untickExcluded(key);
  }

  private untickExcluded(key: keyof MemoryChoice): void {
    for (const other of EXCLUDES[key] ?? []) this.boxes.get(other)!.checked = false;
  }
}
