// BOLT 4 returning errors: bolt04/onion-error-test.json (a failure created at hops[4] and wrapped
// back to the origin), the origin's attribution of a failure at each hop of a 5-hop route, and
// corrupted failures.
import { describe, expect, it } from 'vitest';
import { FailureCode } from '../../src/onion/failure-codes.js';
import {
  createFailurePacket,
  decodeFailurePacket,
  wrapFailurePacket,
  type DecodedFailure,
  type FailurePacket,
} from '../../src/onion/failure.js';
import { encodeFailureMessage, type FailureMessage } from '../../src/onion/failure-message.js';
import { deriveOnionKey, xorStream } from '../../src/onion/onion-keys.js';
import { constructOnionPacket } from '../../src/onion/packet.js';
import { peelOnion } from '../../src/onion/peel.js';
import { crypto, ecdhOf, hex, keyOf, loadVector, toHex, withoutLengthPrefix } from './helpers.js';

interface ErrorTest {
  generate: {
    session_key: string;
    failure_message: string;
    hops: {
      pubkey: string;
      hop_shared_secret: string;
      ammag_key: string;
      um_key?: string;
      payload?: string;
    }[];
  };
  errorpacket: string;
}

const v = loadVector('bolt04/onion-error-test.json') as ErrorTest;
const secrets = v.generate.hops.map((h) => hex(h.hop_shared_secret));

function attributed(d: DecodedFailure): Extract<DecodedFailure, { kind: 'attributed' }> {
  expect(d.kind).toBe('attributed');
  return d as Extract<DecodedFailure, { kind: 'attributed' }>;
}

describe('BOLT 4 onion-error-test.json', () => {
  it('derives the um and ammag keys', () => {
    for (const h of v.generate.hops) {
      expect(toHex(deriveOnionKey(crypto, 'ammag', hex(h.hop_shared_secret)))).toBe(h.ammag_key);
      if (h.um_key !== undefined) {
        expect(toHex(deriveOnionKey(crypto, 'um', hex(h.hop_shared_secret)))).toBe(h.um_key);
      }
    }
  });

  it('builds the failing hop packet and wraps it back to the origin byte for byte', () => {
    const failing = v.generate.hops[4]!;
    let packet: FailurePacket = createFailurePacket(secrets[4]!, hex(v.generate.failure_message));
    // Before obfuscation the packet is hmac || payload, the HMAC keyed with um.
    const plain = xorStream(crypto, hex(failing.ammag_key), packet.reason);
    expect(toHex(plain.subarray(32))).toBe(failing.payload);
    expect(toHex(plain.subarray(0, 32))).toBe(
      toHex(crypto.hmacSha256(hex(failing.um_key!), plain.subarray(32))),
    );
    for (let i = 3; i >= 0; i--) packet = wrapFailurePacket(secrets[i]!, packet);
    expect(toHex(packet.reason)).toBe(v.errorpacket);
    expect(packet.attributionData).toBeUndefined();
  });

  it('the origin attributes the vector failure to hops[4]', () => {
    const d = attributed(decodeFailurePacket(secrets, { reason: hex(v.errorpacket) }));
    expect(d.failingHopIndex).toBe(4);
    expect(d.failureCode).toBe(FailureCode.temporaryNodeFailure);
    expect(d.data.length).toBe(0);
    expect(d.message).toEqual({ failureCode: 0x2002 });
    expect(d.holdTimes).toEqual([]);
  });
});

