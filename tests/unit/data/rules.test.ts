// Each cleaning rule on planted text: what it must remove, and the look-alikes it must keep.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, resolveRules } from '../../../src/data/rules/defaults';
import { checkLanguage } from '../../../src/data/rules/language';
import { estimateTokens, splitByLength, utf8Length } from '../../../src/data/rules/length';
import { removeLinks } from '../../../src/data/rules/links';
import { luhnValid, maskPii } from '../../../src/data/rules/pii';
import { checkQuality } from '../../../src/data/rules/quality';

const pii = DEFAULT_RULES.pii;

describe('PII', () => {
  it.each([
    ['email', 'Write to jane.doe+news@example.co.uk today.', 'Write to [EMAIL] today.'],
    ['phone', 'Call 555-123-4567 or (555) 987 6543 now.', 'Call [PHONE] or [PHONE] now.'],
    ['phone', 'Our office: +44 20 7946 0958, ask for Sam.', 'Our office: [PHONE], ask for Sam.'],
    ['phone', 'Dial +1 415.555.0199 after six.', 'Dial [PHONE] after six.'],
    ['ip', 'The server at 192.168.10.254 went down.', 'The server at [IP] went down.'],
    ['ip', 'Reach it at 2001:db8:85a3::8a2e:370:7334 instead.', 'Reach it at [IP] instead.'],
    ['card', 'Card 4111 1111 1111 1111 was charged.', 'Card [CARD] was charged.'],
    ['card', 'Card 5500-0000-0000-0004 was refused.', 'Card [CARD] was refused.'],
  ])('masks %s: %s', (kind, input, expected) => {
    const r = maskPii(input, pii);
    expect(r.text).toBe(expected);
    expect(r.counts[kind as keyof typeof r.counts]).toBeGreaterThan(0);
  });

  it('leaves ordinary numbers alone: years, ranges, money, dates, versions, times, code', () => {
    const prose = 'In 1861-1865 the war cost $3,000,000,000; on 2018-05-12 at 12:30:45 we shipped v1.2.3 ' +
      'to 4,532 users and 1234567890123 is not a valid card. See std::vector and a::b.';
    const r = maskPii(prose, pii);
    expect(r.text).toBe(prose);
    expect(r.total).toBe(0);
  });

  it('checks card numbers with Luhn unless told not to', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(maskPii('Number 4111 1111 1111 1112 here.', pii).total).toBe(0);
    expect(maskPii('Number 4111 1111 1111 1112 here.', { ...pii, cardLuhn: false }).counts.card).toBe(1);
  });

  it('can switch single kinds off', () => {
    const r = maskPii('a@b.com and 10.0.0.1', { ...pii, kinds: { ...pii.kinds, ip: false } });
    expect(r.text).toBe('[EMAIL] and 10.0.0.1');
  });
});

describe('links', () => {
  it('removes URLs and keeps the sentence punctuation around them', () => {
    expect(removeLinks('Read https://example.com/a?b=1.').text).toBe('Read.');
    expect(removeLinks('See www.example.org for more, then rest.').text).toBe('See for more, then rest.');
    expect(removeLinks('The page (https://en.wikipedia.org/wiki/Foo_(bar)) explains.').text).toBe('The page explains.');
    expect(removeLinks('Docs at [the manual](https://x.io/docs) are good.').text).toBe('Docs at the manual are good.');
    expect(removeLinks('ftp://files.example.net/pub is old.').text).toBe(' is old.');
  });
  it('counts removals and leaves link-free text unchanged', () => {
    const text = 'No links here, just e.g. a.b and www-like words.';
    expect(removeLinks(text)).toEqual({ text, removed: 0 });
    expect(removeLinks('a http://x.y b https://z.w c').removed).toBe(2);
  });
});

describe('quality', () => {
  const q = DEFAULT_RULES.quality;
  const good = 'The harpooneer stood at the bow and watched the grey water for a long while.';
  it('keeps a complete sentence', () => {
    expect(checkQuality(good, q)).toBeNull();
    expect(checkQuality(`“${good}”`, q)).toBeNull();
  });
  it.each([
    ['too-short', 'Too short to keep.'],
    ['incomplete', 'The harpooneer stood at the bow and watched the grey water for a long'],
    ['symbols', '12 34 56 78 90 11 22 33 44 55 66 77 88 ## %% && ** ok.'],
    ['repeated-lines', 'Buy now and save money today.\nBuy now and save money today.\nBuy now and save money today.\nReally good deal here.'],
  ])('removes %s', (rule, text) => {
    expect(checkQuality(text, q)?.rule).toBe(rule);
  });
  it('thresholds are tunable', () => {
    expect(checkQuality('Too short to keep.', { ...q, minWords: 2 })).toBeNull();
    expect(checkQuality('Seven words here and no final stop', { ...q, minWords: 2, requireEndPunctuation: false })).toBeNull();
  });
});

