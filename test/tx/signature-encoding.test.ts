// Compact (BOLT 2 wire) and DER + sighash byte (Bitcoin witness) signature encodings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import {
  compactToDer,
  decodeScriptSignature,
  derToCompact,
  encodeScriptSignature,
  SighashType,
} from '../../src/tx/signature-encoding.js';
import { appendixC } from './bolt03-fixtures.js';

const code = (c: string) => expect.objectContaining({ code: c });

describe('signature encoding', () => {
  it('round-trips every Appendix C signature', () => {
    const { tests } = appendixC();
    const ders = tests.flatMap((t) => [
      t.local_signature,
      t.remote_signature,
      ...(t.htlc_txs ?? []).flatMap((h) => [h.local_htlc_signature, h.remote_htlc_signature]),
    ]);
    expect(ders.length).toBe(32 + 66);
    for (const der of ders) {
      const compact = derToCompact(fromHex(der));
      expect(toHex(compactToDer(compact))).toBe(der);
    }
  });

  it('round-trips signatures from the backend (property, fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 1, max: 1000 }),
        (digest, k) => {
          const sk = new Uint8Array(32);
          sk[30] = k >> 8;
          sk[31] = k & 0xff;
          const sig = nobleBackend.sign(digest, sk);
          const encoded = encodeScriptSignature(sig, SighashType.SingleAnyoneCanPay);
          expect(encoded[encoded.length - 1]).toBe(0x83);
          const decoded = decodeScriptSignature(encoded);
          expect(decoded.signature).toEqual(sig);
          expect(decoded.sighashType).toBe(0x83);
        },
      ),
      { seed: 3, numRuns: 50 },
    );
  });

  it('encodes short integers minimally and pads a set high bit', () => {
    const sig = new Uint8Array(64);
    sig[31] = 1; // r = 1
    sig[32] = 0x80; // s has its top bit set
    expect(toHex(compactToDer(sig))).toBe('3026020101022100' + '80' + '00'.repeat(31));
    expect(derToCompact(compactToDer(sig))).toEqual(sig);
  });

  it('rejects malformed input with DecodeError', () => {
    const good = fromHex(appendixC().tests[0]!.local_signature);
    expect(() => compactToDer(new Uint8Array(63))).toThrow(code('DecodeError'));
    expect(() => compactToDer(new Uint8Array(64))).toThrow(code('DecodeError')); // r = s = 0
    expect(() => derToCompact(good.subarray(0, good.length - 1))).toThrow(code('DecodeError'));
    const trailing = Uint8Array.of(...good, 0);
    expect(() => derToCompact(trailing)).toThrow(code('DecodeError'));
    const negative = good.slice();
    negative[4] = 0x80; // r's first byte with the sign bit set
    expect(() => derToCompact(negative)).toThrow(code('DecodeError'));
    const notMinimal = fromHex('3007020200010201' + '01');
    expect(() => derToCompact(notMinimal)).toThrow(code('DecodeError'));
    const wrongTag = good.slice();
    wrongTag[0] = 0x31;
    expect(() => derToCompact(wrongTag)).toThrow(code('DecodeError'));
    expect(() => encodeScriptSignature(derToCompact(good), 0x04)).toThrow(code('DecodeError'));
    expect(() => decodeScriptSignature(Uint8Array.of(...good, 0x00))).toThrow(code('DecodeError'));
    expect(() => decodeScriptSignature(new Uint8Array(3))).toThrow(code('DecodeError'));
  });
});
