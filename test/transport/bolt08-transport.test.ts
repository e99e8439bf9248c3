// BOLT 8 transport test vectors (08-transport.md, Appendix A: Transport Test Vectors), run
// through the PeerTransport facade and the handshake and cipher modules, on noble and on the
// node-openssl backend.
import { describe, expect, it } from 'vitest';
import { createNodeCryptoBackend } from '../../src/node/crypto-backend.js';
import {
  CipherState,
  MessageDecryptor,
  MessageEncryptor,
} from '../../src/transport/cipher-state.js';
import { InitiatorHandshake, ResponderHandshake } from '../../src/transport/handshake.js';
import { PeerTransport } from '../../src/transport/peer-transport.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import {
  act,
  crypto,
  expectTransportError,
  initiatorOf,
  nodeOptions,
  reasonOf,
  vectors,
} from './helpers.js';

describe('BOLT 8 initiator tests', () => {
  for (const v of vectors.initiator) {
    it(v.name, () => {
      const t = initiatorOf(v);
      expect(toHex(t.start())).toBe(act(v, 1).output);
      const two = act(v, 2);
      const input = fromHex(two.input!);
      if (two.error === undefined) {
        const out = t.receive(input);
        expect(out.send.map(toHex)).toEqual([act(v, 3).output]);
        expect(out.messages).toEqual([]);
        expect(t.isReady).toBe(true);
        // The final keys are observable through the first frame encrypted under sk.
        const sk = fromHex(v.final_keys!.sk);
        const ck = new Uint8Array(32);
        const ours = t.encryptMessage(Uint8Array.of(1, 2, 3));
        const theirs = new MessageDecryptor(new CipherState(sk, ck, crypto));
        expect(theirs.decryptLength(ours.subarray(0, 18))).toBe(3);
        expect(theirs.decryptBody(ours.subarray(18))).toEqual(Uint8Array.of(1, 2, 3));
        return;
      }
      const reason = reasonOf(two.error);
      if (reason === 'ACT2_READ_FAILED') {
        // A stream transport waits for the missing byte; the handshake itself refuses the act.
        expect(t.receive(input)).toEqual({ send: [], messages: [] });
        expect(t.isReady).toBe(false);
        expect(t.bufferedBytes).toBe(input.length);
        const hs = new InitiatorHandshake({
          crypto,
          localStatic: fromHex(v.keys.ls_pub),
          remoteStatic: fromHex(v.keys.rs_pub!),
          ephemeralSecret: fromHex(v.keys.e_priv),
          ecdh: nodeOptions(v).ecdh,
        });
        hs.writeActOne();
        expectTransportError(() => hs.readActTwo(input), reason);
        return;
      }
      expectTransportError(() => t.receive(input), reason);
      expect(t.isReady).toBe(false);
    });
  }
});

describe('BOLT 8 responder tests', () => {
  for (const v of vectors.responder) {
    it(v.name, () => {
      const t = PeerTransport.responder(nodeOptions(v));
      expect(t.start()).toEqual(new Uint8Array(0));
      expect(t.remoteNodeId).toBeUndefined();
      const failing = v.acts.find((a) => a.error !== undefined);
      const reason = failing?.error === undefined ? undefined : reasonOf(failing.error);

      const one = fromHex(act(v, 1).input!);
      if (failing?.act === 1) {
        if (reason === 'ACT1_READ_FAILED') {
          expect(t.receive(one)).toEqual({ send: [], messages: [] });
          const hs = new ResponderHandshake({
            crypto,
            localStatic: fromHex(v.keys.ls_pub),
            ephemeralSecret: fromHex(v.keys.e_priv),
            ecdh: nodeOptions(v).ecdh,
          });
          expectTransportError(() => hs.readActOne(one), reason);
        } else {
          expectTransportError(() => t.receive(one), reason);
        }
        return;
      }
      expect(t.receive(one).send.map(toHex)).toEqual([act(v, 2).output]);

      const three = fromHex(act(v, 3).input!);
      if (failing?.act === 3) {
        if (reason === 'ACT3_READ_FAILED') {
          expect(t.receive(three)).toEqual({ send: [], messages: [] });
          expect(t.isReady).toBe(false);
          const hs = new ResponderHandshake({
            crypto,
            localStatic: fromHex(v.keys.ls_pub),
            ephemeralSecret: fromHex(v.keys.e_priv),
            ecdh: nodeOptions(v).ecdh,
          });
          hs.readActOne(one);
          expectTransportError(() => hs.readActThree(three), reason);
        } else {
          expectTransportError(() => t.receive(three), reason);
          expect(t.remoteNodeId).toBeUndefined();
        }
        return;
      }
      expect(t.receive(three)).toEqual({ send: [], messages: [] });
      expect(t.isReady).toBe(true);
      expect(t.start()).toEqual(new Uint8Array(0));
      // The initiator of these vectors is the one of the initiator tests.
      expect(toHex(t.remoteNodeId!)).toBe(vectors.initiator[0]!.keys.ls_pub);
      const rk = fromHex(v.final_keys!.rk);
      const frame = new MessageEncryptor(new CipherState(rk, new Uint8Array(32), crypto)).encrypt(
        Uint8Array.of(9, 9),
      );
      expect(t.receive(frame).messages).toEqual([Uint8Array.of(9, 9)]);
    });
  }
});

