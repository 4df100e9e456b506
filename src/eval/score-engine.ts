// The Scorer on the WebGPU engine: requests sorted longest first, grouped into padded batches of a few
// bucket lengths (src/eval/score-batches.ts), each batch one compute pass of a forward-only scoring
// graph (src/engine/score-graph.ts) and one read-back of the per-position losses and greedy flags.
//
// Decisions:
// - Rows per batch come from the memory plan: the largest power of two (at most `maxBatchRows`) whose
//   scoring graph's planned activations fit `activationBudgetBytes` and the adapter's binding limit. WebGPU
//   reports no total memory, so the budget is the caller's figure (default 1 GiB); one row is always allowed
//   when it fits the adapter at all, since the longest request has to run somewhere.
// - Graphs are created on first use and kept for later batches and calls; when a new one would take the live
//   graphs past the budget, the least recently used are destroyed first (after the GPU is done with them).
// - Padding rows feed token 0; only the continuation's positions are gathered for the head and scored
//   (src/engine/score-graph.ts), so padding and context positions cost no logits.
// - Two read-back buffers alternate: batch k+1 is submitted before batch k's results are mapped, so the GPU
//   does not wait on the host between batches.
// - Results come back in the caller's order; onProgress(done, total) after each batch's results are in.
import type { EngineDevice } from '../engine/device';
import { Engine, type EngineOptions } from '../engine/engine';
import { encodeDispatches } from '../engine/kernel-context';
import { headRows, ScoreGraph, scoreMemory } from '../engine/score-graph';
import type { ModelConfig } from '../model/config';
import { planBatches, type ScoreBatch } from './score-batches';
import { scoreRow, type ScoreRow } from './score-rows';
import type { LoglikRequest, LoglikResult, Scorer } from './scorer';

export interface EngineScorerOptions {
  /** GPU memory for all live scoring graphs' activations together. Default 1 GiB. */
  readonly activationBudgetBytes?: number;
  /** Most requests per batch. Default 64. */
  readonly maxBatchRows?: number;
  /** The shortest padded length (smaller buckets cost more graphs than they save). Default 16. */
  readonly minSeqLen?: number;
  /** Rows of logits per chunk (tests lower it to exercise chunked heads). */
  readonly logitsChunkRows?: number;
}

const DEFAULTS = { activationBudgetBytes: 2 ** 30, maxBatchRows: 64, minSeqLen: 16 };

export class EngineScorer implements Scorer {
  readonly contextLength: number;
  /** Batches run (one compute pass and one read-back each), for tests and benchmarks. */
  batchesRun = 0;
  private readonly opts: Required<Omit<EngineScorerOptions, 'logitsChunkRows'>> & EngineScorerOptions;
  private readonly graphs = new Map<string, ScoreGraph>();  // insertion order: least recently used first
  private readonly staging: (GPUBuffer | null)[] = [null, null];
  private readonly rowsCache = new Map<number, number>();
  private readonly maxBindingBytes: number;

  /** `ownsEngine`: destroy() also destroys the engine (openEngineScorer made it). */
  constructor(readonly engine: Engine, opts: EngineScorerOptions = {}, private readonly ownsEngine = false) {
    this.opts = { ...DEFAULTS, ...opts };
    this.contextLength = engine.config.contextLength;
    this.maxBindingBytes = engine.ctx.caps.limits.maxStorageBufferBindingSize;
  }

  /** Shapes ("BxT") of the graphs kept now, least recently used first. */
  get liveGraphs(): string[] { return [...this.graphs.keys()]; }

  /** The most rows (a power of two) a batch of padded length T may have, from the scoring graph's memory plan. */
  rowsFor(T: number): number {
    let rows = this.rowsCache.get(T);
    if (rows !== undefined) return rows;
    const limits = { ...this.engine.ctx.caps.limits, maxStorageBufferBindingSize: this.maxBindingBytes };
    const one = scoreMemory(this.engine.config, { batchSize: 1, seqLen: T }, limits);
    if (one.problems.length > 0) throw new Error(`cannot score a request of ${T} tokens on this adapter: ${one.problems.join('; ')}`);
    rows = 1;
    while (rows * 2 <= this.opts.maxBatchRows) {
      const m = scoreMemory(this.engine.config, { batchSize: rows * 2, seqLen: T }, limits);
      if (m.problems.length > 0 || m.activationBytes > this.opts.activationBudgetBytes) break;
      rows *= 2;
    }
    this.rowsCache.set(T, rows);
    return rows;
  }

