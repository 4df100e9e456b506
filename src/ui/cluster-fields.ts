// The Data panel's topic-cluster options (the CLI's --clusters K, --cluster-cap F, --cluster-flatten A): k-means
// per source over hashed n-grams, reported with sizes, top words and examples; optionally no cluster above a
// share of its source's tokens (cap) or every cluster's share pulled towards equal (flatten). Off at K = 0.
import type { DiversityOptions } from '../data/diversity/cluster-pass';
import { fill, h, labelled, numberInput } from './dom';

export class ClusterFields {
  readonly el: HTMLElement;
  private readonly k: HTMLInputElement;
  private readonly balance: HTMLSelectElement;
  private readonly amount: HTMLInputElement;
  private readonly note: HTMLElement;

  constructor(changed: () => void) {
    const onChange = () => { this.sync(); changed(); };
    this.k = numberInput(0, { min: 0, max: 256, step: 1, 'data-testid': 'cluster-k', oninput: onChange });
    this.balance = h('select', { 'data-testid': 'cluster-balance', onchange: onChange },
      h('option', { value: 'none' }, 'report only (keep every record)'),
      h('option', { value: 'cap' }, 'cap: no cluster above a share of its source'),
      h('option', { value: 'flatten' }, 'flatten: shares pulled towards equal'));
    this.amount = numberInput(0.5, { min: 0, max: 1, step: 0.05, 'data-testid': 'cluster-amount', oninput: onChange });
    this.note = h('small', { class: 'hint', 'data-testid': 'cluster-note', 'aria-live': 'polite' });
    this.el = h('div', {},
      h('div', { class: 'grid' },
        labelled('Clusters per source (K)', this.k, '0: off'),
        labelled('Balance', this.balance),
        labelled('Cap share / flatten exponent', this.amount)),
      this.note);
    this.sync();
  }

  /** The options for the pipeline; undefined when off or invalid (problem() says why). */
  read(): DiversityOptions | undefined {
    if (this.problem() !== null) return undefined;
    const clusters = Number(this.k.value);
    if (clusters === 0) return undefined;
    const a = Number(this.amount.value);
    if (this.balance.value === 'cap') return { clusters, cap: a };
    if (this.balance.value === 'flatten') return { clusters, flatten: a };
    return { clusters };
  }

  /** In the form's words, with the range (the pipeline's checkDiversity would refuse the same values). */
  problem(): string | null {
    const k = this.k.value.trim() === '' ? NaN : Number(this.k.value);
    if (!Number.isInteger(k) || k < 0 || k > 256) return 'Clusters per source must be a whole number from 0 (off) to 256.';
    if (k === 0) return null;
    const a = Number(this.amount.value);
    if (this.balance.value === 'cap' && !(a > 0 && a <= 1)) return 'The cap is a share of the source\'s tokens above 0 and at most 1.';
    if (this.balance.value === 'flatten' && !(a >= 0 && a <= 1)) return 'The flatten exponent is from 0 (every cluster equal) to 1 (as found).';
    return null;
  }

  private sync(): void {
    const k = Number(this.k.value);
    const on = Number.isInteger(k) && k > 0;
    this.balance.disabled = !on;
    this.amount.disabled = !on || this.balance.value === 'none';
    const problem = this.problem();
    this.k.setAttribute('aria-invalid', String(problem !== null));
    this.note.classList.toggle('error', problem !== null);
    fill(this.note, problem ?? (on ? `${k} topic clusters per source, shown in the report${this.balance.value === 'cap' ? `; none above ${this.amount.value} of its source's tokens`
      : this.balance.value === 'flatten' ? `; shares flattened to tokens^${this.amount.value}` : ''}.` : 'Off: set K to see each source\'s topics.'));
  }
}
