// Fuzzing the onion readers with what a peer can send: random and mutated 1366-byte packets into
// peelOnion, random framing behind a valid HMAC, random payload bytes, and random or mutated
// failure packets into the sender's decoder. A peer must never make them throw: peelOnion returns
// a result (a bad onion is a `malformed` result with a BADONION code), the payload decoder throws
// only InvalidOnionPayloadError, the failure decoder returns `unattributable` or an attribution
// within the route. ONION_FC_SEED pins another seed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOnionPayloadError } from '../../src/onion/errors.js';
import { FailureCode, isBadOnion } from '../../src/onion/failure-codes.js';
import { decodeFailureMessage } from '../../src/onion/failure-message.js';
import {
  createFailurePacket,
  decodeFailurePacket,
  wrapFailurePacket,
  type DecodedFailure,
} from '../../src/onion/failure.js';
import { deriveOnionKey } from '../../src/onion/onion-keys.js';
import { constructOnionPacket, PAYMENT_ONION_LENGTH } from '../../src/onion/packet.js';
import { peelOnion, type PeelResult } from '../../src/onion/peel.js';
import { decodeHopPayload } from '../../src/onion/payload.js';
import { validateHopPayload } from '../../src/onion/payload-validation.js';
import { DecodeError } from '../../src/util/errors.js';
import { crypto, ecdhOf, keyOf } from './helpers.js';

const FC_SEED = Number(process.env.ONION_FC_SEED ?? 4);
const nodeSecret = keyOf(0x21);
const nodeEcdh = ecdhOf(nodeSecret);
const nodeId = crypto.getPublicKey(nodeSecret);
const ad = keyOf(0x42);
const validKeys = [1, 2, 3].map((i) => crypto.getPublicKey(keyOf(i)));
const valid = constructOnionPacket(
  [
    { nodeId, payload: Uint8Array.of(2, 2, 3, 232, 4, 1, 144, 6, 8, 0, 0, 0, 0, 0, 0, 0, 1) },
    { nodeId: validKeys[0]!, payload: Uint8Array.of(2, 2, 3, 232, 4, 1, 144) },
  ],
  keyOf(0x55),
  ad,
).packet;

function checkPeel(r: PeelResult): void {
  switch (r.kind) {
    case 'malformed':
      expect(isBadOnion(r.failureCode)).toBe(true);
      expect(r.sha256OfOnion.length).toBe(32);
      return;
    case 'fail':
      expect(r.failure.failureCode).toBe(FailureCode.invalidOnionPayload);
      expect(r.sharedSecret.length).toBe(32);
      return;
    case 'forward':
      expect(r.nextPacket.length).toBe(PAYMENT_ONION_LENGTH);
      expect(r.payload.length).toBeGreaterThanOrEqual(2);
      return;
    case 'final':
      expect(r.payload.length).toBeGreaterThanOrEqual(2);
      return;
  }
}

const packetArb = fc.oneof(
  // Entirely random.
  fc.uint8Array({ minLength: PAYMENT_ONION_LENGTH, maxLength: PAYMENT_ONION_LENGTH }),
  // Version 0 and a valid key, random payloads and HMAC: reaches the HMAC check.
  fc
    .tuple(
      fc.constantFrom(...validKeys, nodeId),
      fc.uint8Array({ minLength: 1332, maxLength: 1332 }),
    )
    .map(([key, rest]) => Uint8Array.from([0, ...key, ...rest])),
  // The valid packet with a few bytes overwritten.
  fc
    .array(fc.tuple(fc.nat(PAYMENT_ONION_LENGTH - 1), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 4,
    })
    .map((edits) => {
      const p = valid.slice();
      for (const [at, byte] of edits) p[at] = byte;
      return p;
    }),
);

