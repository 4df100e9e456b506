// Every fuzz family, by name. A new reader or import path gets a family file here and a line below.
import type { FuzzFamily } from '../family';
import { jsonlFamily } from './jsonl';

export const families: FuzzFamily[] = [
  jsonlFamily,
];
