// Reads a JSON file for a command's up-front checks: every failure names the file, never a bare
// "Unexpected token } in JSON at position 12".
import { readFile } from 'node:fs/promises';
import { InputError } from './args';

export async function readJSONFile(path: string, what = 'file'): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: the ${what} cannot be read (${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message})`);
  }
  return parseJSONText(text, path, what);
}

export function parseJSONText(text: string, path: string, what = 'file'): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: the ${what} is not valid JSON (${(e as Error).message})`);
  }
}
