// A corpus built for the pipeline test: English documents from a small grammar (varied enough that no two
// are near-duplicates), with planted cases of every kind a rule must catch or spare, spread across sources of
// different formats. Every planted document carries a label so the test can check each one's fate.
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { SourceSpec } from '../../../src/data/source';
import type { BenchmarkSpec } from '../../../src/data/pipeline-options';
import { gzip, jsonl, memFile, rng } from './helpers';

export type Label =
  | 'clean' | 'exact-dup' | 'near-dup' | 'pii' | 'link' | 'foreign' | 'cut-off' | 'too-short' | 'symbols'
  | 'repeated-lines' | 'contaminated' | 'benchmark-copy' | 'long';

/** Where a planted document ends up. */
export const EXPECTED: Record<Label, 'kept' | 'removed'> = {
  clean: 'kept', pii: 'kept', link: 'kept', long: 'kept',
  'exact-dup': 'removed', 'near-dup': 'removed', foreign: 'removed', 'cut-off': 'removed', 'too-short': 'removed',
  symbols: 'removed', 'repeated-lines': 'removed', contaminated: 'removed', 'benchmark-copy': 'removed',
};

/** The rule each removed label must be counted under. */
export const RULE_OF: Partial<Record<Label, string>> = {
  'exact-dup': 'exact-dup', 'near-dup': 'near-dup', foreign: 'language', 'cut-off': 'incomplete', 'too-short': 'too-short',
  symbols: 'symbols', 'repeated-lines': 'repeated-lines', contaminated: 'decontam', 'benchmark-copy': 'decontam',
};

const SUBJECTS = ['The old captain', 'A young sailor', 'The harbour master', 'My grandmother', 'The village baker', 'A tired clerk',
  'The school teacher', 'Our neighbour', 'The ship cook', 'A quiet farmer', 'The town mayor', 'A travelling doctor',
  'The night watchman', 'The blacksmith', 'A curious child', 'The lighthouse keeper'];
const VERBS = ['painted', 'repaired', 'carried', 'described', 'watched', 'measured', 'remembered', 'counted', 'cleaned',
  'sold', 'borrowed', 'opened', 'followed', 'ignored', 'praised', 'studied'];
const OBJECTS = ['the broken fence', 'a basket of apples', 'the heavy anchor', 'an old map', 'the wooden door', 'a letter from home',
  'the rusty lantern', 'a pair of boots', 'the church bell', 'a box of candles', 'the fishing nets', 'a small garden',
  'the long ladder', 'a jar of honey', 'the village well', 'a silver watch'];
const PLACES = ['near the harbour', 'behind the mill', 'at the market', 'beside the river', 'in the cold kitchen', 'on the hill',
  'under the bridge', 'by the old church', 'inside the barn', 'across the square', 'along the shore', 'before the storm'];
const TAILS = ['early in the morning', 'while the others slept', 'without saying a word', 'for the third time that week',
  'with great care', 'as the rain began', 'before anyone noticed', 'after a long dinner', 'in spite of the wind', 'with a cheerful song'];

export interface PlantedDoc {
  id: string;
  label: Label;
  text: string;
  source: string;
  /** For near- and exact duplicates: the id of the document they copy; for contaminated: the benchmark line. */
  of?: string | number;
}

export interface PlantedCorpus {
  sources: SourceSpec[];
  benchmarks: BenchmarkSpec[];
  docs: PlantedDoc[];
  benchmarkItems: string[];
}

