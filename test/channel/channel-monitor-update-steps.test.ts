// The ChannelMonitorUpdate steps (src/chain/channel-monitor-update-steps.ts): each variant
// round-trips through bytes, and malformed bytes give DecodeError.
import { describe, expect, it } from 'vitest';
import {
  decodeMonitorStep,
  decodeMonitorUpdate,
  encodeMonitorStep,
  encodeMonitorUpdate,
  type ChannelMonitorUpdateStep,
} from '../../src/chain/channel-monitor-update-steps.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import { ErrorCode } from '../../src/util/errors.js';
import { thrownBy } from './helpers.js';

const point = (n: number): Uint8Array => nobleBackend.getPublicKey(new Uint8Array(32).fill(n));
const bytes = (n: number, len = 32): Uint8Array => new Uint8Array(len).fill(n);
const keys = (n: number) => ({
  fundingPubkey: point(n),
  revocationBasepoint: point(n + 1),
  paymentBasepoint: point(n + 2),
  delayedPaymentBasepoint: point(n + 3),
  htlcBasepoint: point(n + 4),
});

const samples: readonly ChannelMonitorUpdateStep[] = [
  {
    type: 'ChannelSetup',
    channelKeysId: bytes(1),
    isOutbound: true,
    channelType: 'anchors_zero_fee_htlc_tx',
    fundingTxid: bytes(2),
    fundingOutputIndex: 3,
    fundingValueSat: 1_000_000n,
    holderPubkeys: keys(10),
    counterpartyPubkeys: keys(20),
    holderToSelfDelay: 144,
    counterpartyToSelfDelay: 2016,
    holderDustLimitSat: 354n,
    counterpartyDustLimitSat: 546n,
  },
  {
    type: 'LatestHolderCommitment',
    commitmentNumber: 2 ** 40,
    perCommitmentPoint: point(30),
    feerateSatPerKw: 253,
    toHolderMsat: 1n,
    toCounterpartyMsat: 0n,
    unsignedTx: bytes(4, 100),
    counterpartySignature: bytes(5, 64),
    htlcs: [
      {
        offered: true,
        id: 7n,
        amountMsat: 1000n,
        paymentHash: bytes(6),
        cltvExpiry: 499_999_999,
        outputIndex: 2,
        counterpartySignature: bytes(7, 64),
      },
      {
        offered: false,
        id: 0n,
        amountMsat: 1n,
        paymentHash: bytes(8),
        cltvExpiry: 0,
        outputIndex: undefined,
        counterpartySignature: undefined,
      },
    ],
  },
  {
    type: 'LatestCounterpartyCommitment',
    commitmentNumber: 0,
    perCommitmentPoint: point(31),
    txid: bytes(9),
    feerateSatPerKw: 0xffffffff,
    toHolderMsat: 2n ** 63n,
    toCounterpartyMsat: 5n,
    htlcs: [],
  },
  { type: 'CommitmentSecret', commitmentNumber: 2 ** 48 - 1, secret: bytes(10) },
  { type: 'PaymentPreimage', paymentPreimage: bytes(11) },
  { type: 'ChannelForceClosed', shouldBroadcast: false },
  { type: 'AwaitingUnilateralClose', counterpartyCurrentPerCommitmentPoint: point(32) },
  { type: 'ShutdownScript', scriptPubkey: bytes(12, 22) },
];

describe('ChannelMonitorUpdate steps', () => {
  for (const step of samples) {
    it(`${step.type} round-trips`, () => {
      expect(decodeMonitorStep(encodeMonitorStep(step))).toEqual(step);
    });
  }

  it('a whole update round-trips', () => {
    const update = { updateId: 42n, channelId: '11'.repeat(32), steps: samples };
    expect(decodeMonitorUpdate(encodeMonitorUpdate(update))).toEqual(update);
  });

  it('refuses an unknown tag, a missing field, trailing bytes and a bad version', () => {
    const secret = encodeMonitorStep(samples[3]!);
    const update = encodeMonitorUpdate({ updateId: 1n, channelId: '00'.repeat(32), steps: [] });
    const cases: [(b: Uint8Array) => unknown, Uint8Array][] = [
      [decodeMonitorStep, Uint8Array.of(0x00, 0x63)],
      [decodeMonitorStep, secret.subarray(0, 2 + 10)], // the secret record is gone
      [decodeMonitorStep, Uint8Array.of(...secret, 0)],
      [decodeMonitorUpdate, Uint8Array.of(9, ...update.subarray(1))],
    ];
    for (const [decode, bad] of cases) {
      expect(thrownBy(() => decode(bad))).toMatchObject({ code: ErrorCode.DecodeError });
    }
  });
});
