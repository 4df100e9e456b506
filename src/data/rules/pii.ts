// Private information (HARE, appendix A): e-mail addresses, phone numbers, IP addresses and card-like
// numbers. Each pattern is written to miss ordinary prose numbers (years, amounts with commas, dates), at
// the cost of missing unusual phone formats; card numbers must pass the Luhn checksum by default.
import type { PiiKind, RuleOptions } from './defaults';

const EMAIL = /[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}\b/g;
const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d]|\.\d)/g;
const IPV6_FULL = /(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\w:])/g;
const IPV6_SHORT = /(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?(?![\w:])/g;
const CARD = /(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])/g;
// North American numbers with separators: 555-123-4567, (555) 123-4567, +1 555.123.4567.
const PHONE_NANP = /(?<![\w+])(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\d)/g;
// International numbers written with a leading +: +44 20 7946 0958, +33 1 23 45 67 89.
const PHONE_INTL = /(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\d)/g;

/** The Luhn checksum that every payment card number satisfies. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return sum % 10 === 0;
}

export interface PiiResult {
  text: string;
  counts: Record<PiiKind, number>;
  total: number;
}

export function maskPii(text: string, opts: RuleOptions['pii']): PiiResult {
  const counts: Record<PiiKind, number> = { email: 0, phone: 0, ip: 0, card: 0 };
  let out = text;
  // Cheap character checks first: most text has no '@', no '::' and no long digit runs, and the regexes
  // would otherwise be tried at every position.
  const hasAt = out.includes('@');
  const hasDigit = /\d/.test(out);
  const hasHexColon = /[0-9A-Fa-f]:[0-9A-Fa-f]*:/.test(out);
  const sub = (kind: PiiKind, re: RegExp, accept: (m: string) => boolean = () => true, worthTrying = true) => {
    if (!opts.kinds[kind] || !worthTrying) return;
    out = out.replace(re, (m: string) => {
      if (!accept(m)) return m;
      counts[kind]++;
      return opts.placeholders[kind];
    });
  };
  // Order matters: e-mails first (they hold digits and dots), then IPs (dotted digits a phone pattern could
  // take), then cards (long digit runs), then phones.
  sub('email', EMAIL, undefined, hasAt);
  sub('ip', IPV4, undefined, hasDigit);
  sub('ip', IPV6_FULL, undefined, hasHexColon);
  sub('ip', IPV6_SHORT, (m) => m.split(':').filter((g) => g.length >= 2).length >= 1 && m.split(':').filter(Boolean).length >= 2, hasHexColon);
  sub('card', CARD, (m) => { const d = m.replace(/\D/g, ''); return !opts.cardLuhn || luhnValid(d); }, hasDigit);
  sub('phone', PHONE_NANP, undefined, hasDigit);
  sub('phone', PHONE_INTL, (m) => { const n = m.replace(/\D/g, '').length; return n >= 8 && n <= 15; }, hasDigit);
  const total = counts.email + counts.phone + counts.ip + counts.card;
  return { text: out, counts, total };
}
