// listPeers statistics, connect/disconnect events and logging with the peer in context.
import { describe, expect, it } from 'vitest';
import type { CustomMessageHandler } from '../../src/peer-manager/handlers.js';
import type {
  ConnectionFailedEvent,
  PeerConnectedEvent,
  PeerDisconnectedEvent,
} from '../../src/peer-manager/options.js';
import { ourInitFeatures } from '../../src/wire/our-features.js';
import type { NetAddress } from '../../src/wire/address.js';
import { Pipe, TestSocket } from '../support/pipe.js';
import { PeerManager } from '../../src/peer-manager/peer-manager.js';
import { makeNode, testEntropy, testNodeSigner } from '../support/peer-manager-nodes.js';
import { RawPeer } from '../support/peer-manager-raw-peer.js';

const addrOfB: NetAddress = { type: 'dns', hostname: 'bob.example.org', port: 9735 };

describe('listPeers', () => {
  it('gives a statistics snapshot of each connected peer', async () => {
    const a = makeNode('alice');
    const b = makeNode('bob');
    const p = new Pipe(a.pm, b.pm);
    b.pm.newInboundConnection(p.b.socket);
    a.clock.advance(500);
    a.pm.newOutboundConnection(b.nodeId, p.a.socket, addrOfB);
    p.pump();
    const connectedAt = a.clock.ms;
    a.pm.timerTickOccurred();
    a.clock.advance(12);
    p.pump();
    const sent = a.pm.sendCustomMessage(b.nodeId, 32769, new Uint8Array(100));
    p.pump();
    await sent;

    const [fromA] = a.pm.listPeers();
    const [fromB] = b.pm.listPeers();
    expect(fromA).toMatchObject({
      nodeId: b.nodeId,
      descriptorId: 'pipe:a',
      inbound: false,
      address: addrOfB,
      connectedSinceMs: connectedAt,
      lastPingRoundTripMs: 12,
      // init, ping, custom out; init, pong in
      messagesOut: 3,
      messagesIn: 2,
      queuedMessages: 0,
      queuedBytes: 0,
      readPaused: false,
    });
    expect(fromA!.features.equals(ourInitFeatures)).toBe(true);
    expect(fromA!.negotiatedFeatures.names()).toContain('basic_mpp');
    expect(fromB).toMatchObject({ nodeId: a.nodeId, inbound: true, messagesIn: 3, messagesOut: 2 });
    // What one side wrote is what the other read, handshake included.
    expect(fromA!.bytesOut).toBe(fromB!.bytesIn);
    expect(fromB!.bytesOut).toBe(fromA!.bytesIn);
    expect(fromA!.bytesOut).toBeGreaterThan(50 + 66 + 100);
  });

  it('lists only peers that completed init', () => {
    const a = makeNode('alice');
    a.pm.newInboundConnection(new TestSocket('pending'));
    a.pm.newOutboundConnection(makeNode('bob').nodeId, new TestSocket('dialling'));
    expect(a.pm.listPeers()).toEqual([]);
    expect(a.pm.getPeerNodeIds()).toEqual([]);
  });
});

