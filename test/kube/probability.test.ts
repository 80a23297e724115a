import { expect, test } from 'vitest';
import { savedProbability, writtenProbability } from '../../src/kube/index.js';

// kube-proxy writes 1/n with 10 decimals (TestComputeProbability); iptables-save prints the kernel's
// lround(p·2^31)/2^31 with 11 decimals (kube-proxy.md §1.3; the 1/7 and 1/100001 values were read back
// from iptables-legacy-save on a real kernel).
const cases = [
  { n: 1, written: '1.0000000000', saved: '1.00000000000' },
  { n: 2, written: '0.5000000000', saved: '0.50000000000' },
  { n: 3, written: '0.3333333333', saved: '0.33333333349' },
  { n: 4, written: '0.2500000000', saved: '0.25000000000' },
  { n: 1000, written: '0.0010000000', saved: '0.00100000016' },
  { n: 7, written: '0.1428571429', saved: '0.14285714272' },
  { n: 100001, written: '0.0000099999', saved: '0.00001000008' },
];

test.each(cases)('1/$n is written $written and saved $saved', ({ n, written, saved }) => {
  expect(writtenProbability(n)).toBe(written);
  expect(savedProbability(written)).toBe(saved);
});
