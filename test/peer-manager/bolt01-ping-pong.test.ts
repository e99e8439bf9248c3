// BOLT 1 "The ping and pong Messages": keep-alive driven by timer ticks, answers, and timeouts.
import { describe, expect, it } from 'vitest';
import type { PeerDisconnectedEvent } from '../../src/peer-manager/options.js';
import { Pipe } from '../support/pipe.js';
import { makeNode } from '../support/peer-manager-nodes.js';
import { RawPeer } from '../support/peer-manager-raw-peer.js';

function connectedRaw(seed = 'raw'): {
  node: ReturnType<typeof makeNode>;
  peer: RawPeer;
  disconnected: PeerDisconnectedEvent[];
} {
  const node = makeNode('alice');
  const disconnected: PeerDisconnectedEvent[] = [];
  node.pm.on('peerDisconnected', (e) => disconnected.push(e));
  const peer = RawPeer.dial(node.pm, seed);
  peer.connect();
  return { node, peer, disconnected };
}

describe('BOLT 1 ping and pong', () => {
  it('pings on each tick and records the round trip from the host clock, both ways', () => {
    const a = makeNode('alice');
    const b = makeNode('bob');
    const p = Pipe.connect(a.pm, b.pm);
    p.pump();
    a.pm.timerTickOccurred();
    b.pm.timerTickOccurred();
    a.clock.advance(40);
    b.clock.advance(15);
    p.pump();
    expect(a.pm.listPeers()[0]!.lastPingRoundTripMs).toBe(40);
    expect(b.pm.listPeers()[0]!.lastPingRoundTripMs).toBe(15);
    // The next tick pings again rather than timing out.
    a.pm.timerTickOccurred();
    a.clock.advance(7);
    p.pump();
    expect(a.pm.listPeers()[0]!.lastPingRoundTripMs).toBe(7);
    expect(a.pm.getPeerNodeIds()).toEqual([b.nodeId]);
  });

  it('without a host clock there is no round trip figure, but keep-alive still works', () => {
    const a = makeNode('alice', {}, true);
    const b = makeNode('bob');
    const p = Pipe.connect(a.pm, b.pm);
    p.pump();
    a.pm.timerTickOccurred();
    p.pump();
    a.pm.timerTickOccurred();
    p.pump();
    const [peer] = a.pm.listPeers();
    expect(peer!.lastPingRoundTripMs).toBeUndefined();
    expect(peer!.connectedSinceMs).toBeUndefined();
  });

  it('sends small pings whose sizes come from the entropy source', () => {
    const { node, peer } = connectedRaw();
    for (let i = 0; i < 6; i++) {
      node.pm.timerTickOccurred();
      peer.pull();
      const ping = peer.ofType('ping').at(-1)!;
      expect(ping.numPongBytes).toBeLessThan(64);
      expect(ping.ignored.every((x) => x === 0)).toBe(true);
      peer.send({ type: 'pong', ignored: new Uint8Array(ping.numPongBytes) });
    }
    const sizes = new Set(peer.ofType('ping').map((p) => p.numPongBytes));
    expect(sizes.size).toBeGreaterThan(1);
  });

  it('answers a ping with num_pong_bytes zero bytes', () => {
    const { peer } = connectedRaw();
    for (const n of [0, 1, 100, 65531]) {
      peer.send({ type: 'ping', numPongBytes: n, ignored: new Uint8Array(3) });
      const got = peer.pull();
      expect(got).toHaveLength(1);
      const pong = peer.ofType('pong').at(-1)!;
      expect(pong.ignored.length).toBe(n);
      expect(pong.ignored.every((x) => x === 0)).toBe(true);
    }
  });

  it('does not answer a ping with num_pong_bytes of 65532 or more', () => {
    const { node, peer } = connectedRaw();
    for (const n of [65532, 65533, 65535]) {
      peer.send({ type: 'ping', numPongBytes: n, ignored: new Uint8Array(0) });
      expect(peer.pull()).toEqual([]);
    }
    expect(node.pm.getPeerNodeIds()).toEqual([peer.nodeId]);
  });

  it('ignores an unsolicited pong', () => {
    const { node, peer, disconnected } = connectedRaw();
    peer.send({ type: 'pong', ignored: new Uint8Array(12) });
    peer.pull();
    expect(disconnected).toEqual([]);
    expect(node.logger.records.some((r) => /unsolicited pong/.test(r.message))).toBe(true);
    expect(node.pm.listPeers()[0]!.lastPingRoundTripMs).toBeUndefined();
  });

  it('a pong of the wrong length does not answer our ping', () => {
    const { node, peer, disconnected } = connectedRaw();
    node.pm.timerTickOccurred();
    peer.pull();
    const ping = peer.ofType('ping')[0]!;
    peer.send({ type: 'pong', ignored: new Uint8Array(ping.numPongBytes + 1) });
    node.pm.timerTickOccurred();
    expect(disconnected[0]!.reason).toBe('pingTimeout');
  });

  it('drops a peer that has not answered by the next tick', () => {
    const { node, peer, disconnected } = connectedRaw();
    node.pm.timerTickOccurred();
    expect(peer.pull().map((m) => ('kind' in m ? m.type : m.type))).toEqual(['ping']);
    expect(peer.pmSocket.disconnected).toBe(false);
    node.pm.timerTickOccurred();
    expect(peer.pmSocket.disconnected).toBe(true);
    expect(disconnected).toMatchObject([{ nodeId: peer.nodeId, reason: 'pingTimeout' }]);
    expect(node.pm.listPeers()).toEqual([]);
  });

  it('waits pingTimeoutTicks ticks when configured', () => {
    const node = makeNode('alice', { limits: { pingTimeoutTicks: 3 } });
    const peer = RawPeer.dial(node.pm, 'raw');
    peer.connect();
    node.pm.timerTickOccurred(); // ping
    node.pm.timerTickOccurred();
    node.pm.timerTickOccurred();
    expect(peer.pmSocket.disconnected).toBe(false);
    node.pm.timerTickOccurred();
    expect(peer.pmSocket.disconnected).toBe(true);
  });

  it('keep-alive between two managers: a peer that stops answering is dropped', () => {
    const a = makeNode('alice');
    const b = makeNode('bob');
    const p = Pipe.connect(a.pm, b.pm);
    p.pump();
    a.pm.timerTickOccurred();
    p.deliver('a'); // b receives the ping, answers, but the pong never reaches a
    a.pm.timerTickOccurred();
    expect(p.a.socket.disconnected).toBe(true);
    p.propagateClose();
    expect(b.pm.getPeerNodeIds()).toEqual([]);
  });
});
