// BOLT 4 hop payloads: the `payload` TLV stream (with the keysend record), the requirements on
// which records each kind of hop carries, and the invalid_onion_payload failures with the
// offending type and offset.
import { describe, expect, it } from 'vitest';
import { InvalidOnionPayloadError } from '../../src/onion/errors.js';
import { FailureCode } from '../../src/onion/failure-codes.js';
import { decodeHopPayload, encodeHopPayload, type HopPayload } from '../../src/onion/payload.js';
import { validateHopPayload, type HopContext } from '../../src/onion/payload-validation.js';
import { crypto, hex, keyOf, loadVector, toHex, withoutLengthPrefix } from './helpers.js';

const forward: HopContext = { isFinal: false, hasIncomingPathKey: false };
const final: HopContext = { isFinal: true, hasIncomingPathKey: false };
const pathKey = crypto.getPublicKey(keyOf(3));

function payloadError(f: () => unknown): InvalidOnionPayloadError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidOnionPayloadError);
    const err = e as InvalidOnionPayloadError;
    expect(err.code).toBe('OnionError');
    expect(err.failureCode).toBe(FailureCode.invalidOnionPayload);
    expect(err.failureCode).toBe(0x4000 | 22);
    return err;
  }
  throw new Error('expected an InvalidOnionPayloadError');
}

describe('BOLT 4 payload TLV stream', () => {
  it('decodes the onion-test.json payloads and encodes them back', () => {
    const v = loadVector('bolt04/onion-test.json') as { generate: { hops: { payload: string }[] } };
    const payloads = v.generate.hops.map((h) => withoutLengthPrefix(hex(h.payload)));
    const first = decodeHopPayload(payloads[0]!);
    expect(first.payload).toEqual({
      amtToForwardMsat: 15000n,
      outgoingCltvValue: 1500,
      shortChannelId: 1n,
    });
    expect(validateHopPayload(first, forward)).toMatchObject({
      kind: 'forward',
      shortChannelId: 1n,
    });
    const last = decodeHopPayload(payloads[4]!);
    expect(last.payload.paymentData?.totalMsat).toBe(10000n);
    // Custom odd records survive a round trip.
    expect(last.unknownOddTlvs.map((t) => t.type)).toEqual([301n]);
    for (const bytes of payloads) {
      const d = decodeHopPayload(bytes);
      expect(toHex(encodeHopPayload(d.payload, d.unknownOddTlvs))).toBe(toHex(bytes));
    }
  });

  it('round-trips every record', () => {
    const p: HopPayload = {
      amtToForwardMsat: 123_456_789n,
      outgoingCltvValue: 800_123,
      shortChannelId: (700_000n << 40n) | (12n << 16n) | 1n,
      paymentData: { paymentSecret: keyOf(7), totalMsat: 500_000_000n },
      encryptedRecipientData: Uint8Array.of(1, 2, 3),
      currentPathKey: pathKey,
      paymentMetadata: Uint8Array.of(9, 9),
      totalAmountMsat: 1n,
      keysendPreimage: keyOf(8),
    };
    const bytes = encodeHopPayload(p);
    expect(decodeHopPayload(bytes)).toEqual({ payload: p, unknownOddTlvs: [] });
  });

  it('encodes the keysend preimage as record 5482373484', () => {
    const bytes = encodeHopPayload({
      amtToForwardMsat: 1000n,
      outgoingCltvValue: 144,
      keysendPreimage: keyOf(0xab),
    });
    // 5482373484 is 0x0146c6616c: a 9-byte BigSize, then length 32.
    expect(toHex(bytes)).toBe(`020203e8040190ff0000000146c6616c20${'ab'.repeat(32)}`);
    const hop = validateHopPayload(decodeHopPayload(bytes), final);
    expect(hop).toMatchObject({ kind: 'receive', totalMsat: 1000n });
    expect(hop.kind === 'receive' && toHex(hop.keysendPreimage!)).toBe('ab'.repeat(32));
  });

  it('reports the offending type and offset of a malformed record', () => {
    // amt_to_forward ok, then outgoing_cltv_value as a non-minimal tu32 at offset 4.
    let e = payloadError(() => decodeHopPayload(hex('020203e80403000090')));
    expect([e.tlvType, e.offset]).toEqual([4n, 4]);
    // short_channel_id of 7 bytes at offset 5.
    e = payloadError(() => decodeHopPayload(hex('020203e806070000000000000001')));
    expect(e.tlvType).toBe(6n);
    e = payloadError(() => decodeHopPayload(hex('020203e8060700000000000000')));
    expect([e.tlvType, e.offset]).toEqual([6n, 4]);
    // An unknown even type.
    e = payloadError(() => decodeHopPayload(hex('020203e80e0100')));
    expect([e.tlvType, e.offset]).toEqual([14n, 4]);
    // Types out of order.
    e = payloadError(() => decodeHopPayload(hex('040190020203e8')));
    expect([e.tlvType, e.offset]).toEqual([2n, 3]);
    // A length past the end.
    e = payloadError(() => decodeHopPayload(hex('0205aabb')));
    expect([e.tlvType, e.offset]).toEqual([2n, 0]);
    // payment_data with a short secret.
    e = payloadError(() => decodeHopPayload(hex(`0810${'00'.repeat(16)}`)));
    expect([e.tlvType, e.offset]).toEqual([8n, 0]);
  });
});