  /** The batches a call would run, without running them (benchmarks and tests report it). */
  plan(requests: readonly LoglikRequest[]): ScoreBatch[] {
    const rows = requests.map((r) => scoreRow(r, this.contextLength, this.engine.config.vocabSize));
    return planBatches(rows.map((r) => r.inputs.length), this.contextLength, this.opts.minSeqLen, (T) => this.rowsFor(T));
  }

  async score(requests: readonly LoglikRequest[], onProgress?: (done: number, total: number) => void): Promise<LoglikResult[]> {
    const rows = requests.map((r) => scoreRow(r, this.contextLength, this.engine.config.vocabSize));
    const plan = planBatches(rows.map((r) => r.inputs.length), this.contextLength, this.opts.minSeqLen, (T) => this.rowsFor(T));
    const results = new Array<LoglikResult>(requests.length);
    let done = 0;
    let inFlight: Promise<void> | null = null;
    for (let k = 0; k < plan.length; k++) {
      const batch = plan[k];
      const graph = await this.graphFor(batch, inFlight);
      const read = this.submit(graph, batch, rows, k % 2);
      if (inFlight) await inFlight;
      inFlight = read.then((out) => {
        this.collect(out, batch, rows, results);
        done += batch.requests.length;
        this.batchesRun++;
        onProgress?.(done, requests.length);
      });
    }
    if (inFlight) await inFlight;
    return results;
  }

  /** The graph for a batch's shape, created on first use; waits for the GPU before destroying any to make room. */
  private async graphFor(b: ScoreBatch, inFlight: Promise<void> | null): Promise<ScoreGraph> {
    const key = `${b.batchSize}x${b.seqLen}`;
    const hit = this.graphs.get(key);
    if (hit) { this.graphs.delete(key); this.graphs.set(key, hit); return hit; }
    const limits = { ...this.engine.ctx.caps.limits, maxStorageBufferBindingSize: this.maxBindingBytes };
    const need = scoreMemory(this.engine.config, { batchSize: b.batchSize, seqLen: b.seqLen }, limits).activationBytes;
    let live = [...this.graphs.values()].reduce((a, g) => a + g.activationBytes, 0);
    if (live + need > this.opts.activationBudgetBytes && this.graphs.size > 0) {
      if (inFlight) await inFlight;  // the batch on the GPU may be using a graph about to go
      for (const [k, g] of this.graphs) {
        if (live + need <= this.opts.activationBudgetBytes) break;
        g.destroy();
        this.graphs.delete(k);
        live -= g.activationBytes;
      }
    }
    const device = this.engine.device;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let graph: ScoreGraph | null = null;
    try {
      graph = new ScoreGraph(this.engine.ctx, this.engine.config, this.engine.store, { batchSize: b.batchSize, seqLen: b.seqLen },
        { maxBindingBytes: this.maxBindingBytes, logitsChunkRows: this.opts.logitsChunkRows });
    } finally {
      const validation = await device.popErrorScope();   // both scopes popped, whichever failed
      const oom = await device.popErrorScope();
      const err = validation ?? oom;
      if (err) { graph?.destroy(); throw new Error(`WebGPU refused the scoring graph ${key}: ${err.message}`); }
    }
    this.graphs.set(key, graph);
    return graph;
  }

