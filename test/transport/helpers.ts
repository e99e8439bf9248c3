// Shared by the BOLT 8 transport tests: the vector file, node options built from its keys, and
// small helpers to build connected transports and deterministic messages.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { CryptoBackend } from '../../src/crypto/backend.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import { TransportError } from '../../src/transport/errors.js';
import { PeerTransport } from '../../src/transport/peer-transport.js';
import { concatBytes, fromHex, toHex } from '../../src/util/bytes.js';
import { ErrorCode } from '../../src/util/errors.js';

export interface Act {
  act: number;
  input?: string;
  output?: string;
  error?: string;
}
export interface HandshakeVector {
  name: string;
  keys: { rs_pub?: string; ls_priv: string; ls_pub: string; e_priv: string; e_pub: string };
  acts: Act[];
  final_keys?: { sk: string; rk: string };
}
export interface MessageVector {
  name: string;
  keys: { ck: string; sk: string; rk: string };
  plaintext: string;
  outputs: { index: number; ciphertext: string }[];
}
export interface Vectors {
  initiator: HandshakeVector[];
  responder: HandshakeVector[];
  message_encryption: MessageVector[];
}

const here = dirname(fileURLToPath(import.meta.url));
export const vectors = JSON.parse(
  readFileSync(join(here, '../vectors/bolt08-transport.json'), 'utf8'),
) as Vectors;

export const crypto = nobleBackend;

export function act(v: HandshakeVector, n: number): Act {
  const a = v.acts.find((x) => x.act === n);
  if (a === undefined) throw new Error(`${v.name}: no act ${n}`);
  return a;
}

/** The spec names an error `ACT2_BAD_VERSION 1`: the name, then the offending value. */
export function reasonOf(error: string): string {
  return error.split(' ')[0]!;
}

export function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

export function expectTransportError(fn: () => unknown, reason?: string): void {
  const e = catchError(fn);
  expect(e).toBeInstanceOf(TransportError);
  expect((e as TransportError).code).toBe(ErrorCode.TransportError);
  if (reason !== undefined) expect((e as TransportError).reason).toBe(reason);
}

export function nodeOptions(v: HandshakeVector, backend: CryptoBackend = crypto) {
  const ls = fromHex(v.keys.ls_priv);
  return {
    localNodeId: fromHex(v.keys.ls_pub),
    ecdh: (pk: Uint8Array) => backend.ecdh(ls, pk),
    ephemeralSecretKey: fromHex(v.keys.e_priv),
  };
}

export function initiatorOf(v: HandshakeVector): PeerTransport {
  return PeerTransport.initiator({ ...nodeOptions(v), remoteNodeId: fromHex(v.keys.rs_pub!) });
}

/** The noble backend with its slow curve operations cached by input. */
export function memoizedCurve(): CryptoBackend {
  const cache = new Map<string, unknown>();
  const memo =
    <A extends Uint8Array[], R>(name: string, fn: (...args: A) => R) =>
    (...args: A): R => {
      const key = `${name}:${args.map(toHex).join(':')}`;
      if (!cache.has(key)) cache.set(key, fn(...args));
      return cache.get(key) as R;
    };
  return {
    ...nobleBackend,
    ecdh: memo('ecdh', (sk, pk) => nobleBackend.ecdh(sk, pk)),
    getPublicKey: memo('pub', (sk) => nobleBackend.getPublicKey(sk)),
    isValidPublicKey: memo('valid', (pk) => nobleBackend.isValidPublicKey(pk)),
  };
}

/** A connected pair from the vector keys, handshake complete. */
export function connectedPair(): { alice: PeerTransport; bob: PeerTransport } {
  const init = vectors.initiator[0]!;
  const resp = vectors.responder[0]!;
  const alice = initiatorOf(init);
  const bob = PeerTransport.responder(nodeOptions(resp));
  const a2 = bob.receive(alice.start());
  const a3 = alice.receive(concatBytes(...a2.send));
  expect(bob.receive(concatBytes(...a3.send))).toEqual({ send: [], messages: [] });
  expect(alice.isReady && bob.isReady).toBe(true);
  return { alice, bob };
}

/** Deterministic message bodies: a 2-byte type then `i`-dependent bytes. */
export function message(i: number, length = 2 + (i % 37)): Uint8Array {
  const m = new Uint8Array(length);
  for (let j = 0; j < length; j++) m[j] = (i * 31 + j * 7) & 0xff;
  return m;
}
