// BOLT 1 "Fundamental Types": the reader and writer, truncated integers and short channel ids.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import { decodeMessage } from '../../src/wire/message.js';
import { WireReader } from '../../src/wire/reader.js';
import {
  formatShortChannelId,
  parseShortChannelId,
  shortChannelIdFromParts,
  shortChannelIdToParts,
} from '../../src/wire/short-channel-id.js';
import { WireWriter } from '../../src/wire/writer.js';
import { FC_SEED } from './roundtrip.js';
import { hex, toHex } from './vectors.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? 'not a BoltkitError';
  }
  return undefined;
}

describe('WireReader', () => {
  it('reads big-endian unsigned integers', () => {
    const r = new WireReader(hex('01' + '0203' + '04050607' + '08090a0b0c0d0e0f'));
    expect(r.u8()).toBe(1);
    expect(r.u16()).toBe(0x0203);
    expect(r.u32()).toBe(0x04050607);
    expect(r.u64()).toBe(0x08090a0b0c0d0e0fn);
    expect(r.remaining()).toBe(0);
  });

  it('throws DecodeError on every short read', () => {
    const short = hex('00');
    for (const read of [
      (r: WireReader) => r.u16(),
      (r: WireReader) => r.u32(),
      (r: WireReader) => r.u64(),
      (r: WireReader) => r.s16(),
      (r: WireReader) => r.s64(),
      (r: WireReader) => r.bytes(2),
      (r: WireReader) => r.point(),
      (r: WireReader) => r.signature(),
      (r: WireReader) => r.chainHash(),
      (r: WireReader) => r.shortChannelId(),
      (r: WireReader) => r.u16Bytes(),
      (r: WireReader) => r.sub(5),
    ]) {
      expect(codeOf(() => read(new WireReader(short)))).toBe('DecodeError');
    }
    expect(codeOf(() => new WireReader(new Uint8Array(0)).u8())).toBe('DecodeError');
    expect(codeOf(() => new WireReader(hex('0005aabb')).u16Bytes())).toBe('DecodeError');
  });

  it('reads within a sub-range only', () => {
    const r = new WireReader(hex('aabbccdd'), 1, 3);
    expect(r.rest()).toEqual(hex('bbcc'));
    expect(codeOf(() => new WireReader(hex('aa'), 0, 2))).toBe('DecodeError');
  });

  it('returns copies, not views of the input', () => {
    const input = hex('0102');
    const out = new WireReader(input).bytes(2);
    input[0] = 9;
    expect(out[0]).toBe(1);
  });

  it('never returns a Buffer or a view of a Buffer input', () => {
    const input = Buffer.from('00120003000201aa', 'hex');
    const m = decodeMessage(input);
    const ignored = (m as { ignored: Uint8Array }).ignored;
    expect(ignored.constructor).toBe(Uint8Array);
    input[6] = 9;
    expect(ignored[0]).toBe(1);
    const unknown = decodeMessage(Buffer.from('8001aabb', 'hex'));
    expect((unknown as { payload: Uint8Array }).payload.constructor).toBe(Uint8Array);
    expect(new WireReader(Buffer.from('0102', 'hex')).rest().constructor).toBe(Uint8Array);
  });

  it('checks point prefixes, and curve membership only when asked', () => {
    const g = hex('0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
    expect(new WireReader(g).point()).toEqual(g);
    expect(new WireReader(g).validPoint(nobleBackend)).toEqual(g);
    const bad = Uint8Array.from(g);
    bad[0] = 4;
    expect(codeOf(() => new WireReader(bad).point())).toBe('DecodeError');
    const offCurve = hex('02' + '00'.repeat(31) + '05');
    expect(new WireReader(offCurve).point()).toEqual(offCurve);
    expect(codeOf(() => new WireReader(offCurve).validPoint(nobleBackend))).toBe('DecodeError');
  });

  it('reads minimal truncated integers over the remaining bytes', () => {
    expect(new WireReader(hex('')).tu64()).toBe(0n);
    expect(new WireReader(hex('0100')).tu16()).toBe(256);
    expect(new WireReader(hex('ffffffff')).tu32()).toBe(0xffffffff);
    expect(codeOf(() => new WireReader(hex('0001')).tu16())).toBe('DecodeError');
    expect(codeOf(() => new WireReader(hex('010000')).tu16())).toBe('DecodeError');
    expect(codeOf(() => new WireReader(hex('01'.repeat(9))).tu64())).toBe('DecodeError');
  });
});

describe('WireWriter', () => {
  it('grows past its initial capacity', () => {
    const w = new WireWriter(16);
    for (let i = 0; i < 100; i++) w.u32(i);
    w.bytes(new Uint8Array(1000).fill(7));
    const out = w.finish();
    expect(out.length).toBe(1400);
    const r = new WireReader(out);
    for (let i = 0; i < 100; i++) expect(r.u32()).toBe(i);
    expect(r.rest()).toEqual(new Uint8Array(1000).fill(7));
  });

  it('writes minimal truncated integers', () => {
    expect(toHex(new WireWriter().tu16(0).tu32(256).tu64(0x010000n).finish())).toBe('0100010000');
  });

  it('round-trips every integer type', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: -0x80000000, max: 0x7fffffff }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
        (u32, s32, u64, s64) => {
          const w = new WireWriter().u32(u32).s32(s32).u64(u64).s64(s64).bigSize(u64);
          const r = new WireReader(w.finish());
          expect([r.u32(), r.s32(), r.u64(), r.s64(), r.bigSize()]).toEqual([
            u32,
            s32,
            u64,
            s64,
            u64,
          ]);
          const t = new WireReader(new WireWriter().tu64(u64).finish());
          expect(t.tu64()).toBe(u64);
        },
      ),
      { seed: FC_SEED, numRuns: 200 },
    );
  });

  it('refuses out-of-range values with APIMisuse', () => {
    expect(codeOf(() => new WireWriter().u8(256))).toBe('APIMisuse');
    expect(codeOf(() => new WireWriter().u16(-1))).toBe('APIMisuse');
    expect(codeOf(() => new WireWriter().u32(1.5))).toBe('APIMisuse');
    expect(codeOf(() => new WireWriter().u64(1n << 64n))).toBe('APIMisuse');
    expect(codeOf(() => new WireWriter().u16Bytes(new Uint8Array(65536)))).toBe('APIMisuse');
    expect(codeOf(() => new WireWriter().signature(new Uint8Array(63)))).toBe('APIMisuse');
  });
});

describe('short_channel_id (BOLT 7)', () => {
  it('packs block, transaction and output', () => {
    const scid = shortChannelIdFromParts(539268, 845, 1);
    expect(scid).toBe((539268n << 40n) | (845n << 16n) | 1n);
    expect(formatShortChannelId(scid)).toBe('539268x845x1');
    expect(parseShortChannelId('539268x845x1')).toBe(scid);
    expect(shortChannelIdToParts(scid)).toEqual({
      blockHeight: 539268,
      txIndex: 845,
      outputIndex: 1,
    });
  });

  it('rejects malformed strings with DecodeError and bad parts with APIMisuse', () => {
    for (const s of ['', '1x2', '1x2x3x4', 'ax2x3', '16777216x0x0', '0x16777216x0', '0x0x65536']) {
      expect(codeOf(() => parseShortChannelId(s))).toBe('DecodeError');
    }
    expect(codeOf(() => shortChannelIdFromParts(-1, 0, 0))).toBe('APIMisuse');
    expect(codeOf(() => shortChannelIdFromParts(0, 0, 65536))).toBe('APIMisuse');
  });
});
