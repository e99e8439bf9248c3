// Faulty connections on a real TCP listener: garbage, a half handshake and an act one made for
// another node are each dropped, while an established peer on the same listener carries on.
// Every wait ends on an event (a socket closing, a message arriving), bounded by a timeout.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import { fromHex } from '../../src/util/bytes.js';
import { connectOutbound, listenInbound, startBackgroundTimers } from '../../src/node/tcp.js';
import type { CustomMessageHandler } from '../../src/peer-manager/handlers.js';
import { PeerTransport } from '../../src/transport/peer-transport.js';
import { makeNode } from '../support/peer-manager-nodes.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Opens a raw socket to the listener, writes `bytes`, and resolves when the peer closes it. */
function rawConnection(port: number, bytes: Uint8Array): { closed: Promise<void>; socket: Socket } {
  const socket = connect({ host: '127.0.0.1', port });
  cleanups.push(() => {
    socket.destroy();
  });
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.write(bytes));
  const closed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('the listener did not close the faulty connection within 10 s'));
    }, 10_000);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return { closed, socket };
}

function inbox(): CustomMessageHandler & { received: string[]; next(): Promise<string> } {
  const received: string[] = [];
  let waiter: ((text: string) => void) | undefined;
  return {
    received,
    handleCustomMessage(_nodeId, _type, payload) {
      const text = new TextDecoder().decode(payload);
      received.push(text);
      waiter?.(text);
      waiter = undefined;
    },
    next() {
      return new Promise((resolve) => (waiter = resolve));
    },
  };
}

describe('TCP listener faults', () => {
  it('drops garbage, a half handshake and a wrong act one without affecting a live peer', async () => {
    const bobInbox = inbox();
    const alice = makeNode('alice', { now: () => Date.now() });
    const bob = makeNode('bob', { customMessageHandler: bobInbox, now: () => Date.now() });
    const listener = await listenInbound(bob.pm, {
      host: '127.0.0.1',
      port: 0,
      handshakeTimeoutMs: 300,
    });
    cleanups.push(() => listener.close());
    const stopTimers = [
      startBackgroundTimers(alice.pm, 60_000),
      startBackgroundTimers(bob.pm, 60_000),
    ];
    cleanups.push(() => {
      for (const stop of stopTimers) stop();
    });
    cleanups.push(() => {
      alice.pm.disconnectAllPeers();
      bob.pm.disconnectAllPeers();
    });
    await connectOutbound(alice.pm, { host: '127.0.0.1', port: listener.port, nodeId: bob.nodeId });

    const say = async (text: string): Promise<void> => {
      const got = bobInbox.next();
      await alice.pm.sendCustomMessage(bob.nodeId, 32769, new TextEncoder().encode(text));
      expect(await got).toBe(text);
    };
    await say('before the faults');

    // 1. Fifty bytes of garbage instead of act one.
    const garbage = rawConnection(listener.port, new Uint8Array(50).fill(0xab));
    // 2. The first 20 bytes of a valid act one, then nothing: the handshake timeout closes it.
    const otherKey = nobleBackend.sha256(new TextEncoder().encode('a stranger'));
    const toBob = PeerTransport.initiator({
      localNodeId: nobleBackend.getPublicKey(otherKey),
      ecdh: (pub) => nobleBackend.ecdh(otherKey, pub),
      ephemeralSecretKey: nobleBackend.sha256(new TextEncoder().encode('ephemeral 1')),
      remoteNodeId: fromHex(bob.nodeId, 33),
    });
    const half = rawConnection(listener.port, toBob.start().slice(0, 20));
    // 3. A whole act one made for a different node id: its MAC cannot verify at Bob.
    const toSomeoneElse = PeerTransport.initiator({
      localNodeId: nobleBackend.getPublicKey(otherKey),
      ecdh: (pub) => nobleBackend.ecdh(otherKey, pub),
      ephemeralSecretKey: nobleBackend.sha256(new TextEncoder().encode('ephemeral 2')),
      remoteNodeId: fromHex(alice.nodeId, 33),
    });
    const wrongAct = rawConnection(listener.port, toSomeoneElse.start());

    await Promise.all([garbage.closed, half.closed, wrongAct.closed]);

    // The live peer is untouched: still the only peer, still talking both ways.
    expect(bob.pm.getPeerNodeIds()).toEqual([alice.nodeId]);
    expect(alice.pm.getPeerNodeIds()).toEqual([bob.nodeId]);
    await say('after the faults');
    expect(bobInbox.received).toEqual(['before the faults', 'after the faults']);
  });
});
