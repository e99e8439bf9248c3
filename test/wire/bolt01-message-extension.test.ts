// Message extension examples from BOLT 1, Appendix C (the `init` message), and the setup
// messages of BOLT 1.
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, isUnknownMessage } from '../../src/wire/message.js';
import { assertRoundTrip } from './roundtrip.js';
import { hex, loadVectors, toHex } from './vectors.js';

const v = loadVectors('bolt01-message-extension.json') as {
  vectors: { message: string; valid: boolean; note: string }[];
};

describe('BOLT 1 Appendix C: message extension', () => {
  it('has the 5 vectors', () => expect(v.vectors.length).toBe(5));
  for (const t of v.vectors) {
    it(`${t.valid ? 'valid' : 'invalid'}: ${t.note}`, () => {
      if (t.valid) {
        const m = decodeMessage(hex(t.message));
        expect(isUnknownMessage(m)).toBe(false);
        expect(m.type).toBe('init');
        // Unknown odd records survive, so the message re-encodes to the same bytes.
        expect(toHex(encodeMessage(m))).toBe(t.message);
      } else {
        expect(() => decodeMessage(hex(t.message))).toThrow(
          expect.objectContaining({ code: 'DecodeError' }),
        );
      }
    });
  }
});

describe('BOLT 1 setup messages', () => {
  it('decodes init networks and remote_addr', () => {
    const chain = new Uint8Array(32).fill(7);
    const m = {
      type: 'init' as const,
      globalFeatures: hex(''),
      features: hex('0a8a'),
      networks: [chain],
      remoteAddr: { type: 'ipv4' as const, addr: hex('7f000001'), port: 9735 },
    };
    const bytes = encodeMessage(m);
    expect(toHex(bytes)).toBe(
      '0010' + '0000' + '0002' + '0a8a' + '0120' + '07'.repeat(32) + '0307' + '017f0000012607',
    );
    expect(decodeMessage(bytes)).toEqual(m);
  });

  it('keeps unknown message types as unknown, odd or even', () => {
    expect(decodeMessage(hex('8001aabb'))).toEqual({
      kind: 'unknown',
      type: 0x8001,
      payload: hex('aabb'),
    });
    expect(decodeMessage(hex('0040'))).toEqual({ kind: 'unknown', type: 64, payload: hex('') });
    expect(toHex(encodeMessage({ kind: 'unknown', type: 0x8001, payload: hex('aabb') }))).toBe(
      '8001aabb',
    );
  });

  it('refuses to encode a message over 65535 bytes', () => {
    const misuse = expect.objectContaining({ code: 'APIMisuse' });
    expect(() => encodeMessage({ type: 'pong', ignored: new Uint8Array(65531) })).not.toThrow();
    expect(() => encodeMessage({ type: 'pong', ignored: new Uint8Array(65532) })).toThrow(misuse);
    expect(() =>
      encodeMessage({ kind: 'unknown', type: 32769, payload: new Uint8Array(65534) }),
    ).toThrow(misuse);
  });

  it('rejects a message shorter than its type', () => {
    expect(() => decodeMessage(hex('00'))).toThrow(
      expect.objectContaining({ code: 'DecodeError' }),
    );
  });

  it('round-trips error, warning, ping and pong', () => {
    const channelId = new Uint8Array(32).fill(1);
    for (const m of [
      { type: 'error' as const, channelId, data: hex('6869') },
      { type: 'warning' as const, channelId, data: hex('') },
      { type: 'ping' as const, numPongBytes: 4, ignored: new Uint8Array(3) },
      { type: 'pong' as const, ignored: new Uint8Array(4) },
    ]) {
      expect(decodeMessage(encodeMessage(m))).toEqual(m);
    }
    expect(
      toHex(encodeMessage({ type: 'ping', numPongBytes: 4, ignored: new Uint8Array(2) })),
    ).toBe('0012000400020000');
  });
});

describe('BOLT 1 setup messages round-trip', () => {
  for (const kind of ['init', 'error', 'warning', 'ping', 'pong'] as const) {
    it(kind, () => assertRoundTrip(kind));
  }
});
