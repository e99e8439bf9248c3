// Signed integer test vectors from BOLT 1, Appendix D.
import { describe, expect, it } from 'vitest';
import { WireReader } from '../../src/wire/reader.js';
import { WireWriter } from '../../src/wire/writer.js';
import { hex, loadVectors, toHex } from './vectors.js';

const v = loadVectors('bolt01-signed-integers.json') as {
  vectors: { value: string; bytes: string }[];
};

describe('BOLT 1 Appendix D: signed integers', () => {
  it('has the 23 vectors', () => expect(v.vectors.length).toBe(23));
  for (const t of v.vectors) {
    it(`${t.value} <-> ${t.bytes}`, () => {
      const bytes = hex(t.bytes);
      const r = new WireReader(bytes);
      const w = new WireWriter();
      switch (bytes.length) {
        case 1:
          expect(r.s8()).toBe(Number(t.value));
          w.s8(Number(t.value));
          break;
        case 2:
          expect(r.s16()).toBe(Number(t.value));
          w.s16(Number(t.value));
          break;
        case 4:
          expect(r.s32()).toBe(Number(t.value));
          w.s32(Number(t.value));
          break;
        case 8:
          expect(r.s64()).toBe(BigInt(t.value));
          w.s64(BigInt(t.value));
          break;
        default:
          throw new Error('unexpected width');
      }
      expect(r.remaining()).toBe(0);
      expect(toHex(w.finish())).toBe(t.bytes);
    });
  }

  it('rejects out-of-range values with APIMisuse', () => {
    const misuse = expect.objectContaining({ code: 'APIMisuse' });
    expect(() => new WireWriter().s8(128)).toThrow(misuse);
    expect(() => new WireWriter().s16(-32769)).toThrow(misuse);
    expect(() => new WireWriter().s32(2 ** 31)).toThrow(misuse);
    expect(() => new WireWriter().s64(1n << 63n)).toThrow(misuse);
  });
});
