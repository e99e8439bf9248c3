// BigSize test vectors from BOLT 1, Appendix A.
import { describe, expect, it } from 'vitest';
import { decodeBigSize, encodeBigSize, bigSizeLength } from '../../src/wire/bigsize.js';
import { WireReader } from '../../src/wire/reader.js';
import { WireWriter } from '../../src/wire/writer.js';
import { DecodeError, ErrorCode } from '../../src/util/errors.js';
import { hex, loadVectors, toHex } from './vectors.js';

interface BigSizeVector {
  name: string;
  value: string;
  bytes: string;
  exp_error?: string;
}
const v = loadVectors('bolt01-bigsize.json') as {
  decoding: BigSizeVector[];
  encoding: BigSizeVector[];
};

describe('BOLT 1 Appendix A: BigSize decoding', () => {
  it('has the 18 decoding vectors', () => expect(v.decoding.length).toBe(18));
  for (const t of v.decoding) {
    it(t.name, () => {
      if (t.exp_error === undefined) {
        expect(decodeBigSize(hex(t.bytes))).toBe(BigInt(t.value));
        expect(new WireReader(hex(t.bytes)).bigSize()).toBe(BigInt(t.value));
      } else {
        expect(() => decodeBigSize(hex(t.bytes))).toThrow(DecodeError);
        let code: string | undefined;
        try {
          new WireReader(hex(t.bytes)).bigSize();
        } catch (e) {
          code = (e as DecodeError).code;
        }
        expect(code).toBe(ErrorCode.DecodeError);
      }
    });
  }
});

describe('BOLT 1 Appendix A: BigSize encoding', () => {
  it('has the 8 encoding vectors', () => expect(v.encoding.length).toBe(8));
  for (const t of v.encoding) {
    it(t.name, () => {
      expect(toHex(encodeBigSize(BigInt(t.value)))).toBe(t.bytes);
      expect(toHex(new WireWriter().bigSize(BigInt(t.value)).finish())).toBe(t.bytes);
      expect(bigSizeLength(BigInt(t.value))).toBe(t.bytes.length / 2);
    });
  }

  it('rejects values outside u64 with APIMisuse', () => {
    expect(() => encodeBigSize(-1n)).toThrow(expect.objectContaining({ code: 'APIMisuse' }));
    expect(() => encodeBigSize(1n << 64n)).toThrow(expect.objectContaining({ code: 'APIMisuse' }));
  });

  it('rejects trailing bytes after a lone BigSize', () => {
    expect(() => decodeBigSize(hex('0000'))).toThrow(
      expect.objectContaining({ code: 'DecodeError' }),
    );
  });
});
