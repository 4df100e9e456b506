// The default corpus shipped in public/corpus: index.json lists its sources (name, category, weight, files),
// and each becomes a source in the data panel. Files are fetched from the page's own origin only when the
// data is prepared, so opening the page costs one small request.
import { detectFormat, type TextSplit } from '../data/source';
import { newId, type FileRef, type FormatKind, type SourceEntry } from './sources';

interface CorpusFile {
  file: string;
  bytes?: number;
}

interface CorpusSource {
  name: string;
  category: string;
  weight: number;
  files: (string | CorpusFile)[];
  textField?: string;
  format?: FormatKind;
  split?: TextSplit;
  description?: string;
}

export interface CorpusIndex {
  description?: string;
  sources: CorpusSource[];
}

const CORPUS_URL = `${import.meta.env.BASE_URL}corpus/`;

function corpusFile(entry: string | CorpusFile): FileRef {
  const { file, bytes } = typeof entry === 'string' ? { file: entry, bytes: undefined } : entry;
  const url = new URL(file, new URL(CORPUS_URL, location.href)).href;
  const name = file.split('/').pop() ?? file;
  return {
    name, size: bytes ?? 0, stamp: url,
    load: async () => {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${name}: the default corpus file could not be loaded (HTTP ${res.status})`);
      // Named so the pipeline detects the format and the report names the file.
      return { name, blob: await res.blob() };
    },
  };
}

/** The default corpus as sources; an empty list when the page is served without one. */
export async function loadDefaultCorpus(): Promise<SourceEntry[]> {
  const res = await fetch(`${CORPUS_URL}index.json`);
  // A server without the corpus answers 404, or (a single-page fallback) with index.html: no default sources.
  if (!res.ok || !(res.headers.get('content-type') ?? '').includes('json')) return [];
  const index = (await res.json()) as CorpusIndex;
  return index.sources.map((s): SourceEntry => {
    const files = s.files.map(corpusFile);
    const detected = detectFormat(files[0]?.name ?? '');
    const kind = s.format ?? detected.kind;
    return {
      id: newId(), name: s.name, category: s.category, weight: s.weight, kind,
      textField: s.textField ?? 'text', split: s.split ?? 'blank-line', files, origin: 'default',
    };
  });
}
