// BOLT 8 handshake and BOLT 1 init exchange between PeerManagers, through in-memory pipes.
import { describe, expect, it } from 'vitest';
import { chainHashOf } from '../../src/peer-manager/chain-hash.js';
import type {
  ConnectionFailedEvent,
  PeerConnectedEvent,
  PeerDisconnectedEvent,
} from '../../src/peer-manager/options.js';
import { Features } from '../../src/wire/features.js';
import { ourInitFeatures } from '../../src/wire/our-features.js';
import type { NetAddress } from '../../src/wire/address.js';
import { Pipe } from '../support/pipe.js';
import { makeNode } from '../support/peer-manager-nodes.js';
import { RawPeer } from '../support/peer-manager-raw-peer.js';

const text = new TextDecoder();

function events(pm: ReturnType<typeof makeNode>['pm']): {
  connected: PeerConnectedEvent[];
  disconnected: PeerDisconnectedEvent[];
  failed: ConnectionFailedEvent[];
} {
  const out = {
    connected: [] as PeerConnectedEvent[],
    disconnected: [] as PeerDisconnectedEvent[],
    failed: [] as ConnectionFailedEvent[],
  };
  pm.on('peerConnected', (e) => out.connected.push(e));
  pm.on('peerDisconnected', (e) => out.disconnected.push(e));
  pm.on('connectionFailed', (e) => out.failed.push(e));
  return out;
}

const publicV4: NetAddress = { type: 'ipv4', addr: new Uint8Array([203, 0, 113, 5]), port: 9735 };
const loopback: NetAddress = { type: 'ipv4', addr: new Uint8Array([127, 0, 0, 1]), port: 9735 };