describe('events', () => {
  it('peerConnected and peerDisconnected with a reason, on both sides', () => {
    const a = makeNode('alice');
    const b = makeNode('bob');
    const log: string[] = [];
    const record =
      (who: string) =>
      (e: PeerConnectedEvent | PeerDisconnectedEvent): void => {
        log.push(`${who} ${'reason' in e ? `disconnected ${e.reason}` : 'connected'}`);
      };
    a.pm.on('peerConnected', record('a'));
    b.pm.on('peerConnected', record('b'));
    a.pm.on('peerDisconnected', record('a'));
    b.pm.on('peerDisconnected', record('b'));
    const p = Pipe.connect(a.pm, b.pm);
    p.pump();
    a.pm.disconnectByNodeId(b.nodeId);
    p.pump();
    expect(log.sort()).toEqual(
      [
        'a connected',
        'b connected',
        'a disconnected hostRequest',
        'b disconnected socketClosed',
      ].sort(),
    );
    expect(p.a.socket.disconnected).toBe(true);
  });

  it('disconnectAllPeers drops connected peers and handshakes alike', () => {
    const a = makeNode('alice');
    const b = makeNode('bob');
    const failed: ConnectionFailedEvent[] = [];
    const disconnected: PeerDisconnectedEvent[] = [];
    a.pm.on('connectionFailed', (e) => failed.push(e));
    a.pm.on('peerDisconnected', (e) => disconnected.push(e));
    Pipe.connect(a.pm, b.pm).pump();
    const pending = new TestSocket('pending');
    a.pm.newInboundConnection(pending);
    a.pm.disconnectAllPeers();
    expect(disconnected).toMatchObject([{ nodeId: b.nodeId, reason: 'hostRequest' }]);
    expect(failed).toMatchObject([{ descriptorId: 'pending', reason: 'hostRequest' }]);
    expect(pending.disconnected).toBe(true);
    expect(a.pm.listPeers()).toEqual([]);
  });

  it('disconnectByNodeId also stops a dial still in its handshake', () => {
    const a = makeNode('alice');
    const target = makeNode('bob').nodeId;
    const s = new TestSocket('dialling');
    a.pm.newOutboundConnection(target, s);
    a.pm.disconnectByNodeId(target);
    expect(s.disconnected).toBe(true);
  });

  it('a socket whose sendData throws is dropped once, with reason socketError', () => {
    const a = makeNode('alice');
    const b = makeNode('bob');
    const disconnected: PeerDisconnectedEvent[] = [];
    a.pm.on('peerDisconnected', (e) => disconnected.push(e));
    const p = Pipe.connect(a.pm, b.pm);
    p.pump();
    p.a.socket.sendData = () => {
      throw new Error('socket exploded');
    };
    a.pm.timerTickOccurred(); // the ping write throws
    expect(disconnected).toMatchObject([{ reason: 'socketError' }]);
    expect(a.pm.listPeers()).toEqual([]);
  });

  it('a throwing socket while sending a last warning still ends the connection once', () => {
    const a = makeNode('alice');
    const disconnected: PeerDisconnectedEvent[] = [];
    a.pm.on('peerDisconnected', (e) => disconnected.push(e));
    const peer = RawPeer.dial(a.pm, 'raw');
    peer.connect();
    peer.pmSocket.sendData = () => {
      throw new Error('socket exploded');
    };
    // An unknown even type earns a warning; writing it throws.
    peer.send({ kind: 'unknown', type: 40000, payload: new Uint8Array(0) });
    expect(disconnected).toMatchObject([{ reason: 'socketError' }]);
    expect(a.pm.listPeers()).toEqual([]);
  });

  it('listeners may call back into the manager', async () => {
    const got: string[] = [];
    const handler: CustomMessageHandler = {
      handleCustomMessage: (_n, _t, payload) => got.push(new TextDecoder().decode(payload)),
    };
    const a = makeNode('alice');
    const b = makeNode('bob', { customMessageHandler: handler });
    const sends: Array<Promise<void>> = [];
    a.pm.on('peerConnected', (e) => {
      sends.push(a.pm.sendCustomMessage(e.nodeId, 32769, new TextEncoder().encode('welcome')));
    });
    Pipe.connect(a.pm, b.pm).pump();
    await Promise.all(sends);
    expect(got).toEqual(['welcome']);
  });
});

describe('logging', () => {
  it('logs through the host logger, with the peer in context', () => {
    const a = makeNode('alice');
    const b = makeNode('bob');
    const p = Pipe.connect(a.pm, b.pm);
    p.pump();
    a.pm.disconnectByNodeId(b.nodeId);
    expect(a.logger.records.length).toBeGreaterThan(0);
    expect(a.logger.records.every((r) => r.module === 'peer-manager')).toBe(true);
    const aboutB = a.logger.records.filter((r) => r.peerId === b.nodeId);
    expect(aboutB.map((r) => r.level)).toContain('info');
    expect(aboutB.some((r) => /connected \(outbound\)/.test(r.message))).toBe(true);
    expect(aboutB.some((r) => /disconnected \(hostRequest\)/.test(r.message))).toBe(true);
  });

  it('runs silently without a logger', () => {
    const pm = new PeerManager({
      nodeSigner: testNodeSigner('alice'),
      entropySource: testEntropy('alice'),
    });
    const b = makeNode('bob');
    Pipe.connect(pm, b.pm).pump();
    expect(pm.getPeerNodeIds()).toEqual([b.nodeId]);
  });
});
