import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkOutPoint,
  compareOutPoints,
  decodeOutPoint,
  encodeOutPoint,
  formatOutPoint,
  outPointsEqual,
  parseOutPoint,
} from '../../src/chain/outpoint.js';
import { toHex } from '../../src/util/bytes.js';
import { DecodeError } from '../../src/util/errors.js';

// BOLT 3 Appendix B funding outpoint.
const TXID = '8984484a580b825b9972d7adb15050b3ab624ccd731946b3eeddb92f4e7ef6be';

describe('OutPoint', () => {
  it('formats and parses txid:index', () => {
    const op = { txid: TXID, index: 0 };
    expect(formatOutPoint(op)).toBe(`${TXID}:0`);
    expect(parseOutPoint(`${TXID}:4294967295`)).toEqual({ txid: TXID, index: 4294967295 });
  });

  it('serializes the txid in internal byte order, then the index little-endian', () => {
    const bytes = encodeOutPoint({ txid: TXID, index: 1 });
    expect(toHex(bytes)).toBe(
      'bef67e4e2fb9ddeeb3461973cd4c62abb35050b1add772995b820b584a488489' + '01000000',
    );
    expect(decodeOutPoint(bytes)).toEqual({ txid: TXID, index: 1 });
  });

  it('round-trips any outpoint (property, fixed seed)', () => {
    const arb = fc.record({
      txid: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex),
      index: fc.nat(0xffffffff),
    });
    fc.assert(
      fc.property(arb, (op) => {
        expect(parseOutPoint(formatOutPoint(op))).toEqual(op);
        expect(decodeOutPoint(encodeOutPoint(op))).toEqual(op);
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('orders by txid then index, and compares for equality', () => {
    const a = { txid: '00'.repeat(32), index: 5 };
    const b = { txid: '00'.repeat(32), index: 6 };
    const c = { txid: '01' + '00'.repeat(31), index: 0 };
    expect([c, b, a].sort(compareOutPoints)).toEqual([a, b, c]);
    expect(compareOutPoints(a, { ...a })).toBe(0);
    expect(outPointsEqual(a, { ...a })).toBe(true);
    expect(outPointsEqual(a, b)).toBe(false);
  });

  it('rejects malformed outpoints with DecodeError', () => {
    for (const bad of [
      TXID,
      `${TXID}:`,
      `${TXID}:-1`,
      `${TXID}:01`,
      `${TXID}:4294967296`,
      `${TXID.toUpperCase()}:0`,
      `${TXID.slice(2)}:0`,
      `${TXID}:0 `,
      7,
    ]) {
      expect(() => parseOutPoint(bad as string)).toThrow(DecodeError);
    }
    for (const bad of [
      null,
      'x',
      { txid: TXID },
      { txid: TXID, index: 1.5 },
      { txid: TXID, index: -1 },
      { txid: 'zz', index: 0 },
    ]) {
      expect(() => checkOutPoint(bad)).toThrow(DecodeError);
      expect(() => formatOutPoint(bad as any)).toThrow(DecodeError);
    }
    expect(() => decodeOutPoint(new Uint8Array(35))).toThrow(DecodeError);
  });
});
