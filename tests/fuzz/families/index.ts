// Every fuzz family, by name. A new reader or import path gets a family file here and a line below.
import type { FuzzFamily } from '../family';
import { hfFolderFamily } from './hf-folder';
import { cliArgsFamily } from './cli-args';
import { benchmarkFamily } from './benchmark';
import { csvFamily } from './csv';
import { gzipFamily } from './gzip';
import { evalTaskFileFamily } from './eval-task-file';
import { jsonlFamily } from './jsonl';
import { parquetFamily } from './parquet';
import { txtFamily } from './txt';
import { tokenizerJsonFamily } from './tokenizer-json';
import { safetensorsFamily } from './safetensors';
import { hfConfigFamily } from './hf-config';
import { trainerStateFamily } from './trainer-state';
import { checkpointZipFamily } from './checkpoint-zip';

export const families: FuzzFamily[] = [
  jsonlFamily,
  evalTaskFileFamily,
  txtFamily,
  csvFamily,
  gzipFamily,
  parquetFamily,
  benchmarkFamily,
  cliArgsFamily,
  hfFolderFamily,
  tokenizerJsonFamily,
  safetensorsFamily,
  hfConfigFamily,
  trainerStateFamily,
  checkpointZipFamily,
];
