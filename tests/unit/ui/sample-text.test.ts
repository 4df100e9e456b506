// Model text shown safely (issue 14.6): controls as visible pictures, broken UTF-8 as one marked piece,
// newlines and tabs kept, and a streamed sample's unfinished character held back.
import { describe, expect, it } from 'vitest';
import { samplePieces, streamingText } from '../../../src/ui/sample-text';

describe('samplePieces', () => {
  it('keeps plain text, newlines and tabs as they are', () => {
    expect(samplePieces('Call me\n\tIshmael.')).toEqual([{ kind: 'text', text: 'Call me\n\tIshmael.' }]);
  });

  it('shows control characters as pictures naming their code point', () => {
    expect(samplePieces('a\u0007b\u0000\u007f\u0085')).toEqual([
      { kind: 'text', text: 'a' },
      { kind: 'control', text: '␇', title: 'control character U+0007' },
      { kind: 'text', text: 'b' },
      { kind: 'control', text: '␀', title: 'control character U+0000' },
      { kind: 'control', text: '␡', title: 'control character U+007F' },
      { kind: 'control', text: '␦', title: 'control character U+0085' },
    ]);
  });

  it('marks a run of broken bytes once', () => {
    const pieces = samplePieces('x\uFFFD\uFFFD\uFFFDy');
    expect(pieces.map((p) => p.kind)).toEqual(['text', 'invalid', 'text']);
    expect(pieces[1].text).toBe('⍰');
    expect(pieces.map((p) => p.text).join('')).not.toContain('\uFFFD');
  });

  it('keeps characters outside the BMP whole', () => {
    expect(samplePieces('🐇 ok')).toEqual([{ kind: 'text', text: '🐇 ok' }]);
  });
});

describe('streamingText', () => {
  it('holds back only a trailing unfinished character', () => {
    expect(streamingText('caf\uFFFD')).toBe('caf');
    expect(streamingText('a\uFFFDb')).toBe('a\uFFFDb');
  });
});
