// BOLT 2 peer protocol messages: round trips for every message (fast-check, fixed seed) and the
// exact TLV encodings BOLT 2 defines.
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, type Message } from '../../src/wire/message.js';
import type { OpenChannelMessage } from '../../src/wire/messages/channel-establish.js';
import { ONION_PACKET_LENGTH } from '../../src/wire/messages/commitment.js';
import { hex, toHex } from './vectors.js';
import { assertRoundTrip } from './roundtrip.js';

const kinds = [
  'open_channel',
  'accept_channel',
  'funding_created',
  'funding_signed',
  'channel_ready',
  'shutdown',
  'closing_signed',
  'update_add_htlc',
  'update_fulfill_htlc',
  'update_fail_htlc',
  'update_fail_malformed_htlc',
  'commitment_signed',
  'revoke_and_ack',
  'update_fee',
  'channel_reestablish',
] as const;

describe('BOLT 2 messages round-trip', () => {
  for (const kind of kinds) it(kind, () => assertRoundTrip(kind));
});

const pt = (b: number): Uint8Array => Uint8Array.from([2, ...new Uint8Array(32).fill(b)]);
const id32 = new Uint8Array(32).fill(0xab);

const open: OpenChannelMessage = {
  type: 'open_channel',
  chainHash: new Uint8Array(32).fill(0x6f),
  temporaryChannelId: id32,
  fundingSatoshis: 1_000_000n,
  pushMsat: 0n,
  dustLimitSatoshis: 546n,
  maxHtlcValueInFlightMsat: 1_000_000_000n,
  channelReserveSatoshis: 10_000n,
  htlcMinimumMsat: 1n,
  feerateSatPerKw: 253,
  toSelfDelay: 144,
  maxAcceptedHtlcs: 483,
  fundingPubkey: pt(1),
  revocationBasepoint: pt(2),
  paymentBasepoint: pt(3),
  delayedPaymentBasepoint: pt(4),
  htlcBasepoint: pt(5),
  firstPerCommitmentPoint: pt(6),
  channelFlags: 1,
  upfrontShutdownScript: new Uint8Array(0),
  channelType: hex('401000'),
};

function decodeErrorOf(bytes: Uint8Array): unknown {
  try {
    decodeMessage(bytes);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('BOLT 2 encodings', () => {
  it('open_channel: fixed fields in table order, then upfront_shutdown_script and channel_type', () => {
    const bytes = encodeMessage(open);
    expect(bytes.length).toBe(2 + 32 + 32 + 6 * 8 + 4 + 2 + 2 + 6 * 33 + 1 + 2 + 5);
    expect(toHex(bytes.subarray(0, 2))).toBe('0020');
    expect(toHex(bytes.subarray(66, 74))).toBe('00000000000f4240');
    expect(toHex(bytes.subarray(bytes.length - 8))).toBe('01' + '0000' + '0103401000');
    expect(decodeMessage(bytes)).toEqual(open);
  });

  it('open_channel: an unknown even TLV fails, an unknown odd one is kept', () => {
    const base = encodeMessage({
      ...open,
      upfrontShutdownScript: undefined,
      channelType: undefined,
    } as never);
    expect(decodeErrorOf(Uint8Array.from([...base, 0x02, 0x00]))).toMatchObject({
      code: 'DecodeError',
    });
    const withOdd = Uint8Array.from([...base, 0x07, 0x01, 0xee]);
    const m = decodeMessage(withOdd) as OpenChannelMessage;
    expect(m.unknownOddTlvs).toEqual([{ type: 7n, value: hex('ee') }]);
    expect(encodeMessage(m)).toEqual(withOdd);
  });

  it('open_channel: truncated fixed fields fail', () => {
    const bytes = encodeMessage(open);
    expect(decodeErrorOf(bytes.subarray(0, 300))).toMatchObject({ code: 'DecodeError' });
  });

  it('update_add_htlc: blinded_path path_key is TLV type 0', () => {
    const m: Message = {
      type: 'update_add_htlc',
      channelId: id32,
      id: 7n,
      amountMsat: 5000n,
      paymentHash: new Uint8Array(32).fill(9),
      cltvExpiry: 800_000,
      onionRoutingPacket: new Uint8Array(ONION_PACKET_LENGTH),
      pathKey: pt(8),
    };
    const bytes = encodeMessage(m);
    expect(toHex(bytes.subarray(bytes.length - 35))).toBe('0021' + toHex(pt(8)));
    expect(decodeMessage(bytes)).toEqual(m);
  });

  it('channel_ready: short_channel_id alias is TLV type 1', () => {
    const m: Message = {
      type: 'channel_ready',
      channelId: id32,
      secondPerCommitmentPoint: pt(3),
      shortChannelIdAlias: 0x123456789n,
    };
    const bytes = encodeMessage(m);
    expect(toHex(bytes.subarray(bytes.length - 10))).toBe('01080000000123456789');
  });

  it('closing_signed: fee_range is TLV type 1 with two u64', () => {
    const m: Message = {
      type: 'closing_signed',
      channelId: id32,
      feeSatoshis: 500n,
      signature: new Uint8Array(64),
      feeRange: { minFeeSatoshis: 300n, maxFeeSatoshis: 700n },
    };
    const bytes = encodeMessage(m);
    expect(toHex(bytes.subarray(bytes.length - 18))).toBe(
      '0110' + '000000000000012c' + '00000000000002bc',
    );
  });

  it('channel_reestablish: next_funding is TLV type 1 (txid, retransmit_flags)', () => {
    const m: Message = {
      type: 'channel_reestablish',
      channelId: id32,
      nextCommitmentNumber: 5n,
      nextRevocationNumber: 4n,
      yourLastPerCommitmentSecret: new Uint8Array(32).fill(1),
      myCurrentPerCommitmentPoint: pt(4),
      nextFunding: { txid: new Uint8Array(32).fill(0xcc), retransmitFlags: 1 },
    };
    const bytes = encodeMessage(m);
    expect(bytes.length).toBe(2 + 32 + 8 + 8 + 32 + 33 + 2 + 33);
    expect(toHex(bytes.subarray(bytes.length - 35))).toBe('0121' + 'cc'.repeat(32) + '01');
    expect(decodeMessage(bytes)).toEqual(m);
  });

  it('commitment_signed: a num_htlcs larger than the message fails without allocating it', () => {
    const bytes = hex('0084' + 'ab'.repeat(32) + '00'.repeat(64) + 'ffff');
    expect(decodeErrorOf(bytes)).toMatchObject({ code: 'DecodeError' });
  });

  it('refuses to encode wrong lengths and out-of-range numbers (APIMisuse)', () => {
    const misuse = expect.objectContaining({ code: 'APIMisuse' });
    expect(() => encodeMessage({ ...open, temporaryChannelId: new Uint8Array(31) })).toThrow(
      misuse,
    );
    expect(() => encodeMessage({ ...open, toSelfDelay: 70000 })).toThrow(misuse);
    expect(() => encodeMessage({ ...open, pushMsat: -1n })).toThrow(misuse);
    expect(() => encodeMessage({ ...open, fundingPubkey: new Uint8Array(33) })).toThrow(misuse);
    expect(() =>
      encodeMessage({ ...open, unknownOddTlvs: [{ type: 0n, value: new Uint8Array(0) }] }),
    ).toThrow(misuse);
  });
});