describe('language', () => {
  const lang = DEFAULT_RULES.language;
  it('keeps English and removes other languages', () => {
    expect(checkLanguage('It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness.', lang)).toEqual({ lang: 'en', keep: true });
    expect(checkLanguage("Le chat est assis sur le tapis et regarde les oiseaux dans le jardin. Il fait beau aujourd'hui.", lang)).toEqual({ lang: 'fr', keep: false });
    expect(checkLanguage('Der Hund läuft schnell über die Straße, weil er seinen Ball sucht. Es ist ein schöner Tag.', lang).keep).toBe(false);
    expect(checkLanguage('El perro corre rápidamente por la calle porque busca su pelota. Hace un día muy bonito.', lang).keep).toBe(false);
  });
  it('keeps text too short to judge, and keeps the languages asked for', () => {
    expect(checkLanguage('Oui, merci.', lang)).toEqual({ lang: 'und', keep: true });
    expect(checkLanguage("Le chat est assis sur le tapis et regarde les oiseaux dans le jardin. Il fait beau aujourd'hui.", { ...lang, keep: ['en', 'fr'] }).keep).toBe(true);
  });
});

describe('length caps', () => {
  it('estimates tokens from UTF-8 bytes', () => {
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4);
    expect(estimateTokens('abcdefgh', 4)).toBe(2);
  });
  it('splits long text at paragraph breaks into pieces under the cap, losing no words', () => {
    const paragraphs = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} ${'has several words in it. '.repeat(8)}`.trim());
    const text = paragraphs.join('\n\n');
    const pieces = splitByLength(text, 100, 4);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(utf8Length(p)).toBeLessThanOrEqual(400);
    expect(pieces.join(' ').split(/\s+/)).toEqual(text.split(/\s+/));
    expect(pieces[0].startsWith('Paragraph 0 ')).toBe(true);
    expect(pieces.every((p) => p.endsWith('.'))).toBe(true); // whole paragraphs, so whole sentences
  });
  it('falls back to sentences, then words, then characters', () => {
    const oneParagraph = 'A short sentence here. '.repeat(40).trim();
    for (const p of splitByLength(oneParagraph, 10, 4)) { expect(utf8Length(p)).toBeLessThanOrEqual(40); expect(p.endsWith('.')).toBe(true); }
    const noSpaces = 'x'.repeat(1000);
    const cut = splitByLength(noSpaces, 10, 4);
    expect(cut.join('')).toBe(noSpaces);
    expect(Math.max(...cut.map((c) => c.length))).toBe(40);
    const emoji = '😀'.repeat(50); // 4 UTF-8 bytes, 2 UTF-16 units each: never cut in half
    const parts = splitByLength(emoji, 3, 4);
    expect(parts.join('')).toBe(emoji);
    for (const p of parts) { expect(utf8Length(p)).toBeLessThanOrEqual(12); expect(p).toMatch(/^(😀)+$/u); }
  });
  it('leaves text under the cap alone', () => {
    expect(splitByLength('Fits easily.', 2048, 4)).toEqual(['Fits easily.']);
  });
});

describe('rule options', () => {
  it('merge overrides over the defaults and reject impossible settings', () => {
    const r = resolveRules({ nearDedup: { threshold: 0.9 }, pii: { mode: 'drop' } });
    expect(r.nearDedup).toEqual({ ...DEFAULT_RULES.nearDedup, threshold: 0.9 });
    expect(r.pii.mode).toBe('drop');
    expect(DEFAULT_RULES.pii.mode).toBe('mask');
    expect(() => resolveRules({ nearDedup: { bands: 40, rows: 5 } })).toThrow(/numPerm/);
    expect(() => resolveRules({ decontam: { shortN: [8, 4] } })).toThrow(/n-gram/);
  });
});
