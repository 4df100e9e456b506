// A training step that applies the AdamW update layer by layer in the backward (EngineOptions.updatePerLayer),
// so that one layer's weight gradients live at a time: every layer's backward writes them into one scratch
// (ParamStore `layerGrads`), and the gradients outside the layers (the embedding's, which tied also takes the
// head's, the final norm's, an untied lm_head's) keep buffers of their own, complete only at the end.
//
// What is computed does not change. The normal step clips by the global gradient norm and skips the whole step
// when that norm is not finite, and neither is known when layer L-1's gradient is ready. So a step is two
// backwards over one forward:
//   1. forward, head, backward: each layer's gradient lands in the scratch and its grad-norm partial sums go
//      straight into the optimizer's slots (the same slots, in the same order, as the normal step's), before
//      the next layer's backward clears the scratch; the gradients outside the layers are complete at the end,
//      their partials follow, then grad_norm's finish writes [norm, clip scale, skip].
//   2. head (without its weight gradient) and backward again, from the activations the forward left (every
//      layer's, or, recomputing, each block's input and block L-1 recomputed first): the same kernels on the
//      same inputs write the same gradient into the scratch, and right after layer l's backward its AdamW
//      update runs with pass 1's clip scale and skip flag; layer l's weights are read by nothing after that.
//      The gradients outside the layers are pass 1's, still in their buffers; their update comes last (the
//      head and the final norm's input gradient read those weights in this pass).
// The weights, moments, loss and norm are those of the normal step to the bit. A single pass is not possible
// even where clipping never bites (the configuration has no "no clipping": gradClip > 0): skipping a
// non-finite step needs every gradient before the first update, and undoing updates would need the old weights
// and moments, more memory than the gradients saved. The cost is the second backward (and head), about two
// thirds of a step more without recomputation (a forward is about a third of a step) and three quarters more
// with it; nothing is read back between the passes.
import { encodeDispatches, type Dispatch } from './kernel-context';
import type { ModelGraph } from './graph';
import type { OptimizerUnit } from './optimizer';

/** Dispatches run in one compute pass; `clear` first zeroes the layer scratch (between passes: clearBuffer). */
interface Segment { readonly label: string; readonly clear: boolean; readonly dispatches: readonly Dispatch[] }

export class UpdatePerLayer {
  private readonly pass1: Segment[] = [];
  private readonly pass2: Segment[] = [];

  constructor(graph: ModelGraph, optimizer: { readonly units: readonly OptimizerUnit[]; readonly finish: Dispatch },
    private readonly scratch: readonly GPUBuffer[]) {
    const parts = graph.backwardParts, L = graph.config.nLayers;
    const units = (layer: number | null) => optimizer.units.filter((u) => u.layer === layer);
    const mixed = optimizer.units.find((u) => u.layer === undefined);
    if (mixed) throw new Error(`update per layer: ${mixed.partial.label} spans layers (the store must be packed layer by layer)`);
    if (parts.layers.length !== L) throw new Error('update per layer needs a training graph');
    this.pass1.push({ label: 'forward + head + final norm', clear: false, dispatches: [...graph.forward, ...graph.head, ...parts.top, ...parts.topGrads] });
    this.pass2.push({ label: 'head + final norm', clear: false, dispatches: [...graph.recomputeTop, ...graph.headInput, ...parts.top] });
    for (let l = L - 1; l >= 0; l--) {
      this.pass1.push({ label: `L${l} backward + grad norm`, clear: true, dispatches: [...parts.layers[l], ...units(l).map((u) => u.partial)] });
      this.pass2.push({ label: `L${l} backward + adamw`, clear: true, dispatches: [...parts.layers[l], ...units(l).map((u) => u.update)] });
    }
    const rest = units(null);
    this.pass1.push({ label: 'embedding + grad norm', clear: false, dispatches: [...parts.bottomGrads, ...rest.map((u) => u.partial), optimizer.finish] });
    this.pass2.push({ label: 'adamw outside the layers', clear: false, dispatches: rest.map((u) => u.update) });
  }

  /** Both passes of a step, after the caller has cleared every gradient buffer and set the optimizer's step. */
  encode(enc: GPUCommandEncoder): void {
    this.encodePass(enc, 'norm pass', this.pass1);
    this.encodePass(enc, 'update pass', this.pass2);
  }

  private encodePass(enc: GPUCommandEncoder, label: string, segments: readonly Segment[]): void {
    let pass: GPUComputePassEncoder | null = null;
    for (const s of segments) {
      if (s.clear) {
        pass?.end();
        pass = null;
        for (const b of this.scratch) enc.clearBuffer(b);
      }
      pass ??= enc.beginComputePass({ label: `${label}: ${s.label}` });
      encodeDispatches(pass, s.dispatches);
    }
    pass?.end();
  }
}
