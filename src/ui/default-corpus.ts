// The default corpus shipped in public/corpus: index.json lists its sources (file, name, category, weight,
// format), and each becomes a source in the data panel. Files are fetched from the page's own origin only
// when the data is prepared, so opening the page costs one small request.
import { detectFormat, type SourceFormat } from '../data/source';
import { newId, type FileRef, type SourceEntry } from './sources';

interface CorpusSource {
  file: string;
  name: string;
  category: string;
  weight: number;
  /** Detected from the file name when absent. */
  format?: SourceFormat;
  records?: number;
  bytes?: number;
  description?: string;
}

interface CorpusIndex {
  version: 1;
  license?: string;
  sources: CorpusSource[];
}

const CORPUS_URL = `${import.meta.env.BASE_URL}corpus/`;

function corpusFile(file: string, bytes: number | undefined): FileRef {
  const url = new URL(file, new URL(CORPUS_URL, location.href)).href;
  return {
    name: file, size: bytes ?? 0, stamp: url,
    load: async () => {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${file}: the default corpus file could not be loaded (HTTP ${res.status})`);
      // Named so the pipeline detects the format and the report names the file.
      return { name: file, blob: await res.blob() };
    },
  };
}

/** The default corpus as sources; an empty list when the page is served without one. */
export async function loadDefaultCorpus(): Promise<SourceEntry[]> {
  const res = await fetch(`${CORPUS_URL}index.json`);
  // A server without the corpus answers 404, or (a single-page fallback) with index.html: no default sources.
  if (!res.ok || !(res.headers.get('content-type') ?? '').includes('json')) return [];
  const index = (await res.json()) as CorpusIndex;
  if (index.version !== 1 || !Array.isArray(index.sources)) throw new Error('corpus/index.json: expected version 1 with a list of sources');
  return index.sources.map((s): SourceEntry => {
    const format = s.format ?? detectFormat(s.file);
    return {
      id: newId(), name: s.name, category: s.category, weight: s.weight, kind: format.kind,
      textField: format.kind === 'text' ? 'text' : format.textField, split: format.kind === 'text' ? format.split : 'blank-line',
      layout: 'text', roleFields: {}, labels: [], files: [corpusFile(s.file, s.bytes)], origin: 'default', description: s.description,
    };
  });
}