describe('BOLT 4 payload requirements', () => {
  const enc = (p: HopPayload) => decodeHopPayload(encodeHopPayload(p));
  const base = { amtToForwardMsat: 1000n, outgoingCltvValue: 500 };

  it('a forwarding hop needs amt_to_forward, outgoing_cltv_value and short_channel_id', () => {
    expect(
      payloadError(() => validateHopPayload(enc({ outgoingCltvValue: 1 }), forward)).tlvType,
    ).toBe(2n);
    expect(
      payloadError(() => validateHopPayload(enc({ amtToForwardMsat: 1n }), forward)).tlvType,
    ).toBe(4n);
    expect(payloadError(() => validateHopPayload(enc(base), forward)).tlvType).toBe(6n);
    const e = payloadError(() =>
      validateHopPayload(
        enc({
          ...base,
          shortChannelId: 5n,
          paymentData: { paymentSecret: keyOf(1), totalMsat: 1n },
        }),
        forward,
      ),
    );
    expect([e.tlvType, e.offset]).toEqual([8n, 0]);
  });

  it('a final hop needs amt_to_forward and outgoing_cltv_value, and no short_channel_id', () => {
    expect(
      payloadError(() => validateHopPayload(enc({ amtToForwardMsat: 1n }), final)).tlvType,
    ).toBe(4n);
    expect(
      payloadError(() => validateHopPayload(enc({ ...base, shortChannelId: 1n }), final)).tlvType,
    ).toBe(6n);
    expect(
      payloadError(() => validateHopPayload(enc({ ...base, totalAmountMsat: 1n }), final)).tlvType,
    ).toBe(18n);
    expect(validateHopPayload(enc(base), final)).toEqual({
      kind: 'receive',
      ...base,
      totalMsat: 1000n,
      unknownOddTlvs: [],
    });
    expect(
      validateHopPayload(
        enc({
          ...base,
          paymentData: { paymentSecret: keyOf(1), totalMsat: 3000n },
          paymentMetadata: Uint8Array.of(1),
        }),
        final,
      ),
    ).toEqual({
      kind: 'receive',
      ...base,
      totalMsat: 3000n,
      paymentSecret: keyOf(1),
      paymentMetadata: Uint8Array.of(1),
      unknownOddTlvs: [],
    });
  });

  it('outside a blinded path, a path key anywhere is refused', () => {
    expect(
      payloadError(() =>
        validateHopPayload(enc({ ...base, shortChannelId: 1n }), {
          isFinal: false,
          hasIncomingPathKey: true,
        }),
      ).tlvType,
    ).toBe(10n);
    expect(
      payloadError(() => validateHopPayload(enc({ ...base, currentPathKey: pathKey }), final))
        .tlvType,
    ).toBe(12n);
  });

  it('a blinded forwarding hop carries only encrypted_recipient_data and the path key', () => {
    const data = Uint8Array.of(1, 2, 3);
    expect(
      validateHopPayload(enc({ encryptedRecipientData: data, currentPathKey: pathKey }), forward),
    ).toEqual({ kind: 'blinded-forward', encryptedRecipientData: data, currentPathKey: pathKey });
    const inside: HopContext = { isFinal: false, hasIncomingPathKey: true };
    expect(validateHopPayload(enc({ encryptedRecipientData: data }), inside)).toEqual({
      kind: 'blinded-forward',
      encryptedRecipientData: data,
    });
    // The path key in both places, or in neither.
    expect(
      payloadError(() =>
        validateHopPayload(enc({ encryptedRecipientData: data, currentPathKey: pathKey }), inside),
      ).tlvType,
    ).toBe(12n);
    expect(
      payloadError(() => validateHopPayload(enc({ encryptedRecipientData: data }), forward))
        .tlvType,
    ).toBe(12n);
    expect(
      payloadError(() => validateHopPayload(enc({ encryptedRecipientData: data, ...base }), inside))
        .tlvType,
    ).toBe(2n);
  });

  it('a blinded final hop needs amt_to_forward, outgoing_cltv_value and total_amount_msat', () => {
    const data = Uint8Array.of(1);
    const inside: HopContext = { isFinal: true, hasIncomingPathKey: true };
    expect(
      payloadError(() => validateHopPayload(enc({ encryptedRecipientData: data, ...base }), inside))
        .tlvType,
    ).toBe(18n);
    expect(
      payloadError(() =>
        validateHopPayload(
          enc({
            encryptedRecipientData: data,
            ...base,
            totalAmountMsat: 5n,
            paymentMetadata: data,
          }),
          inside,
        ),
      ).tlvType,
    ).toBe(16n);
    expect(
      validateHopPayload(
        enc({ encryptedRecipientData: data, ...base, totalAmountMsat: 5000n }),
        inside,
      ),
    ).toEqual({
      kind: 'blinded-receive',
      encryptedRecipientData: data,
      ...base,
      totalMsat: 5000n,
      unknownOddTlvs: [],
    });
  });

  it('refuses out-of-range values when encoding with typed errors', () => {
    expect(() => encodeHopPayload({ outgoingCltvValue: 2 ** 32 })).toThrow(
      expect.objectContaining({ code: 'APIMisuse' }),
    );
    expect(() => encodeHopPayload({ amtToForwardMsat: -1n })).toThrow(
      expect.objectContaining({ code: 'APIMisuse' }),
    );
    expect(() => encodeHopPayload({ keysendPreimage: new Uint8Array(31) })).toThrow(
      expect.objectContaining({ code: 'APIMisuse' }),
    );
    expect(() => decodeHopPayload('00' as never)).toThrow(
      expect.objectContaining({ code: 'APIMisuse' }),
    );
  });
});