  /** A read-back buffer of at least `bytes` in slot `slot` (the previous user of the slot has been read). */
  private stagingFor(slot: number, bytes: number): GPUBuffer {
    const cur = this.staging[slot];
    if (cur && cur.size >= bytes) return cur;
    cur?.destroy();
    const buf = this.engine.device.createBuffer({
      label: `score staging ${slot}`, size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.staging[slot] = buf;
    return buf;
  }

  /**
   * Uploads the batch's rows and its scored positions (compact, row after row, with their targets), replays
   * the graph, copies the compact losses and greedy flags out; resolves to them.
   */
  private submit(g: ScoreGraph, b: ScoreBatch, rows: readonly ScoreRow[], slot: number): Promise<{ losses: Float32Array; greedy: Uint32Array }> {
    const T = b.seqLen, N = g.nTokens;
    const inputs = new Int32Array(N);   // padding rows feed token 0 and are never gathered
    let m = 0;
    for (const ri of b.requests) m += rows[ri].inputs.length - rows[ri].scoreFrom;
    const M = headRows(m, N);
    const positions = new Int32Array(M);            // head rows past m gather position 0 ...
    const targets = new Int32Array(M).fill(-1);     // ... and predict nothing
    let j = 0;
    b.requests.forEach((ri, r) => {
      const row = rows[ri];
      inputs.set(row.inputs, r * T);
      for (let p = row.scoreFrom; p < row.inputs.length; p++, j++) { positions[j] = r * T + p; targets[j] = row.targets[p]; }
    });
    const q = this.engine.device.queue, acts = g.model.acts;
    const inV = acts.get('inputs'), tgV = acts.get('targets'), posV = g.outputs.get('positions');
    const lossV = acts.get('losses'), greedyV = g.outputs.get('greedy');
    q.writeBuffer(inV.buffer, inV.offset, inputs);
    q.writeBuffer(posV.buffer, posV.offset, positions);
    q.writeBuffer(tgV.buffer, tgV.offset, targets);
    const bytes = m * 4;
    const staging = this.stagingFor(slot, 2 * bytes);
    const enc = this.engine.device.createCommandEncoder({ label: `score ${b.batchSize}x${T}` });
    const pass = enc.beginComputePass({ label: `score ${b.batchSize}x${T}, ${M} scored rows` });
    encodeDispatches(pass, g.dispatches(M));
    pass.end();
    enc.copyBufferToBuffer(lossV.buffer, lossV.offset, staging, 0, bytes);
    enc.copyBufferToBuffer(greedyV.buffer, greedyV.offset, staging, bytes, bytes);
    q.submit([enc.finish()]);
    return staging.mapAsync(GPUMapMode.READ, 0, 2 * bytes).then(() => {
      const data = staging.getMappedRange(0, 2 * bytes).slice(0);
      staging.unmap();
      return { losses: new Float32Array(data, 0, m), greedy: new Uint32Array(data, bytes, m) };
    });
  }

  /** Sums each request's compact range of losses (in the order submit laid them out). */
  private collect(out: { losses: Float32Array; greedy: Uint32Array }, b: ScoreBatch, rows: readonly ScoreRow[],
    results: LoglikResult[]): void {
    let j = 0;
    for (const ri of b.requests) {
      const row = rows[ri];
      let loglik = 0, isGreedy = true;   // summed in double precision
      for (let p = row.scoreFrom; p < row.inputs.length; p++, j++) {
        loglik -= out.losses[j];
        if (out.greedy[j] !== 1) isGreedy = false;
      }
      results[ri] = { loglik, isGreedy };
    }
  }

  destroy(): void {
    for (const g of this.graphs.values()) g.destroy();
    this.graphs.clear();
    for (const s of this.staging) s?.destroy();
    this.staging.fill(null);
    if (this.ownsEngine) this.engine.destroy();
  }
}

/** A scorer on an engine that already holds the weights (a trainer's, or a forward-only one). */
export function createEngineScorer(engine: Engine, opts: EngineScorerOptions = {}): EngineScorer {
  return new EngineScorer(engine, opts);
}

/** A forward-only engine with these weights and a scorer on it; destroying the scorer frees both. */
export async function openEngineScorer(dev: EngineDevice, config: ModelConfig, params: ReadonlyMap<string, Float32Array>,
  opts: EngineScorerOptions & { engine?: EngineOptions } = {}): Promise<EngineScorer> {
  // The engine's own forward graph is one token long: the scorer plans its graphs per batch shape.
  const engine = await Engine.createForward(dev, config, { batchSize: 1, seqLen: 1 }, opts.engine);
  engine.setParams(params);
  return new EngineScorer(engine, opts, true);
}
