// The data worker's API, as the page sees it through Comlink: `Comlink.wrap<DataApi>(worker)`.
// Pass the progress callback wrapped in Comlink.proxy(...). File objects travel by structured clone (no copy
// of their bytes); datasets live in the origin-private file system, one folder per dataset.
import type { DatasetManifest } from '../data/pack/manifest';
import type { PipelineProgress } from '../data/pipeline-options';
import type { PipelineReport } from '../data/report';
import type { RuleOptions, RuleOverrides, RULE_HELP } from '../data/rules/defaults';
import type { LengthClass, SourceFormat } from '../data/source';
import type { DiversityOptions } from '../data/diversity/cluster-pass';
import type { DataPart, TaskSpec } from '../data/tasks/layouts';
import type { LayoutPreview, LayoutPreviewRequest } from './data-layout-preview';
import type { TokenizerChoice } from '../data/tokenizer-choice';
import type { ChatTemplateSpec } from '../data/sft/chat-template';
import type { SniffResult } from '../data/sniff-columns';
import type { ModelConfig } from '../model/config';
import type { MegatronZip } from './data-megatron';

export type { MegatronZip } from './data-megatron';

/** A Blob with a name, for data that is not a File (a fetched default corpus, or a runtime that drops File names when cloning). */
export interface NamedBlob {
  name: string;
  blob: Blob;
}

export type InputFile = File | NamedBlob;

export interface PrepareSource {
  name: string;
  category: string;
  weight: number;
  files: InputFile[];
  /** Detected from each file's extension when omitted. */
  format?: SourceFormat;
  lengthClass?: LengthClass;
  /** A task dataset (D3), rendered through its layout's templates: as the CLI's FILE:CATEGORY:WEIGHT:LAYOUT. */
  task?: TaskSpec;
  /** Instruction data (the CLI's :sft), rendered with the chat template and packed with a loss mask. */
  sft?: boolean;
  /** The recipe part, when not the one partOf gives. */
  part?: DataPart;
}

export interface PrepareRequest {
  /** Dataset folder name in OPFS (letters, digits, . _ -); an existing dataset of that name is replaced. */
  dataset: string;
  sources: PrepareSource[];
  benchmarks?: { files: InputFile[]; fields?: string }[];
  rules?: RuleOverrides;
  seed?: number;
  tokenizer: TokenizerChoice;
  seqLen?: number;
  valFraction?: number;
  /** Web Workers for the per-record work (0: all in the data worker); default one per logical core from
   *  32 MiB of input, none below (pool/pool.ts). The dataset is the same byte for byte for any number. */
  workers?: number;
  /** Topic clusters per source and a per-cluster cap or flattening (the CLI's --clusters, --cluster-cap, --cluster-flatten). */
  diversity?: DiversityOptions;
  /** The template SFT sources render with: the imported model's (ModelCard.sftTemplate); ChatML when absent. */
  chatTemplate?: ChatTemplateSpec;
}

export interface DatasetInfo {
  name: string;
  /** Total bytes of the dataset's files. */
  bytes: number;
  /** Null while a run is writing it, or when it failed before the manifest was written. */
  manifest: DatasetManifest | null;
}

/** The files a person can download from a dataset. */
export type ExportFile = 'cleaned.jsonl' | 'report.json' | 'dataset.json' | 'tokenizer.json';

export interface DataApi {
  /** Runs the whole pipeline into OPFS; resolves with the report (also saved as report.json). */
  prepare(req: PrepareRequest, onProgress?: (p: PipelineProgress) => void): Promise<PipelineReport>;
  /** Stops the running prepare(); it rejects with an AbortError. */
  cancel(): Promise<void>;
  listDatasets(): Promise<DatasetInfo[]>;
  exportFile(dataset: string, file: ExportFile): Promise<Blob>;
  deleteDataset(dataset: string): Promise<void>;
  /** The text columns of a JSONL, CSV or Parquet file, from its first records, for the source card to offer. */
  sniffColumns(file: InputFile, kind: 'jsonl' | 'csv' | 'parquet'): Promise<SniffResult>;
  /** The layout a file's first row looks like, the fields of the chosen one and its first rows rendered (data-layout-preview.ts). */
  previewLayout(file: InputFile, kind: 'jsonl' | 'csv' | 'parquet', req: LayoutPreviewRequest): Promise<LayoutPreview>;
  /**
   * A prepared dataset as Megatron-LM data (`npm run export -- --megatron`): a zip of one .bin/.idx per source,
   * data-path.txt and README.md, written into OPFS and returned as that file. `model` fills the README's
   * hyperparameters (hare-1.1b's when null); `onDocument` (a Comlink.proxy) counts documents written.
   */
  exportMegatron(dataset: string, model: ModelConfig | null, onDocument?: (n: number) => void): Promise<MegatronZip>;
  /** The rule defaults and one line of help per rule group, for the page's rule panel. */
  ruleDefaults(): Promise<{ defaults: RuleOptions; help: typeof RULE_HELP }>;
}
