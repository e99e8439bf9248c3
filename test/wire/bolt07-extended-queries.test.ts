// Gossip query vectors from the bolts repository (bolt07/extended-queries.json). Encoding 1
// (zlib) is no longer allowed by BOLT 7 ("MUST NOT be used"), so the vectors that use it must
// be rejected; the uncompressed ones must decode to the listed values and re-encode byte for byte.
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { formatShortChannelId } from '../../src/wire/short-channel-id.js';
import { hex, loadVectors, toHex } from './vectors.js';

interface Vector {
  hex: string;
  msg: Record<string, any>;
}
const vectors = loadVectors('bolt07/extended-queries.json') as Vector[];

function usesZlib(msg: Record<string, any>): boolean {
  return JSON.stringify(msg).includes('COMPRESSED_ZLIB');
}

const optionBits: Record<string, number> = { WANT_TIMESTAMPS: 1, WANT_CHECKSUMS: 2 };

describe('BOLT 7 extended queries', () => {
  it('has the 10 vectors, 5 uncompressed', () => {
    expect(vectors.length).toBe(10);
    expect(vectors.filter((v) => !usesZlib(v.msg)).length).toBe(5);
  });

  vectors.forEach((v, i) => {
    const name = `${i}: ${v.msg.type}${usesZlib(v.msg) ? ' (zlib: rejected)' : ''}`;
    it(name, () => {
      const bytes = hex(v.hex);
      if (usesZlib(v.msg)) {
        expect(() => decodeMessage(bytes)).toThrow(
          expect.objectContaining({ code: 'DecodeError' }),
        );
        return;
      }
      const m = decodeMessage(bytes) as any;
      expect(toHex(m.chainHash)).toBe(v.msg.chainHash);
      expect(m.firstBlocknum).toBe(v.msg.firstBlockNum);
      if (v.msg.type === 'QueryChannelRange') {
        expect(m.type).toBe('query_channel_range');
        expect(m.numberOfBlocks).toBe(v.msg.numberOfBlocks);
        const records: string[] = v.msg.tlvStream.records;
        if (records.length === 0) expect(m.queryOptionFlags).toBeUndefined();
        else {
          const flags = records[0]!.split(' | ').reduce((a, f) => a | optionBits[f]!, 0);
          expect(m.queryOptionFlags).toBe(BigInt(flags));
        }
      } else if (v.msg.type === 'ReplyChannelRange') {
        expect(m.type).toBe('reply_channel_range');
        expect(m.numberOfBlocks).toBe(v.msg.numberOfBlocks);
        expect(m.syncComplete).toBe(v.msg.complete);
        expect(m.shortChannelIds.map(formatShortChannelId)).toEqual(v.msg.shortChannelIds.array);
        if (v.msg.timestamps !== undefined) {
          expect(m.timestamps).toEqual(
            v.msg.timestamps.timestamps.map((t: any) => ({
              timestampNodeId1: t.timestamp1,
              timestampNodeId2: t.timestamp2,
            })),
          );
          expect(m.checksums).toEqual(
            v.msg.checksums.checksums.map((c: any) => ({
              checksumNodeId1: c.checksum1,
              checksumNodeId2: c.checksum2,
            })),
          );
        }
      } else {
        expect(v.msg.type).toBe('QueryShortChannelIds');
        expect(m.type).toBe('query_short_channel_ids');
        expect(m.shortChannelIds.map(formatShortChannelId)).toEqual(v.msg.shortChannelIds.array);
        expect(m.queryFlags).toBeUndefined();
      }
      expect(toHex(encodeMessage(m))).toBe(v.hex);
    });
  });
});