describe('BOLT 8 message encryption tests', () => {
  const v = vectors.message_encryption[0]!;
  const expected = new Map(v.outputs.map((o) => [o.index, o.ciphertext]));
  const plaintext = fromHex(v.plaintext);
  const last = Math.max(...expected.keys());

  it(`${v.name}: outputs ${[...expected.keys()].join(', ')}`, () => {
    const enc = new MessageEncryptor(
      new CipherState(fromHex(v.keys.sk), fromHex(v.keys.ck), crypto),
    );
    const dec = new MessageDecryptor(
      new CipherState(fromHex(v.keys.sk), fromHex(v.keys.ck), crypto),
    );
    let checked = 0;
    for (let i = 0; i <= last; i++) {
      const frame = enc.encrypt(plaintext);
      const want = expected.get(i);
      if (want !== undefined) {
        expect(toHex(frame), `message ${i}`).toBe(want);
        checked++;
      }
      expect(dec.decryptLength(frame.subarray(0, 18))).toBe(plaintext.length);
      expect(dec.decryptBody(frame.subarray(18))).toEqual(plaintext);
    }
    expect(checked).toBe(6);
  });

  it('the facade after the vector handshake sends the same frames', () => {
    const init = vectors.initiator[0]!;
    const t = initiatorOf(init);
    t.start();
    t.receive(fromHex(act(init, 2).input!));
    for (let i = 0; i <= last; i++) {
      const frame = t.encryptMessage(plaintext);
      const want = expected.get(i);
      if (want !== undefined) expect(toHex(frame), `message ${i}`).toBe(want);
    }
  });
});

describe('the vectors on the node-openssl backend', () => {
  for (const backend of [
    createNodeCryptoBackend({ nativeSecp256k1: false }),
    createNodeCryptoBackend(),
  ]) {
    it(`handshake and message test (${backend.name}, ${backend.secp256k1} secp256k1)`, () => {
      const init = vectors.initiator[0]!;
      const resp = vectors.responder[0]!;
      const alice = PeerTransport.initiator({
        ...nodeOptions(init, backend),
        remoteNodeId: fromHex(init.keys.rs_pub!),
        crypto: backend,
      });
      const bob = PeerTransport.responder({ ...nodeOptions(resp, backend), crypto: backend });
      const actOne = alice.start();
      expect(toHex(actOne)).toBe(act(init, 1).output);
      const actTwo = bob.receive(actOne).send;
      expect(actTwo.map(toHex)).toEqual([act(resp, 2).output]);
      const actThree = alice.receive(actTwo[0]!).send;
      expect(actThree.map(toHex)).toEqual([act(init, 3).output]);
      bob.receive(actThree[0]!);
      expect(toHex(bob.remoteNodeId!)).toBe(init.keys.ls_pub);
      const v = vectors.message_encryption[0]!;
      const expected = new Map(v.outputs.map((o) => [o.index, o.ciphertext]));
      const plaintext = fromHex(v.plaintext);
      for (let i = 0; i <= 1001; i++) {
        const frame = alice.encryptMessage(plaintext);
        const want = expected.get(i);
        if (want !== undefined) expect(toHex(frame), `message ${i}`).toBe(want);
        expect(bob.receive(frame).messages).toEqual([plaintext]);
      }
    });
  }
});
