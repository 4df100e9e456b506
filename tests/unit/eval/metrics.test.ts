// acc, acc_norm, mc2 and standard errors on numbers worked by hand from the harness's definitions.
import { describe, expect, it } from 'vitest';
import { argmax, mc2, meanStderr, predictions } from '../../../src/eval/metrics';

describe('metrics', () => {
  it('argmax takes the first of equal maxima, as numpy does', () => {
    expect(argmax([-2, -1, -1])).toBe(1);
  });

  it('acc_norm divides by the choice\'s length in characters (code points, as Python\'s len)', () => {
    // ll/len: -4/2 = -2, -9/10 = -0.9 -> the longer choice wins acc_norm, the shorter acc.
    expect(predictions([-4, -9], ['ab', 'abcdefghij'])).toEqual({ pred: 0, predNorm: 1 });
    // "😀😀" is 2 characters to Python, 4 UTF-16 units to JavaScript: -3/3 = -1 beats -3/2 = -1.5 (but not -3/4).
    expect(predictions([-3, -3], ['abc', '😀😀']).predNorm).toBe(0);
  });

  it('mc2 is the normalised probability of the true answers', () => {
    expect(mc2([Math.log(0.5), Math.log(0.3), Math.log(0.2)], [1, 0, 0])).toBeCloseTo(0.5, 12);
    expect(mc2([Math.log(0.1), Math.log(0.3), Math.log(0.2)], [1, 1, 0])).toBeCloseTo(0.4 / 0.6, 12);
    // Where exp(ll) underflows (the harness would get 0/0), the ratio is still exact: 1 / (1 + e^-1).
    expect(mc2([-2000, -2001], [1, 0])).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
  });

  it('stderr is the sample standard deviation over sqrt(n)', () => {
    expect(meanStderr([1, 0, 1, 1])).toBeCloseTo(0.25, 12); // sd = sqrt(0.75 / 3) = 0.5
    expect(meanStderr([0.2, 0.4])).toBeCloseTo(Math.sqrt(0.02) / Math.sqrt(2), 12);
    expect(meanStderr([1])).toBeNaN();
  });
});
