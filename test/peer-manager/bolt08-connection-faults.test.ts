// Faulty connections (garbage, half handshakes, wrong acts, bad frames), connections to
// ourselves and duplicate connections: each is dropped alone, other peers carry on.
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { PeerTransport } from '../../src/transport/peer-transport.js';
import { fromHex } from '../../src/util/bytes.js';
import type {
  ConnectionFailedEvent,
  PeerDisconnectedEvent,
} from '../../src/peer-manager/options.js';
import { Pipe, TestSocket } from '../support/pipe.js';
import { makeNode, testEntropy, testNodeSigner } from '../support/peer-manager-nodes.js';
import { RawPeer } from '../support/peer-manager-raw-peer.js';

function watch(pm: ReturnType<typeof makeNode>['pm']): {
  failed: ConnectionFailedEvent[];
  disconnected: PeerDisconnectedEvent[];
} {
  const out = {
    failed: [] as ConnectionFailedEvent[],
    disconnected: [] as PeerDisconnectedEvent[],
  };
  pm.on('connectionFailed', (e) => out.failed.push(e));
  pm.on('peerDisconnected', (e) => out.disconnected.push(e));
  return out;
}

/** a and b connected; returns a check that they still talk (ping answered). */
function healthyPair(): {
  a: ReturnType<typeof makeNode>;
  b: ReturnType<typeof makeNode>;
  p: Pipe;
  stillTalking: () => void;
} {
  const a = makeNode('alice');
  const b = makeNode('bob');
  const p = Pipe.connect(a.pm, b.pm);
  p.pump();
  let now = 0;
  return {
    a,
    b,
    p,
    stillTalking: () => {
      a.pm.timerTickOccurred();
      a.clock.advance(++now);
      p.pump();
      expect(a.pm.getPeerNodeIds()).toEqual([b.nodeId]);
      expect(a.pm.listPeers()[0]!.lastPingRoundTripMs).toBe(now);
    },
  };
}

