// Bad input to the transaction builders ends in a typed error with a stable code, never in a
// TypeError or RangeError, and the funder-related rules of BOLT 3 "Fee Payment" hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/util/bytes.js';
import { BoltkitError } from '../../src/util/errors.js';
import { ChannelType } from '../../src/tx/channel-type.js';
import {
  buildCommitmentTransaction,
  type CommitmentHtlc,
  type CommitmentParams,
} from '../../src/tx/commitment.js';
import { deriveCommitmentKeys } from '../../src/tx/commitment-keys.js';
import { MAX_COMMITMENT_NUMBER } from '../../src/tx/commitment-number.js';
import {
  buildHtlcTransaction,
  buildHtlcTransactions,
  finalizeHtlcTransaction,
  htlcSignableInput,
} from '../../src/tx/htlc-tx.js';
import { MAX_MONEY_MSAT, MAX_MONEY_SAT } from '../../src/tx/validation.js';
import { appendixC, paramsFor } from './bolt03-fixtures.js';

const code = (c: string) => expect.objectContaining({ code: c });
const { common } = appendixC();

const base: CommitmentParams = paramsFor(common, {
  channelType: ChannelType.StaticRemoteKey,
  htlcIndices: [0, 1, 2, 3, 4],
  toLocalMsat: 6_988_000_000n,
  toRemoteMsat: 3_000_000_000n,
  feerateSatPerKw: 647,
  dustLimitSat: 546n,
});
const offCurve = fromHex('02' + 'ff'.repeat(32)); // x >= p: no such point
const notOnCurve = fromHex('03' + '00'.repeat(31) + '05'); // x = 5: x^3 + 7 is not a square

function htlcs(offered: number, received: number, amountMsat = 1_000_000n): CommitmentHtlc[] {
  const out: CommitmentHtlc[] = [];
  for (let i = 0; i < offered + received; i++) {
    out.push({
      offered: i < offered,
      amountMsat,
      paymentHash: new Uint8Array(32).fill(i & 0xff),
      cltvExpiry: 500_000 + i,
    });
  }
  return out;
}

/** Same channel, `n` HTLCs taken out of to_local so the balances still add up. */
function withHtlcs(list: CommitmentHtlc[]): CommitmentParams {
  const total = list.reduce((s, h) => s + h.amountMsat, 0n);
  return { ...base, htlcs: list, toLocalMsat: 7_000_000_000n - total };
}

