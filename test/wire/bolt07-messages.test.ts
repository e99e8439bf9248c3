// BOLT 7 gossip messages: round trips for every message (fast-check, fixed seed), address
// descriptors, and the bytes a gossip signature covers.
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { gossipSignedBytes, type NodeAnnouncementMessage } from '../../src/wire/messages/gossip.js';
import { hex, toHex } from './vectors.js';
import { assertRoundTrip } from './roundtrip.js';

const kinds = [
  'channel_announcement',
  'node_announcement',
  'channel_update',
  'announcement_signatures',
  'query_short_channel_ids',
  'reply_short_channel_ids_end',
  'query_channel_range',
  'reply_channel_range',
  'gossip_timestamp_filter',
] as const;

describe('BOLT 7 messages round-trip', () => {
  for (const kind of kinds) it(kind, () => assertRoundTrip(kind));
});

function nodeAnnouncementHex(addresses: string, extension = ''): string {
  const addrlen = (addresses.length / 2).toString(16).padStart(4, '0');
  return (
    '0101' +
    '11'.repeat(64) +
    '0000' +
    '5f5e1000' +
    '02' +
    '22'.repeat(32) +
    'ff0000' +
    '41'.repeat(32) +
    addrlen +
    addresses +
    extension
  );
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('node_announcement address descriptors', () => {
  it('decodes ipv4, ipv6, torv3 and dns hostname', () => {
    const addrs =
      '01' +
      '7f000001' +
      '2607' +
      '02' +
      '20010db8000000000000000000000001' +
      '2607' +
      '04' +
      '33'.repeat(35) +
      '2607' +
      '05' +
      '0b' +
      toHex(new TextEncoder().encode('example.com')) +
      '2607';
    const bytes = hex(nodeAnnouncementHex(addrs));
    const m = decodeMessage(bytes) as NodeAnnouncementMessage;
    expect(m.type).toBe('node_announcement');
    expect(m.timestamp).toBe(0x5f5e1000);
    expect(m.addresses).toEqual([
      { type: 'ipv4', addr: hex('7f000001'), port: 9735 },
      { type: 'ipv6', addr: hex('20010db8000000000000000000000001'), port: 9735 },
      { type: 'torv3', addr: hex('33'.repeat(35)), port: 9735 },
      { type: 'dns', hostname: 'example.com', port: 9735 },
    ]);
    expect(encodeMessage(m)).toEqual(bytes);
  });

  it('keeps everything from the first unknown descriptor type on', () => {
    const addrs = '01' + '0a000001' + '2607' + '07' + 'aabbcc' + '01' + '0a000002' + '2607';
    const bytes = hex(nodeAnnouncementHex(addrs));
    const m = decodeMessage(bytes) as NodeAnnouncementMessage;
    expect(m.addresses).toEqual([
      { type: 'ipv4', addr: hex('0a000001'), port: 9735 },
      { type: 'unknown', descriptorType: 7, data: hex('aabbcc' + '01' + '0a000002' + '2607') },
    ]);
    expect(encodeMessage(m)).toEqual(bytes);
  });

  it('fails when addrlen cuts a known descriptor short', () => {
    const bytes = hex(nodeAnnouncementHex('01' + '7f0000'));
    expect(errorOf(() => decodeMessage(bytes))).toMatchObject({ code: 'DecodeError' });
  });

  it('fails on a non-ASCII hostname', () => {
    const bytes = hex(nodeAnnouncementHex('05' + '01' + 'c3' + '2607'));
    expect(errorOf(() => decodeMessage(bytes))).toMatchObject({ code: 'DecodeError' });
  });

  it('refuses to encode an unknown descriptor that is not last', () => {
    const m = decodeMessage(hex(nodeAnnouncementHex(''))) as NodeAnnouncementMessage;
    const bad = {
      ...m,
      addresses: [
        { type: 'unknown' as const, descriptorType: 9, data: hex('') },
        { type: 'ipv4' as const, addr: hex('01020304'), port: 1 },
      ],
    };
    expect(errorOf(() => encodeMessage(bad))).toMatchObject({ code: 'APIMisuse' });
  });
});

describe('gossip signatures cover everything after the signature fields', () => {
  it('node_announcement and channel_update: after the one signature; extension included', () => {
    const bytes = hex(nodeAnnouncementHex('', '0701aa'));
    const signed = gossipSignedBytes(bytes);
    expect(signed.length).toBe(bytes.length - 66);
    expect(toHex(signed.subarray(signed.length - 3))).toBe('0701aa');
    // The odd extension record survives decode and encode, so the signature still verifies.
    expect(encodeMessage(decodeMessage(bytes))).toEqual(bytes);
  });

  it('channel_announcement: after the four signatures', () => {
    const bytes = new Uint8Array(2 + 256 + 10);
    bytes[1] = 0x00;
    bytes[0] = 0x01;
    expect(gossipSignedBytes(bytes).length).toBe(10);
  });

  it('rejects other types', () => {
    expect(errorOf(() => gossipSignedBytes(hex('0010')))).toMatchObject({ code: 'DecodeError' });
  });
});

describe('gossip query encodings', () => {
  const chain = '00'.repeat(32);
  it('rejects encoded_short_ids that are not a whole number of ids', () => {
    expect(errorOf(() => decodeMessage(hex('0105' + chain + '0004' + '00aabbcc')))).toMatchObject({
      code: 'DecodeError',
    });
  });

  it('rejects empty encoded_short_ids (no encoding byte) and unknown encodings', () => {
    expect(errorOf(() => decodeMessage(hex('0105' + chain + '0000')))).toMatchObject({
      code: 'DecodeError',
    });
    expect(errorOf(() => decodeMessage(hex('0105' + chain + '000102')))).toMatchObject({
      code: 'DecodeError',
    });
  });

  it('encodes query_flags as an encoding byte and one BigSize per id', () => {
    const m = {
      type: 'query_short_channel_ids' as const,
      chainHash: new Uint8Array(32),
      shortChannelIds: [1n, 2n],
      queryFlags: [1n, 0x1fn],
    };
    expect(toHex(encodeMessage(m))).toBe(
      '0105' + chain + '0011' + '00' + '0000000000000001' + '0000000000000002' + '0103' + '00011f',
    );
  });

  it('channel_update without htlc_maximum_msat is too short', () => {
    const short =
      '0102' +
      '00'.repeat(64) +
      chain +
      '00'.repeat(8) +
      '00'.repeat(4) +
      '0100' +
      '0028' +
      '00'.repeat(8) +
      '00'.repeat(4) +
      '00'.repeat(4);
    expect(errorOf(() => decodeMessage(hex(short)))).toMatchObject({ code: 'DecodeError' });
    expect(decodeMessage(hex(short + '00'.repeat(8))).type).toBe('channel_update');
  });
});
