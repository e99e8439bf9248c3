// The BOLT 7 fee formula (fee_base_msat + amount * fee_proportional_millionths / 1_000_000,
// integer division) and its inverse, used to size the parts of a multi-part payment.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  forwardingFeeMsat,
  forwardingFeeMsatNumber,
  maxForwardableMsat,
} from '../../src/routing/fees.js';
import { FC_SEED } from './helpers.js';

describe('BOLT 7 forwarding fee', () => {
  it('matches hand-computed fees', () => {
    expect(forwardingFeeMsat(4_999_999n, 200n, 2000n)).toBe(10_199n); // BOLT 7 example, at B
    expect(forwardingFeeMsat(4_999_999n, 400n, 4000n)).toBe(20_399n); // at D
    expect(forwardingFeeMsat(999_999n, 0n, 1n)).toBe(0n);
    expect(forwardingFeeMsat(1_000_000n, 0n, 1n)).toBe(1n);
    expect(forwardingFeeMsat(0n, 1000n, 5000n)).toBe(1000n);
  });

  it('inverts: the largest amount whose amount plus fee fits a limit', () => {
    expect(maxForwardableMsat(60_000n, 100n, 1000n)).toBe(59_841n);
    expect(maxForwardableMsat(99n, 100n, 0n)).toBe(-1n);
    expect(maxForwardableMsat(100n, 100n, 0n)).toBe(0n);
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 1n << 62n }),
        fc.bigInt({ min: 0n, max: 0xffffffffn }),
        fc.bigInt({ min: 0n, max: 0xffffffffn }),
        (limit, base, prop) => {
          const a = maxForwardableMsat(limit, base, prop);
          if (a < 0n) {
            expect(base).toBeGreaterThan(limit);
            return;
          }
          expect(a + forwardingFeeMsat(a, base, prop)).toBeLessThanOrEqual(limit);
          expect(a + 1n + forwardingFeeMsat(a + 1n, base, prop)).toBeGreaterThan(limit);
        },
      ),
      { seed: FC_SEED, numRuns: 1000 },
    );
  });

  it('gives the same fee on doubles as on bigints for every safe-integer amount', () => {
    const safe = BigInt(Number.MAX_SAFE_INTEGER);
    const edges = [0n, 1n, 999_999n, 1_000_000n, safe / 4_294_967_295n, safe - 1n, safe];
    for (const a of edges) {
      for (const p of [0n, 1n, 999n, 1_000_000n, 4_294_967_295n]) {
        expect(forwardingFeeMsatNumber(Number(a), 7, Number(p))).toBe(
          Number(forwardingFeeMsat(a, 7n, p)),
        );
      }
    }
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: safe }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (a, base, prop) => {
          const exact = forwardingFeeMsat(a, BigInt(base), BigInt(prop));
          const fee = forwardingFeeMsatNumber(Number(a), base, prop);
          if (exact <= safe) expect(fee).toBe(Number(exact));
          else expect(fee).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
        },
      ),
      { seed: FC_SEED, numRuns: 2000 },
    );
  });
});