describe('commitment builder input checks', () => {
  it('rejects wrong key lengths and points off the curve with CryptoError', () => {
    for (const bad of [
      new Uint8Array(32),
      new Uint8Array(34),
      offCurve,
      notOnCurve,
      fromHex('04' + '11'.repeat(32)),
    ]) {
      for (const field of ['revocationPubkey', 'remoteFundingPubkey', 'localHtlcPubkey'] as const) {
        expect(() =>
          buildCommitmentTransaction({ ...base, keys: { ...base.keys, [field]: bad } }),
        ).toThrow(code('CryptoError'));
      }
    }
    expect(() =>
      deriveCommitmentKeys({
        broadcaster: {
          fundingPubkey: base.keys.localFundingPubkey,
          revocationBasepoint: notOnCurve,
          paymentBasepoint: base.keys.localFundingPubkey,
          delayedPaymentBasepoint: base.keys.localFundingPubkey,
          htlcBasepoint: base.keys.localFundingPubkey,
        },
        countersignatory: {
          fundingPubkey: base.keys.remoteFundingPubkey,
          revocationBasepoint: notOnCurve,
          paymentBasepoint: base.keys.remoteFundingPubkey,
          delayedPaymentBasepoint: base.keys.remoteFundingPubkey,
          htlcBasepoint: base.keys.remoteFundingPubkey,
        },
        perCommitmentPoint: base.keys.localHtlcPubkey,
      }),
    ).toThrow(code('CryptoError'));
  });

  it('rejects amounts out of range with APIMisuse', () => {
    const cases: Partial<CommitmentParams>[] = [
      { toLocalMsat: -1n },
      { toRemoteMsat: MAX_MONEY_MSAT + 1n },
      { fundingValueSat: -5n },
      { fundingValueSat: MAX_MONEY_SAT + 1n },
      { dustLimitSat: -1n },
      { htlcs: [{ ...base.htlcs[0]!, amountMsat: -1000n }] },
      { htlcs: [{ ...base.htlcs[0]!, amountMsat: MAX_MONEY_MSAT + 1n }] },
      { toLocalMsat: 6_988_000_001n }, // balances no longer add up to the funding value
      { toLocalMsat: 6988000000 as unknown as bigint },
    ];
    for (const c of cases) {
      expect(() => buildCommitmentTransaction({ ...base, ...c })).toThrow(code('APIMisuse'));
    }
  });

  it('rejects other malformed fields with APIMisuse', () => {
    const cases: Partial<CommitmentParams>[] = [
      { feerateSatPerKw: 1.5 },
      { feerateSatPerKw: 2 ** 32 },
      { toSelfDelay: 65536 },
      { commitmentNumber: MAX_COMMITMENT_NUMBER + 1 },
      { commitmentNumber: -1 },
      { channelType: 'option_anchors' as ChannelType },
      { funder: 'both' as 'local' },
      { fundingOutpoint: { txid: new Uint8Array(31), vout: 0 } },
      { fundingOutpoint: { txid: new Uint8Array(32), vout: -1 } },
      { fundingOutpoint: null as unknown as CommitmentParams['fundingOutpoint'] },
      { keys: undefined as unknown as CommitmentParams['keys'] },
      { htlcs: [{ ...base.htlcs[0]!, paymentHash: new Uint8Array(31) }] },
      { htlcs: [{ ...base.htlcs[0]!, cltvExpiry: 2 ** 32 }] },
      { htlcs: [null as unknown as CommitmentHtlc] },
      { htlcs: 'none' as unknown as CommitmentHtlc[] },
    ];
    for (const c of cases) {
      expect(() => buildCommitmentTransaction({ ...base, ...c })).toThrow(
        expect.objectContaining({ code: expect.stringMatching(/APIMisuse|CryptoError/) }),
      );
    }
  });

  it('allows 483 HTLCs in each direction, and no more', () => {
    const full = buildCommitmentTransaction(withHtlcs(htlcs(483, 483)));
    expect(full.tx.outputs).toHaveLength(966 + 2);
    expect(() => buildCommitmentTransaction(withHtlcs(htlcs(484, 0)))).toThrow(code('APIMisuse'));
    expect(() => buildCommitmentTransaction(withHtlcs(htlcs(0, 484)))).toThrow(code('APIMisuse'));
  });

  it('throws TransactionError when the funder cannot pay the fee and anchors', () => {
    // 724 weight at 9,668,508 sat/kw is 6,999,999 sat: the funder keeps 1 sat, which is dust.
    const affordable = buildCommitmentTransaction({ ...withHtlcs([]), feerateSatPerKw: 9_668_508 });
    expect(affordable.outputs.map((o) => o.kind)).toEqual(['to_remote']);
    expect(() =>
      buildCommitmentTransaction({ ...withHtlcs([]), feerateSatPerKw: 9_668_510 }),
    ).toThrow(code('TransactionError'));
    // The same when the remote side is the funder.
    expect(() =>
      buildCommitmentTransaction({
        ...withHtlcs([]),
        funder: 'remote',
        feerateSatPerKw: 5000, // 3,620 sat
        toLocalMsat: 9_997_000_000n,
        toRemoteMsat: 3_000_000n,
      }),
    ).toThrow(code('TransactionError'));
    // Anchors: 330 × 2 on top of the fee. 1124 weight at 253 sat/kw is 284 sat, so 943 is short.
    const anchorBase = {
      ...withHtlcs([]),
      channelType: ChannelType.AnchorsZeroFeeHtlcTx,
      feerateSatPerKw: 253,
      funder: 'remote' as const,
    };
    expect(() =>
      buildCommitmentTransaction({
        ...anchorBase,
        toLocalMsat: 9_999_057_000n,
        toRemoteMsat: 943_000n,
      }),
    ).toThrow(code('TransactionError'));
    const exact = buildCommitmentTransaction({
      ...anchorBase,
      toLocalMsat: 9_999_056_000n,
      toRemoteMsat: 944_000n,
    });
    expect(exact.outputs.map((o) => o.kind).sort()).toEqual(['local_anchor', 'to_local']);
  });

  it('takes the fee from the remote funder', () => {
    const remote = buildCommitmentTransaction({ ...withHtlcs([]), funder: 'remote' });
    const local = buildCommitmentTransaction(withHtlcs([]));
    const value = (c: typeof local, kind: string) =>
      c.outputs.find((o) => o.kind === kind)!.valueSat;
    expect(value(remote, 'to_remote')).toBe(3_000_000n - remote.baseFeeSat);
    expect(value(remote, 'to_local')).toBe(7_000_000n);
    expect(value(local, 'to_local')).toBe(7_000_000n - local.baseFeeSat);
  });

  it('never throws anything but a BoltkitError on mangled parameters (property, fixed seed)', () => {
    const junk = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.integer(),
      fc.double(),
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
      fc.string(),
      fc.uint8Array({ maxLength: 40 }),
      fc.constant({}),
      fc.constant([]),
    );
    const fields = [
      'fundingOutpoint',
      'fundingValueSat',
      'commitmentNumber',
      'openerPaymentBasepoint',
      'accepterPaymentBasepoint',
      'toSelfDelay',
      'dustLimitSat',
      'feerateSatPerKw',
      'channelType',
      'funder',
      'keys',
      'toLocalMsat',
      'toRemoteMsat',
      'htlcs',
      'allowFeeAboveFunderBalance',
    ] as const;
    fc.assert(
      fc.property(fc.constantFrom(...fields), junk, (field, value) => {
        try {
          buildCommitmentTransaction({ ...base, [field]: value });
        } catch (e) {
          expect(e).toBeInstanceOf(BoltkitError);
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

describe('HTLC transaction input checks', () => {
  const commitment = buildCommitmentTransaction(base);
  const [first] = buildHtlcTransactions(commitment);

  it('refuses an HTLC whose amount cannot pay its second-stage fee', () => {
    expect(() =>
      buildHtlcTransaction({
        commitmentTxid: commitment.txid,
        commitmentOutputIndex: 0,
        htlc: { ...base.htlcs[0]!, amountMsat: 100_000n },
        witnessScript: first!.witnessScript,
        toSelfDelay: 144,
        feerateSatPerKw: 5000,
        channelType: ChannelType.StaticRemoteKey,
        revocationPubkey: base.keys.revocationPubkey,
        localDelayedPubkey: base.keys.localDelayedPubkey,
      }),
    ).toThrow(code('TransactionError'));
  });

  it('needs the preimage for an HTLC-success transaction', () => {
    expect(first!.kind).toBe('htlc-success');
    expect(() =>
      finalizeHtlcTransaction(first!, {
        localSignature: new Uint8Array(64).fill(1),
        remoteSignature: new Uint8Array(64).fill(1),
      }),
    ).toThrow(code('APIMisuse'));
    expect(() => htlcSignableInput(first!, 'both' as 'local')).toThrow(code('APIMisuse'));
  });
});