describe('BOLT 4 failure attribution over a 5-hop route', () => {
  const o = loadVector('bolt04/onion-test.json') as {
    generate: {
      session_key: string;
      associated_data: string;
      hops: { pubkey: string; payload: string }[];
    };
    decode: string[];
  };
  const ad = hex(o.generate.associated_data);
  const hops = o.generate.hops.map((h) => ({
    nodeId: hex(h.pubkey),
    payload: withoutLengthPrefix(hex(h.payload)),
  }));
  const built = constructOnionPacket(hops, hex(o.generate.session_key), ad);

  // Each hop's shared secret as the hop itself derives it while peeling.
  const hopSecrets: Uint8Array[] = [];
  let packet = built.packet;
  for (const sk of o.decode) {
    const r = peelOnion(packet, ecdhOf(hex(sk)), ad);
    if (r.kind !== 'forward' && r.kind !== 'final') throw new Error(`peel failed: ${r.kind}`);
    hopSecrets.push(r.sharedSecret);
    if (r.kind === 'forward') packet = r.nextPacket;
  }

  const failures: FailureMessage[] = [
    { failureCode: FailureCode.temporaryChannelFailure, channelUpdate: Uint8Array.of(1, 2, 3) },
    { failureCode: FailureCode.feeInsufficient, htlcMsat: 1_000_000n },
    { failureCode: FailureCode.unknownNextPeer },
    { failureCode: FailureCode.invalidOnionPayload, tlvType: 6n, offset: 12 },
    { failureCode: FailureCode.incorrectOrUnknownPaymentDetails, htlcMsat: 5000n, height: 800_000 },
  ];

  /** Fails at `failing` and returns the packet as it reaches the sender. */
  function returned(failing: number, withAttribution: boolean, msg: FailureMessage): FailurePacket {
    const hold = (i: number) => (withAttribution ? { holdTime100ms: 10 + i } : {});
    let p = createFailurePacket(hopSecrets[failing]!, msg, hold(failing));
    for (let i = failing - 1; i >= 0; i--) p = wrapFailurePacket(hopSecrets[i]!, p, hold(i));
    return p;
  }

  for (let failing = 0; failing < 5; failing++) {
    it(`attributes a failure at hop ${failing}`, () => {
      for (const withAttribution of [false, true]) {
        const msg = failures[failing]!;
        const p = returned(failing, withAttribution, msg);
        // hmac, failure_len, failure_len + pad_len = 256, pad_len
        expect(p.reason.length).toBe(32 + 2 + 256 + 2);
        const d = attributed(decodeFailurePacket(built.sharedSecrets, p));
        expect(d.failingHopIndex).toBe(failing);
        expect(d.failureCode).toBe(msg.failureCode);
        expect(d.message).toEqual(msg);
        expect(toHex(d.data)).toBe(toHex(encodeFailureMessage(msg).subarray(2)));
        const expectedHolds = withAttribution
          ? Array.from({ length: failing + 1 }, (_, i) => 10 + i)
          : [];
        expect(d.holdTimes).toEqual(expectedHolds);
      }
    });
  }

  it('a hop that corrupts the failure makes it unattributable and is named by attribution data', () => {
    // Hop 3 fails honestly; hop 2 flips a bit of what it passes upstream.
    let p = createFailurePacket(hopSecrets[3]!, failures[3]!, { holdTime100ms: 1 });
    p = wrapFailurePacket(hopSecrets[2]!, p, { holdTime100ms: 1 });
    const reason = p.reason.slice();
    reason[40]! ^= 1;
    p = { reason, attributionData: p.attributionData! };
    for (let i = 1; i >= 0; i--) p = wrapFailurePacket(hopSecrets[i]!, p, { holdTime100ms: 1 });
    const d = decodeFailurePacket(built.sharedSecrets, p);
    expect(d.kind).toBe('unattributable');
    // Hops 0 and 1 signed what they passed on; hop 2's HMACs no longer match: blame (1, 2).
    expect(d).toMatchObject({ suspectHopIndex: 2, holdTimes: [1, 1] });
    const plain = decodeFailurePacket(built.sharedSecrets, { reason: p.reason });
    expect(plain).toEqual({ kind: 'unattributable', holdTimes: [] });
  });

  it('a hop that does not support attribution data ends the hold times there', () => {
    let p = createFailurePacket(hopSecrets[4]!, failures[4]!, { holdTime100ms: 7 });
    p = wrapFailurePacket(hopSecrets[3]!, p, { holdTime100ms: 6 });
    p = wrapFailurePacket(hopSecrets[2]!, p); // drops attribution data
    p = wrapFailurePacket(hopSecrets[1]!, p, { holdTime100ms: 5 });
    p = wrapFailurePacket(hopSecrets[0]!, p, { holdTime100ms: 4 });
    const d = attributed(decodeFailurePacket(built.sharedSecrets, p));
    expect(d.failingHopIndex).toBe(4);
    expect(d.holdTimes).toEqual([4, 5]);
  });

  it('a failure from a hop beyond the route is unattributable', () => {
    const p = createFailurePacket(keyOf(9), failures[0]!);
    expect(decodeFailurePacket(built.sharedSecrets, p).kind).toBe('unattributable');
  });

  it('a verified packet whose failure_len does not fit is malformed, with its hop', () => {
    const packet = new Uint8Array(32 + 2 + 256 + 2);
    new DataView(packet.buffer).setUint16(32, 400);
    const um = deriveOnionKey(crypto, 'um', hopSecrets[1]!);
    packet.set(crypto.hmacSha256(um, packet.subarray(32)), 0);
    let reason = xorStream(crypto, deriveOnionKey(crypto, 'ammag', hopSecrets[1]!), packet);
    reason = wrapFailurePacket(hopSecrets[0]!, { reason }).reason;
    expect(decodeFailurePacket(built.sharedSecrets, { reason })).toEqual({
      kind: 'malformed',
      failingHopIndex: 1,
      holdTimes: [],
    });
  });

  it('pads a long failure message instead of truncating it', () => {
    const msg: FailureMessage = {
      failureCode: FailureCode.temporaryChannelFailure,
      channelUpdate: new Uint8Array(300).fill(7),
    };
    const p = createFailurePacket(hopSecrets[0]!, msg);
    expect(p.reason.length).toBe(32 + 2 + 2 + 2 + 300 + 2);
    expect(attributed(decodeFailurePacket(built.sharedSecrets, p)).message).toEqual(msg);
  });

  it('refuses bad secrets with typed errors', () => {
    const bad = (f: () => unknown) =>
      expect(f).toThrow(expect.objectContaining({ code: 'APIMisuse' }));
    bad(() => createFailurePacket(new Uint8Array(31), failures[0]!));
    bad(() => wrapFailurePacket(new Uint8Array(31), { reason: new Uint8Array(292) }));
    bad(() => decodeFailurePacket([], { reason: new Uint8Array(292) }));
    bad(() => decodeFailurePacket([new Uint8Array(1)], { reason: new Uint8Array(292) }));
    bad(() => createFailurePacket(keyOf(1), failures[0]!, { holdTime100ms: -1 }));
  });
});