describe('faulty connections are dropped without affecting other peers', () => {
  it('garbage instead of act one', () => {
    const { a, stillTalking } = healthyPair();
    const w = watch(a.pm);
    const s = new TestSocket('garbage');
    a.pm.newInboundConnection(s);
    // 32 bytes: not yet a whole act one, so nothing to judge.
    expect(a.pm.readEvent(s, sha256(new Uint8Array([1])))).toBe(false);
    expect(a.pm.readEvent(s, sha256(new Uint8Array([2])))).toBe(true);
    expect(s.disconnected).toBe(true);
    expect(w.failed).toMatchObject([
      { reason: 'transportFailed', inbound: true, nodeId: undefined },
    ]);
    // Late calls about the dropped socket are ignored.
    expect(a.pm.readEvent(s, new Uint8Array(10))).toBe(true);
    a.pm.writeBufferSpaceAvail(s);
    a.pm.socketDisconnected(s);
    stillTalking();
  });

  it('garbage after the handshake (a bad frame MAC)', () => {
    const { a, stillTalking } = healthyPair();
    const w = watch(a.pm);
    const peer = RawPeer.dial(a.pm, 'raw');
    peer.connect();
    const frame = peer.transport.encryptMessage(new Uint8Array([0x80, 0x01, 9, 9]));
    frame[20]! ^= 1;
    peer.writeRaw(frame);
    expect(w.disconnected).toMatchObject([{ reason: 'transportFailed', nodeId: peer.nodeId }]);
    stillTalking();
  });

  it('a half handshake (inbound, 20 of 50 bytes) times out', () => {
    const { a, stillTalking } = healthyPair();
    const w = watch(a.pm);
    const s = new TestSocket('half');
    a.pm.newInboundConnection(s);
    const initiator = PeerTransport.initiator({
      localNodeId: testNodeSigner('raw').getNodeId(),
      ecdh: (pub) => testNodeSigner('raw').ecdh(pub),
      ephemeralSecretKey: testEntropy('half').getSecureRandomBytes(),
      remoteNodeId: fromHex(a.nodeId),
    });
    a.pm.readEvent(s, initiator.start().subarray(0, 20));
    expect(s.disconnected).toBe(false);
    stillTalking();
    stillTalking();
    expect(s.disconnected).toBe(true);
    expect(w.failed).toMatchObject([{ reason: 'initTimeout' }]);
  });

  it('a half handshake (outbound, act two never comes) times out', () => {
    const { a, stillTalking } = healthyPair();
    const w = watch(a.pm);
    const s = new TestSocket('silent');
    const target = makeNode('carol').nodeId;
    a.pm.newOutboundConnection(target, s);
    expect(s.pendingBytes).toBe(50);
    stillTalking();
    stillTalking();
    expect(s.disconnected).toBe(true);
    expect(w.failed).toMatchObject([{ reason: 'initTimeout', nodeId: target, inbound: false }]);
  });

  it('act one made for another node', () => {
    const { a, stillTalking } = healthyPair();
    const w = watch(a.pm);
    const s = new TestSocket('wrong-key');
    a.pm.newInboundConnection(s);
    const signer = testNodeSigner('raw');
    const initiator = PeerTransport.initiator({
      localNodeId: signer.getNodeId(),
      ecdh: (pub) => signer.ecdh(pub),
      ephemeralSecretKey: testEntropy('wrong').getSecureRandomBytes(),
      remoteNodeId: fromHex(makeNode('carol').nodeId),
    });
    a.pm.readEvent(s, initiator.start());
    expect(s.disconnected).toBe(true);
    expect(w.failed[0]!.reason).toBe('transportFailed');
    expect(w.failed[0]!.message).toMatch(/handshake/);
    stillTalking();
  });

  it('a corrupted act two', () => {
    const { a, stillTalking } = healthyPair();
    const w = watch(a.pm);
    const signer = testNodeSigner('raw');
    const responder = PeerTransport.responder({
      localNodeId: signer.getNodeId(),
      ecdh: (pub) => signer.ecdh(pub),
      ephemeralSecretKey: testEntropy('resp').getSecureRandomBytes(),
    });
    const s = new TestSocket('bad-act-two');
    a.pm.newOutboundConnection(makeNode('raw').nodeId, s);
    const actTwo = responder.receive(s.takeOutbox()).send[0]!;
    actTwo[49]! ^= 0xff;
    a.pm.readEvent(s, actTwo);
    expect(s.disconnected).toBe(true);
    expect(w.failed[0]!.reason).toBe('transportFailed');
    stillTalking();
  });
});

describe('connections to ourselves', () => {
  it('newOutboundConnection to our own node id throws APIMisuse', () => {
    const a = makeNode('alice');
    expect(() => a.pm.newOutboundConnection(a.nodeId, new TestSocket('self'))).toThrow(
      expect.objectContaining({ code: 'APIMisuse' }),
    );
  });

  it('an inbound peer that turns out to be ourselves is dropped', () => {
    const a = makeNode('alice');
    const w = watch(a.pm);
    const me = RawPeer.dial(a.pm, 'alice');
    expect(me.nodeId).toBe(a.nodeId);
    expect(me.pmSocket.disconnected).toBe(true);
    expect(w.failed).toMatchObject([{ reason: 'selfConnection' }]);
  });

  it('rejects malformed node ids', () => {
    const a = makeNode('alice');
    expect(() => a.pm.newOutboundConnection('02abcd', new TestSocket('x'))).toThrow(
      expect.objectContaining({ code: 'DecodeError' }),
    );
    expect(() => a.pm.newOutboundConnection('05'.repeat(33), new TestSocket('x'))).toThrow(
      expect.objectContaining({ code: 'DecodeError' }),
    );
  });

  it('refuses a descriptor already in use', () => {
    const a = makeNode('alice');
    const s = new TestSocket('dup');
    a.pm.newInboundConnection(s);
    expect(() => a.pm.newInboundConnection(s)).toThrow(
      expect.objectContaining({ code: 'APIMisuse' }),
    );
    expect(() => a.pm.readEvent(new TestSocket('never'), new Uint8Array(1))).toThrow(
      expect.objectContaining({ code: 'APIMisuse' }),
    );
  });
});

