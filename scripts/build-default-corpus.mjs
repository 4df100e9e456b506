// Builds the corpus the page offers before a person brings their own files: public/corpus/*.jsonl plus
// public/corpus/index.json listing them with suggested names, categories and mixture weights.
// Sources: ../shared/data (public domain). Moby-Dick whole (one chapter a record), and one State of the Union
// address in eight (years 1793, 1801, ... so every era is represented), a little under 3 MB in all.
//   node scripts/build-default-corpus.mjs
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SHARED = join('..', 'shared', 'data');
const OUT = join('public', 'corpus');

const readJsonl = (file) => readFileSync(join(SHARED, file), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const toJsonl = (rows) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

const moby = readJsonl('moby-dick.jsonl');
const sotu = readJsonl('sotu.jsonl').filter((r) => r.year % 8 === 1);

const files = [
  { file: 'moby-dick.jsonl', rows: moby, name: 'moby-dick', category: 'books', weight: 1,
    description: 'Herman Melville, Moby-Dick (1851), one chapter a record: chapter, title, text.' },
  { file: 'sotu-subset.jsonl', rows: sotu, name: 'state-of-the-union', category: 'speeches', weight: 1,
    description: `US State of the Union addresses, one in eight years from ${sotu[0].year} to ${sotu[sotu.length - 1].year}: year, name, party, text.` },
];

mkdirSync(OUT, { recursive: true });
const index = { version: 1, license: 'public domain', sources: [] };
for (const f of files) {
  const text = toJsonl(f.rows);
  writeFileSync(join(OUT, f.file), text);
  index.sources.push({
    file: f.file, name: f.name, category: f.category, weight: f.weight,
    format: { kind: 'jsonl', textField: 'text' },
    records: f.rows.length, bytes: Buffer.byteLength(text), description: f.description,
  });
}
writeFileSync(join(OUT, 'index.json'), JSON.stringify(index, null, 2) + '\n');
const total = index.sources.reduce((n, s) => n + s.bytes, 0);
console.log(`wrote ${OUT}: ${index.sources.map((s) => `${s.file} (${s.records} records)`).join(', ')}; ${(total / 1e6).toFixed(2)} MB`);
