// Every fuzz family, by name. A new reader or import path gets a family file here and a line below.
import type { FuzzFamily } from '../family';
import { hfFolderFamily } from './hf-folder';
import { cliArgsFamily } from './cli-args';
import { csvFamily } from './csv';
import { jsonlFamily } from './jsonl';
import { txtFamily } from './txt';

export const families: FuzzFamily[] = [
  jsonlFamily,
  txtFamily,
  csvFamily,
  cliArgsFamily,
  hfFolderFamily,
];