describe('BOLT 8 handshake and BOLT 1 init', () => {
  for (const chunk of [Number.POSITIVE_INFINITY, 1, 7, 50]) {
    it(`connects both ways with bytes delivered in ${chunk}-byte reads`, () => {
      const a = makeNode('alice');
      const b = makeNode('bob');
      const ea = events(a.pm);
      const eb = events(b.pm);
      Pipe.connect(a.pm, b.pm).pump(chunk);
      expect(a.pm.getPeerNodeIds()).toEqual([b.nodeId]);
      expect(b.pm.getPeerNodeIds()).toEqual([a.nodeId]);
      expect(ea.connected).toHaveLength(1);
      expect(ea.connected[0]).toMatchObject({ nodeId: b.nodeId, inbound: false });
      expect(eb.connected[0]).toMatchObject({ nodeId: a.nodeId, inbound: true });
      expect(ea.connected[0]!.features.equals(ourInitFeatures)).toBe(true);
      expect(ea.connected[0]!.negotiatedFeatures.supports('option_static_remotekey')).toBe(true);
    });
  }

  it('sends init first, with our features and our chain in networks', () => {
    const a = makeNode('alice');
    const peer = RawPeer.dial(a.pm, 'raw');
    const first = peer.pull();
    expect(first).toHaveLength(1);
    const init = peer.ofType('init')[0]!;
    expect(Features.fromInit(init.globalFeatures, init.features).equals(ourInitFeatures)).toBe(
      true,
    );
    expect(init.networks).toEqual([chainHashOf('bitcoin')]);
    // globalfeatures carries only bits 0-13 (BOLT 1).
    expect(
      Features.fromBytes(init.globalFeatures)
        .bits()
        .every((b) => b <= 13),
    ).toBe(true);
    expect(init.remoteAddr).toBeUndefined();
  });

  it('uses the configured chain hash (regtest)', () => {
    const a = makeNode('alice', { chainHash: chainHashOf('regtest') });
    const peer = RawPeer.dial(a.pm, 'raw');
    peer.pull();
    expect(peer.ofType('init')[0]!.networks).toEqual([chainHashOf('regtest')]);
  });

  it('reports the peer address in remote_addr and records the one the peer reports', () => {
    const a = makeNode('alice');
    const b = makeNode('bob');
    const p = new Pipe(a.pm, b.pm);
    b.pm.newInboundConnection(p.b.socket, publicV4);
    a.pm.newOutboundConnection(b.nodeId, p.a.socket, {
      type: 'ipv4',
      addr: new Uint8Array([198, 51, 100, 7]),
      port: 9735,
    });
    p.pump();
    const [seenByA] = a.pm.listPeers();
    expect(seenByA!.ourAddressSeenByPeer).toEqual(publicV4);
    expect(b.pm.listPeers()[0]!.ourAddressSeenByPeer).toEqual({
      type: 'ipv4',
      addr: new Uint8Array([198, 51, 100, 7]),
      port: 9735,
    });
    expect(b.pm.listPeers()[0]!.address).toEqual(publicV4);
  });

  it('does not report private addresses unless told to', () => {
    const a = makeNode('alice');
    const b = makeNode('bob', { sendPrivateRemoteAddress: true });
    const p1 = new Pipe(a.pm, b.pm);
    b.pm.newInboundConnection(p1.b.socket, loopback);
    a.pm.newOutboundConnection(b.nodeId, p1.a.socket, loopback);
    p1.pump();
    // b may report loopback; a may not.
    expect(a.pm.listPeers()[0]!.ourAddressSeenByPeer).toEqual(loopback);
    expect(b.pm.listPeers()[0]!.ourAddressSeenByPeer).toBeUndefined();
  });

  it('drops a peer that requires an unknown even feature, with a warning first', () => {
    const a = makeNode('alice');
    const ea = events(a.pm);
    const peer = RawPeer.dial(a.pm, 'raw');
    peer.connect({ features: ourInitFeatures.set(100).toBytes() });
    expect(peer.pmSocket.disconnected).toBe(true);
    const warning = peer.ofType('warning')[0]!;
    expect(warning.channelId).toEqual(new Uint8Array(32));
    expect(text.decode(warning.data)).toMatch(/100/);
    expect(ea.failed).toMatchObject([{ reason: 'incompatibleFeatures', nodeId: peer.nodeId }]);
    expect(ea.connected).toHaveLength(0);
    expect(a.pm.listPeers()).toEqual([]);
  });

  it('drops a peer that requires an unknown even feature in globalfeatures too', () => {
    const a = makeNode('alice');
    const ea = events(a.pm);
    const peer = RawPeer.dial(a.pm, 'raw');
    peer.connect({ globalFeatures: Features.fromBits([10]).toBytes() });
    expect(ea.failed[0]!.reason).toBe('incompatibleFeatures');
  });

  it('ignores unknown odd features', () => {
    const a = makeNode('alice');
    const peer = RawPeer.dial(a.pm, 'raw');
    peer.connect({ features: ourInitFeatures.set(101).toBytes() });
    expect(a.pm.getPeerNodeIds()).toEqual([peer.nodeId]);
    expect(a.pm.listPeers()[0]!.features.has(101)).toBe(true);
  });

  it('drops a peer whose features miss a dependency', () => {
    const a = makeNode('alice');
    const ea = events(a.pm);
    const peer = RawPeer.dial(a.pm, 'raw');
    // option_simple_close (61, optional) depends on option_shutdown_anysegwit (26/27).
    peer.connect({ features: Features.fromBits([9, 61]).toBytes() });
    expect(ea.failed[0]!.reason).toBe('incompatibleFeatures');
    expect(text.decode(peer.ofType('warning')[0]!.data)).toMatch(/option_simple_close/);
  });

  it('feature rejection between two managers: both sides end the connection', () => {
    const a = makeNode('alice', { initFeatures: ourInitFeatures.set(200) });
    const b = makeNode('bob');
    const eb = events(b.pm);
    const ea = events(a.pm);
    const p = Pipe.connect(a.pm, b.pm);
    p.pump();
    expect(eb.failed[0]!.reason).toBe('incompatibleFeatures');
    // a received b's warning after b's init, then its socket closed.
    expect(ea.connected).toHaveLength(1);
    expect(ea.disconnected[0]!.reason).toBe('socketClosed');
    expect(a.logger.records.some((r) => r.level === 'warn' && /warning/.test(r.message))).toBe(
      true,
    );
  });

  it('drops a peer on another chain, with a warning', () => {
    const a = makeNode('alice');
    const ea = events(a.pm);
    const peer = RawPeer.dial(a.pm, 'raw');
    peer.connect({ networks: [chainHashOf('testnet'), chainHashOf('regtest')] });
    expect(ea.failed[0]!.reason).toBe('incompatibleChain');
    expect(text.decode(peer.ofType('warning')[0]!.data)).toMatch(/chain/);
  });

  it('wrong chain between two managers', () => {
    const a = makeNode('alice', { chainHash: chainHashOf('regtest') });
    const b = makeNode('bob');
    const ea = events(a.pm);
    const eb = events(b.pm);
    Pipe.connect(a.pm, b.pm).pump();
    expect(ea.failed[0]?.reason ?? ea.disconnected[0]?.reason).toBe('incompatibleChain');
    expect(eb.failed.length + eb.disconnected.length).toBe(1);
    expect(a.pm.listPeers()).toEqual([]);
    expect(b.pm.listPeers()).toEqual([]);
  });

  it('accepts a peer that lists several networks including ours, or none at all', () => {
    const a = makeNode('alice');
    const p1 = RawPeer.dial(a.pm, 'raw1');
    p1.connect({ networks: [chainHashOf('testnet'), chainHashOf('bitcoin')] });
    const p2 = RawPeer.dial(a.pm, 'raw2');
    const { networks: _omit, ...noNetworks } = {
      type: 'init' as const,
      globalFeatures: new Uint8Array(0),
      features: ourInitFeatures.toBytes(),
      networks: undefined,
    };
    p2.send(noNetworks);
    p2.pull();
    expect(a.pm.getPeerNodeIds().sort()).toEqual([p1.nodeId, p2.nodeId].sort());
  });

  it('drops a peer whose first message is not init (and sends nothing before its init)', () => {
    const a = makeNode('alice');
    const ea = events(a.pm);
    const peer = RawPeer.dial(a.pm, 'raw');
    peer.pull(); // our init
    peer.send({ type: 'ping', numPongBytes: 4, ignored: new Uint8Array(0) });
    peer.pull();
    expect(peer.pmSocket.disconnected).toBe(true);
    expect(ea.failed[0]!.reason).toBe('protocolViolation');
    expect(peer.received.map((m) => ('kind' in m ? m.type : m.type))).toEqual(['init']);
  });

  it('drops a peer that sends init twice', () => {
    const a = makeNode('alice');
    const ea = events(a.pm);
    const peer = RawPeer.dial(a.pm, 'raw');
    peer.connect();
    peer.sendInit();
    expect(ea.disconnected[0]!.reason).toBe('protocolViolation');
  });

  it('drops a connection whose init does not arrive within initTimeoutTicks', () => {
    const a = makeNode('alice', { limits: { initTimeoutTicks: 3 } });
    const ea = events(a.pm);
    const peer = RawPeer.dial(a.pm, 'raw');
    a.pm.timerTickOccurred();
    a.pm.timerTickOccurred();
    expect(peer.pmSocket.disconnected).toBe(false);
    a.pm.timerTickOccurred();
    expect(peer.pmSocket.disconnected).toBe(true);
    expect(ea.failed[0]).toMatchObject({ reason: 'initTimeout', nodeId: peer.nodeId });
  });

  it('connected peers are not subject to the init timeout', () => {
    const a = makeNode('alice');
    const b = makeNode('bob');
    const p = Pipe.connect(a.pm, b.pm);
    p.pump();
    for (let i = 0; i < 5; i++) {
      a.pm.timerTickOccurred();
      b.pm.timerTickOccurred();
      p.pump();
    }
    expect(a.pm.getPeerNodeIds()).toEqual([b.nodeId]);
  });
});
