// Reading a row's fields with messages that name the field: one bad row is reported and skipped.
import { RowError } from './task';

export function str(row: Record<string, unknown>, field: string): string {
  const v = row[field];
  if (typeof v !== 'string') throw new RowError(`field "${field}" must be a string, got ${kind(v)}`);
  return v;
}

/** A string that must have some text in it (an empty answer would have no tokens to score). */
export function text(row: Record<string, unknown>, field: string): string {
  const v = str(row, field);
  if (v.trim() === '') throw new RowError(`field "${field}" is empty`);
  return v;
}

export function strList(v: unknown, field: string, min = 2): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new RowError(`field "${field}" must be a list of strings, got ${kind(v)}`);
  if (v.length < min) throw new RowError(`field "${field}" has ${v.length} entries, at least ${min} needed`);
  if (v.some((x: string) => x.trim() === '')) throw new RowError(`field "${field}" has an empty entry`);
  return v as string[];
}

/** An integer index, given as a number or as a string of digits (datasets store labels both ways). */
export function index(row: Record<string, unknown>, field: string, size: number, base = 0): number {
  const v = row[field];
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n)) throw new RowError(`field "${field}" must be an integer, got ${kind(v)}`);
  const i = n - base;
  if (i < 0 || i >= size) throw new RowError(`field "${field}" is ${n}, outside ${base}..${base + size - 1}`);
  return i;
}

export function object(row: Record<string, unknown>, field: string): Record<string, unknown> {
  const v = row[field];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new RowError(`field "${field}" must be an object, got ${kind(v)}`);
  return v as Record<string, unknown>;
}

function kind(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return v.length > 40 ? `"${v.slice(0, 40)}..."` : JSON.stringify(v);
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