describe('BOLT 4 fuzzing', () => {
  it('peelOnion returns a typed result for any 1366-byte packet', () => {
    fc.assert(
      fc.property(packetArb, (packet) => {
        checkPeel(peelOnion(packet, nodeEcdh, ad));
      }),
      { seed: FC_SEED, numRuns: 150 },
    );
  });

  it('random framing behind a valid HMAC is a payload failure or a clean peel', () => {
    // The sender of such a packet knows the shared secret: this is what a malicious sender can
    // make a hop parse.
    const ephemeral = crypto.getPublicKey(keyOf(0x66));
    const ss = crypto.ecdh(keyOf(0x66), nodeId);
    const mu = deriveOnionKey(crypto, 'mu', ss);
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1300, maxLength: 1300 }),
        fc.integer({ min: 0, max: 5 }),
        (payloads, prefixKind) => {
          // Steer the decrypted first bytes towards each BigSize form by forcing them after the
          // stream is removed: encrypt a chosen prefix.
          const rho = deriveOnionKey(crypto, 'rho', ss);
          const plain = crypto.chacha20(rho, new Uint8Array(12), payloads);
          plain[0] = [0, 1, 2, 0xfc, 0xfd, 0xff][prefixKind]!;
          const field = crypto.chacha20(rho, new Uint8Array(12), plain);
          const hmacInput = new Uint8Array(1300 + 32);
          hmacInput.set(field);
          hmacInput.set(ad, 1300);
          const packet = Uint8Array.from([
            0,
            ...ephemeral,
            ...field,
            ...crypto.hmacSha256(mu, hmacInput),
          ]);
          const r = peelOnion(packet, nodeEcdh, ad);
          expect(r.kind).not.toBe('malformed');
          checkPeel(r);
          seen.add(r.kind);
        },
      ),
      { seed: FC_SEED, numRuns: 80 },
    );
    expect([...seen].sort()).toEqual(['fail', 'forward']);
  });

  it('the payload decoder throws only InvalidOnionPayloadError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (bytes, isFinal) => {
        try {
          const d = decodeHopPayload(bytes);
          validateHopPayload(d, { isFinal, hasIncomingPathKey: false });
        } catch (e) {
          if (!(e instanceof InvalidOnionPayloadError)) throw e;
          expect(e.offset).toBeGreaterThanOrEqual(0);
          expect(e.offset).toBeLessThanOrEqual(bytes.length);
        }
      }),
      { seed: FC_SEED, numRuns: 2000 },
    );
  });

  it('the failure message decoder throws only DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (bytes) => {
        try {
          decodeFailureMessage(bytes);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }),
      { seed: FC_SEED, numRuns: 2000 },
    );
  });

  const secrets = [1, 2, 3, 4, 5].map((i) => keyOf(0x10 + i));
  const genuine = (() => {
    let p = createFailurePacket(
      secrets[3]!,
      { failureCode: FailureCode.temporaryChannelFailure },
      { holdTime100ms: 3 },
    );
    for (let i = 2; i >= 0; i--) p = wrapFailurePacket(secrets[i]!, p, { holdTime100ms: i });
    return p;
  })();

  function checkDecoded(d: DecodedFailure): void {
    expect(['attributed', 'unattributable', 'malformed']).toContain(d.kind);
    if (d.kind !== 'unattributable') {
      expect(d.failingHopIndex).toBeGreaterThanOrEqual(0);
      expect(d.failingHopIndex).toBeLessThan(secrets.length);
    }
    if (d.kind === 'attributed') {
      expect(d.failureCode).toBeGreaterThanOrEqual(0);
      expect(d.failureCode).toBeLessThanOrEqual(0xffff);
    }
    expect(d.holdTimes.length).toBeLessThanOrEqual(secrets.length);
  }

  it('random failure packets are unattributable, never a crash', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.option(fc.uint8Array({ minLength: 920, maxLength: 920 })),
        (reason, attributionData) => {
          const d = decodeFailurePacket(
            secrets,
            attributionData === null ? { reason } : { reason, attributionData },
          );
          checkDecoded(d);
          expect(d.kind).toBe('unattributable');
        },
      ),
      { seed: FC_SEED, numRuns: 200 },
    );
  });

  it('mutated failure packets decode to unattributable or a valid attribution', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(919), fc.integer({ min: 1, max: 255 })), { maxLength: 3 }),
        fc.integer({ min: -3, max: 3 }),
        (reasonEdits, attributionEdits, resize) => {
          let reason = genuine.reason.slice();
          for (const [at, x] of reasonEdits) reason[at % reason.length]! ^= x;
          if (resize < 0) reason = reason.slice(0, reason.length + resize);
          if (resize > 0) reason = Uint8Array.from([...reason, ...new Uint8Array(resize)]);
          const attributionData = genuine.attributionData!.slice();
          for (const [at, x] of attributionEdits) attributionData[at]! ^= x;
          const d = decodeFailurePacket(secrets, { reason, attributionData });
          checkDecoded(d);
          if (reasonEdits.length === 0 && resize === 0) {
            expect(d).toMatchObject({ kind: 'attributed', failingHopIndex: 3 });
          }
        },
      ),
      { seed: FC_SEED, numRuns: 200 },
    );
  });
});
