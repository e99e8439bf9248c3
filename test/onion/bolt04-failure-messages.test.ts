// BOLT 4 "Failure Messages": every failure code with its flags and data, encoded and decoded,
// plus what the origin ignores (extra bytes) and refuses (truncated data).
import { describe, expect, it } from 'vitest';
import {
  failureCodeName,
  failureCodeTable,
  FailureCode,
  isBadOnion,
  isNodeFailure,
  isPermanent,
  isUpdateFailure,
} from '../../src/onion/failure-codes.js';
import {
  decodeFailureMessage,
  encodeFailureMessage,
  type FailureMessage,
} from '../../src/onion/failure-message.js';
import { hex, keyOf, toHex } from './helpers.js';

// The codes as BOLT 4 writes them, flags spelled out.
const BADONION = 0x8000;
const PERM = 0x4000;
const NODE = 0x2000;
const UPDATE = 0x1000;
const spec: [string, number][] = [
  ['temporary_node_failure', NODE | 2],
  ['permanent_node_failure', PERM | NODE | 2],
  ['required_node_feature_missing', PERM | NODE | 3],
  ['invalid_onion_version', BADONION | PERM | 4],
  ['invalid_onion_hmac', BADONION | PERM | 5],
  ['invalid_onion_key', BADONION | PERM | 6],
  ['temporary_channel_failure', UPDATE | 7],
  ['permanent_channel_failure', PERM | 8],
  ['required_channel_feature_missing', PERM | 9],
  ['unknown_next_peer', PERM | 10],
  ['amount_below_minimum', UPDATE | 11],
  ['fee_insufficient', UPDATE | 12],
  ['incorrect_cltv_expiry', UPDATE | 13],
  ['expiry_too_soon', UPDATE | 14],
  ['incorrect_or_unknown_payment_details', PERM | 15],
  ['final_incorrect_cltv_expiry', 18],
  ['final_incorrect_htlc_amount', 19],
  ['channel_disabled', UPDATE | 20],
  ['expiry_too_far', 21],
  ['invalid_onion_payload', PERM | 22],
  ['mpp_timeout', 23],
  ['invalid_onion_blinding', BADONION | PERM | 24],
];

/** A message for `code` with every field its data has. */
function sample(code: number): FailureMessage {
  const m: Record<string, unknown> = { failureCode: code };
  for (const f of failureCodeTable.get(code)!.fields) {
    m[f] = {
      sha256OfOnion: keyOf(0xab),
      htlcMsat: 123_456n,
      cltvExpiry: 800_144,
      height: 800_000,
      incomingHtlcAmtMsat: 99n,
      disabledFlags: 0,
      channelUpdate: Uint8Array.of(1, 2, 3, 4),
      tlvType: 65536n,
      offset: 17,
    }[f];
  }
  return m as unknown as FailureMessage;
}

describe('BOLT 4 failure codes', () => {
  it('defines every code of the spec with its flags and name', () => {
    expect([...failureCodeTable.values()].map((i) => [i.name, i.code])).toEqual(spec);
    expect(Object.values(FailureCode).sort()).toEqual(spec.map(([, c]) => c).sort());
    for (const [name, code] of spec) {
      expect(failureCodeName(code)).toBe(name);
      expect(isBadOnion(code)).toBe((code & BADONION) !== 0);
      expect(isPermanent(code)).toBe((code & PERM) !== 0);
      expect(isNodeFailure(code)).toBe((code & NODE) !== 0);
      expect(isUpdateFailure(code)).toBe((code & UPDATE) !== 0);
    }
    expect(failureCodeName(17)).toBe('unknown_failure_0x0011');
  });

  it('round-trips every code with its data', () => {
    for (const [, code] of spec) {
      const m = sample(code);
      expect(decodeFailureMessage(encodeFailureMessage(m))).toEqual(m);
    }
  });

  it('encodes the data in BOLT order', () => {
    expect(
      toHex(
        encodeFailureMessage({
          failureCode: FailureCode.channelDisabled,
          disabledFlags: 0,
          channelUpdate: Uint8Array.of(0xaa, 0xbb),
        }),
      ),
    ).toBe('1014' + '0000' + '0002aabb');
    expect(
      toHex(
        encodeFailureMessage({
          failureCode: FailureCode.incorrectCltvExpiry,
          cltvExpiry: 0x0c3500,
        }),
      ),
    ).toBe('100d' + '000c3500' + '0000');
    expect(
      toHex(
        encodeFailureMessage({
          failureCode: FailureCode.invalidOnionPayload,
          tlvType: 6n,
          offset: 9,
        }),
      ),
    ).toBe('4016' + '06' + '0009');
    // invalid_onion_payload without type and offset is the bare code.
    expect(toHex(encodeFailureMessage({ failureCode: FailureCode.invalidOnionPayload }))).toBe(
      '4016',
    );
  });

  it('keeps an unknown code and its data, and a trailing TLV stream', () => {
    const unknown = { failureCode: 0x4011, data: Uint8Array.of(1, 2, 3) };
    expect(decodeFailureMessage(encodeFailureMessage(unknown))).toEqual(unknown);
    const withTlvs: FailureMessage = {
      failureCode: FailureCode.mppTimeout,
      tlvs: [
        { type: 1n, value: Uint8Array.of(9) },
        { type: 34001n, value: new Uint8Array(3) },
      ],
    };
    expect(decodeFailureMessage(encodeFailureMessage(withTlvs))).toEqual(withTlvs);
  });

  it('ignores extra bytes that are not a TLV stream, and refuses truncated data', () => {
    expect(decodeFailureMessage(hex('2002ff'))).toEqual({ failureCode: 0x2002 });
    expect(() => decodeFailureMessage(hex('400f00000000'))).toThrow(
      expect.objectContaining({ code: 'DecodeError' }),
    );
    expect(() => decodeFailureMessage(hex('20'))).toThrow(
      expect.objectContaining({ code: 'DecodeError' }),
    );
    // An empty channel_update decodes as absent.
    expect(decodeFailureMessage(hex('10070000'))).toEqual({ failureCode: 0x1007 });
  });

  it('refuses missing required fields and unordered TLVs with typed errors', () => {
    const bad = (m: FailureMessage) =>
      expect(() => encodeFailureMessage(m)).toThrow(expect.objectContaining({ code: 'APIMisuse' }));
    bad({ failureCode: FailureCode.invalidOnionHmac });
    bad({ failureCode: FailureCode.feeInsufficient });
    bad({ failureCode: 0x10000 });
    bad({
      failureCode: FailureCode.mppTimeout,
      tlvs: [
        { type: 3n, value: new Uint8Array(0) },
        { type: 1n, value: new Uint8Array(0) },
      ],
    });
  });
});