export async function buildPlantedCorpus(seed = 3): Promise<PlantedCorpus> {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const sentence = () => `${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)} ${pick(PLACES)} ${pick(TAILS)}.`;
  const paragraph = (n: number) => Array.from({ length: n }, sentence).join(' ');

  const benchmarkItems = [
    'Question: A farmer has seventeen sheep and all but nine run away. How many sheep does the farmer have left? Answer: nine sheep remain with the farmer.',
    'Question: Which gas do green plants absorb from the air during photosynthesis in bright sunlight? Answer: carbon dioxide is absorbed by the leaves.',
    'Question: If a train leaves the station at three and travels for two hours, at what time does it arrive? Answer: it arrives at five o clock.',
  ];
  const docs: PlantedDoc[] = [];
  const web: PlantedDoc[] = [];
  const books: PlantedDoc[] = [];
  const forum: PlantedDoc[] = [];
  const qa: PlantedDoc[] = [];
  const add = (list: PlantedDoc[], d: Omit<PlantedDoc, 'source'>, source: string) => { const full = { ...d, source }; list.push(full); docs.push(full); };

  for (let i = 0; i < 40; i++) add(web, { id: `w${i}`, label: 'clean', text: paragraph(6 + (i % 5)) }, 'web');
  for (let i = 0; i < 25; i++) add(books, { id: `b${i}`, label: 'clean', text: paragraph(5 + (i % 4)) }, 'books');
  for (let i = 0; i < 25; i++) add(forum, { id: `f${i}`, label: 'clean', text: paragraph(4 + (i % 3)) }, 'forum');
  for (let i = 0; i < 10; i++) add(qa, { id: `q${i}`, label: 'clean', text: `Question: ${sentence()} Answer: ${sentence()}` }, 'qa');

  // Duplicates across sources: exact (case and spacing changed) and edited near-duplicates of web documents.
  for (let i = 0; i < 6; i++) {
    const orig = web[i];
    add(i % 2 ? forum : books, { id: `x${i}`, label: 'exact-dup', text: orig.text.toUpperCase().replace(/ /g, '  '), of: orig.id }, i % 2 ? 'forum' : 'books');
  }
  for (let i = 6; i < 14; i++) {
    const orig = web[i];
    const words = orig.text.split(' ');
    words[Math.floor(words.length / 2)] = 'lonely'; // one word changed: shingle Jaccard about 0.85 to 0.9
    add(i % 2 ? forum : books, { id: `n${i}`, label: 'near-dup', text: words.join(' '), of: orig.id }, i % 2 ? 'forum' : 'books');
  }
  // A duplicate inside one source, too.
  add(web, { id: 'x-same', label: 'exact-dup', text: `${web[20].text} `, of: web[20].id }, 'web');

  // PII and links: kept, masked or cleaned.
  add(web, { id: 'p0', label: 'pii', text: `${paragraph(3)} Write to harbour.office@example.com or call 555-201-3344 for details.` }, 'web');
  add(forum, { id: 'p1', label: 'pii', text: `${paragraph(3)} My card 4111 1111 1111 1111 was charged twice from 10.20.30.40 yesterday.` }, 'forum');
  add(web, { id: 'l0', label: 'link', text: `${paragraph(3)} The full story is at https://example.org/story?id=7 and also www.example.net/more.` }, 'web');

  // Documents other rules must remove.
  add(web, { id: 'fr', label: 'foreign', text: "Le vieux capitaine a réparé la clôture près du port ce matin. Les enfants regardaient les bateaux et les pêcheurs chantaient une chanson joyeuse pendant que la pluie tombait sur le village." }, 'web');
  add(books, { id: 'de', label: 'foreign', text: 'Der alte Kapitän hat heute Morgen den kaputten Zaun am Hafen repariert. Die Kinder schauten den Schiffen zu, während der Regen auf das kleine Dorf fiel und alle nach Hause liefen.' }, 'books');
  add(forum, { id: 'es', label: 'foreign', text: 'El viejo capitán reparó la cerca rota cerca del puerto esta mañana. Los niños miraban los barcos mientras la lluvia caía sobre el pueblo y todos corrían a sus casas.' }, 'forum');
  add(web, { id: 'c0', label: 'cut-off', text: `${paragraph(4)} The old captain carried the heavy anchor towards the` }, 'web');
  add(books, { id: 'c1', label: 'cut-off', text: `${paragraph(3)} A young sailor remembered, with some sadness, that` }, 'books');
  add(forum, { id: 's0', label: 'too-short', text: 'Thanks, great post!' }, 'forum');
  add(web, { id: 'y0', label: 'symbols', text: '| 2019 | 4,512 | 33.1% | $9,120 |\n| 2020 | 5,003 | 35.7% | $9,870 |\n| 2021 | 5,611 | 38.2% | $10,440 |\nTotal: 15,126.' }, 'web');
  add(forum, { id: 'r0', label: 'repeated-lines', text: 'Click here to win a prize today.\nClick here to win a prize today.\nClick here to win a prize today.\nClick here to win a prize today.\nOffer ends soon.' }, 'forum');

  // Benchmark leakage: items pasted into long documents, and a short Q&A sample copied from a benchmark.
  add(web, { id: 'k0', label: 'contaminated', text: `${paragraph(30)} ${benchmarkItems[0]} ${paragraph(30)}`, of: 1 }, 'web');
  add(books, { id: 'k1', label: 'contaminated', text: `${paragraph(12)} ${benchmarkItems[2]} ${paragraph(12)}`, of: 3 }, 'books');
  add(qa, { id: 'k2', label: 'benchmark-copy', text: benchmarkItems[1].replace('Question:', 'Q.').replace('Answer:', 'A.'), of: 2 }, 'qa');

  // A long document, over the 2k-token cap, in a source read one document per file: split, every piece kept.
  const longBooks: PlantedDoc[] = [];
  add(longBooks, { id: 'long', label: 'long', text: Array.from({ length: 30 }, () => paragraph(8)).join('\n\n') }, 'long-books');

  // Shuffle within each source (deterministically) so planted cases sit between clean ones. Web is read
  // first, so every original precedes its copies in other sources; the same-source copy goes last.
  for (const list of [web, books, forum, qa]) {
    for (let i = list.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [list[i], list[j]] = [list[j], list[i]]; }
  }
  web.push(...web.splice(web.findIndex((d) => d.id === 'x-same'), 1));

  // Books: plain text, one document per blank-line block, so a book's record is known by its line (2i + 1).
  books.forEach((d, i) => { d.id = `line${2 * i + 1}`; });
  const booksText = books.map((d) => d.text).join('\n\n') + '\n';
  const parquet = new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: 'id', data: qa.map((d) => d.id), type: 'STRING' },
      { name: 'question_text', data: qa.map((d) => d.text), type: 'STRING' },
    ],
    rowGroupSize: 4,
  }));
  // CSV: the text in quotes (some hold newlines), doubled quotes escaped.
  const csv = 'id,body,votes\n' + forum.map((d, i) => `${d.id},"${d.text.replace(/"/g, '""')}",${i}`).join('\n') + '\n';
  const sources: SourceSpec[] = [
    { name: 'web', category: 'web', weight: 3, files: [memFile('web.jsonl.gz', await gzip(jsonl(web.map((d) => ({ id: d.id, text: d.text, lang: 'en' })))), 1000)] },
    { name: 'books', category: 'books', weight: 2, files: [memFile('books.txt', booksText, 777)] },
    { name: 'long-books', category: 'books', weight: 1, files: [memFile('long-book.txt', longBooks[0].text)], format: { kind: 'text', split: 'file' } },
    { name: 'forum', category: 'forum', weight: 1, files: [memFile('forum.csv', csv, 512)], format: { kind: 'csv', textField: 'body' } },
    { name: 'qa', category: 'qa', weight: 1, files: [memFile('qa.parquet', parquet)], format: { kind: 'parquet', textField: 'question_text' } },
  ];
  const benchmarks: BenchmarkSpec[] = [{ files: [memFile('bench.jsonl', jsonl(benchmarkItems.map((t, i) => ({ idx: i, question: t.split(' Answer: ')[0], answer: `Answer: ${t.split(' Answer: ')[1]}` }))))] }];
  return { sources, benchmarks, docs, benchmarkItems };
}
