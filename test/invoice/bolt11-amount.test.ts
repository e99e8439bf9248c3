// BOLT 11 "Human-Readable Part": amounts with multipliers m/u/n/p as bigint msat, the reader's
// refusals as typed errors, and the writer's shortest form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatHrpAmount, parseHrpAmount } from '../../src/invoice/amount.js';
import { formatHrp, parseHrp } from '../../src/invoice/hrp.js';
import { FC_SEED, invoiceReason } from './helpers.js';

const MAX_U64 = 2n ** 64n - 1n;

describe('parseHrpAmount', () => {
  it('reads each multiplier exactly', () => {
    expect(parseHrpAmount('')).toBeUndefined();
    expect(parseHrpAmount('1')).toBe(100_000_000_000n);
    expect(parseHrpAmount('20m')).toBe(2_000_000_000n);
    expect(parseHrpAmount('2500u')).toBe(250_000_000n);
    expect(parseHrpAmount('1n')).toBe(100n);
    expect(parseHrpAmount('10p')).toBe(1n);
    expect(parseHrpAmount('9678785340p')).toBe(967_878_534n);
    // 0.29 BTC, the float trap: exact here.
    expect(parseHrpAmount('290m')).toBe(29_000_000_000n);
  });

  it('refuses malformed amounts with the reader reasons', () => {
    expect(invoiceReason(() => parseHrpAmount('2500x'))).toBe('invalid_amount_multiplier');
    expect(invoiceReason(() => parseHrpAmount('25mm'))).toBe('invalid_amount_multiplier');
    expect(invoiceReason(() => parseHrpAmount('2-5'))).toBe('invalid_amount_multiplier');
    expect(invoiceReason(() => parseHrpAmount('2500000001p'))).toBe('sub_millisatoshi_precision');
    expect(invoiceReason(() => parseHrpAmount('1p'))).toBe('sub_millisatoshi_precision');
    expect(invoiceReason(() => parseHrpAmount('0'))).toBe('invalid_amount');
    expect(invoiceReason(() => parseHrpAmount('0m'))).toBe('invalid_amount');
    expect(invoiceReason(() => parseHrpAmount('025m'))).toBe('invalid_amount');
    expect(invoiceReason(() => parseHrpAmount('-5'))).toBe('invalid_amount');
    expect(invoiceReason(() => parseHrpAmount('.5'))).toBe('invalid_amount');
    expect(invoiceReason(() => parseHrpAmount('9'.repeat(200)))).toBe('invalid_amount');
  });

  it('accepts exactly u64 msat and no more', () => {
    expect(parseHrpAmount(`${MAX_U64 * 10n}p`)).toBe(MAX_U64);
    expect(invoiceReason(() => parseHrpAmount(`${(MAX_U64 + 1n) * 10n}p`))).toBe('invalid_amount');
    expect(invoiceReason(() => parseHrpAmount('184467441'))).toBe('invalid_amount');
  });
});

describe('formatHrpAmount', () => {
  it('uses the largest multiplier that keeps the amount whole', () => {
    expect(formatHrpAmount(100_000_000_000n)).toBe('1');
    expect(formatHrpAmount(2_000_000_000n)).toBe('20m');
    expect(formatHrpAmount(250_000_000n)).toBe('2500u');
    expect(formatHrpAmount(100n)).toBe('1n');
    expect(formatHrpAmount(1n)).toBe('10p');
    expect(formatHrpAmount(967_878_534n)).toBe('9678785340p');
  });

  it('refuses amounts a writer must not write', () => {
    for (const bad of [0n, -1n, MAX_U64 + 1n, 5 as unknown as bigint]) {
      expect(() => formatHrpAmount(bad)).toThrow(expect.objectContaining({ code: 'APIMisuse' }));
    }
  });

  it('round-trips every u64 msat amount through its shortest text', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX_U64 }), (msat) => {
        const text = formatHrpAmount(msat);
        expect(parseHrpAmount(text)).toBe(msat);
        expect(text.startsWith('0')).toBe(false);
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });
});

describe('human-readable part', () => {
  it('maps currency prefixes to networks', () => {
    expect(parseHrp('lnbc')).toEqual({ network: 'bitcoin', amountMsat: undefined });
    expect(parseHrp('lntb20m')).toEqual({ network: 'testnet', amountMsat: 2_000_000_000n });
    expect(parseHrp('lntbs1n')).toEqual({ network: 'signet', amountMsat: 100n });
    expect(parseHrp('lnbcrt10p')).toEqual({ network: 'regtest', amountMsat: 1n });
    expect(formatHrp('signet', 100n)).toBe('lntbs1n');
    expect(formatHrp('regtest', undefined)).toBe('lnbcrt');
  });

  it('refuses prefixes it does not understand', () => {
    for (const hrp of ['bc', 'lnxx', 'ln', 'lnsb', 'lnbcm', 'lnltc1']) {
      expect(invoiceReason(() => parseHrp(hrp))).toBe('unknown_prefix');
    }
  });
});