describe('duplicate connections: one per node id', () => {
  it('outbound: dialling a connected node throws APIMisuse', () => {
    const { a, b, stillTalking } = healthyPair();
    expect(() => a.pm.newOutboundConnection(b.nodeId, new TestSocket('again'))).toThrow(
      expect.objectContaining({ code: 'APIMisuse' }),
    );
    stillTalking();
  });

  it('outbound: of two pending dials to one node, the later handshake replaces the earlier', () => {
    const a = makeNode('alice');
    const b = makeNode('bob');
    const wa = watch(a.pm);
    const p1 = new Pipe(a.pm, b.pm, 'first');
    const p2 = new Pipe(a.pm, b.pm, 'second');
    b.pm.newInboundConnection(p1.b.socket);
    b.pm.newInboundConnection(p2.b.socket);
    a.pm.newOutboundConnection(b.nodeId, p1.a.socket);
    a.pm.newOutboundConnection(b.nodeId, p2.a.socket);
    p1.pump();
    p2.pump();
    p1.propagateClose();
    expect(p1.a.socket.disconnected).toBe(true);
    expect(wa.disconnected).toMatchObject([
      { reason: 'duplicateConnection', descriptorId: 'first:a' },
    ]);
    expect(a.pm.listPeers().map((x) => x.descriptorId)).toEqual(['second:a']);
    expect(b.pm.listPeers().map((x) => x.descriptorId)).toEqual(['second:b']);
  });

  it('inbound: a peer reconnecting while its old connection lingers replaces it', () => {
    const { a, b, p } = healthyPair();
    const wb = watch(b.pm);
    // a restarts and dials b again; b still holds the old connection.
    const again = RawPeer.dial(b.pm, 'alice');
    again.connect();
    expect(p.b.socket.disconnected).toBe(true);
    expect(wb.disconnected).toMatchObject([{ reason: 'duplicateConnection', nodeId: a.nodeId }]);
    expect(b.pm.listPeers().map((x) => x.descriptorId)).toEqual([again.pmSocket.id]);
  });

  for (const order of ['a-first', 'b-first'] as const) {
    it(`simultaneous dials both ways keep exactly one connection, the same on both sides (${order})`, () => {
      const a = makeNode('alice');
      const b = makeNode('bob');
      const wa = watch(a.pm);
      const wb = watch(b.pm);
      const ab = new Pipe(a.pm, b.pm, 'a-dials');
      const ba = new Pipe(b.pm, a.pm, 'b-dials');
      ab.b.pm.newInboundConnection(ab.b.socket);
      ba.b.pm.newInboundConnection(ba.b.socket);
      a.pm.newOutboundConnection(b.nodeId, ab.a.socket);
      b.pm.newOutboundConnection(a.nodeId, ba.a.socket);
      const pipes = order === 'a-first' ? [ab, ba] : [ba, ab];
      for (let i = 0; i < 6; i++) {
        for (const pipe of pipes) {
          pipe.deliver('a');
          pipe.deliver('b');
        }
      }
      for (const pipe of pipes) pipe.pump();
      for (const pipe of pipes) pipe.propagateClose();
      const keeper = a.nodeId < b.nodeId ? 'a-dials' : 'b-dials';
      expect(a.pm.listPeers().map((x) => x.descriptorId.split(':')[0])).toEqual([keeper]);
      expect(b.pm.listPeers().map((x) => x.descriptorId.split(':')[0])).toEqual([keeper]);
      const duplicateDrops = [...wa.failed, ...wa.disconnected, ...wb.failed, ...wb.disconnected]
        .filter((e) => e.reason === 'duplicateConnection')
        .map((e) => e.descriptorId.split(':')[0]);
      expect(duplicateDrops.length).toBeGreaterThan(0);
      expect(duplicateDrops.every((d) => d !== keeper)).toBe(true);
    });
  }
});
