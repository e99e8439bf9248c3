// The Node TCP adapters: two boltkit nodes over real TCP on 127.0.0.1. Every wait is bounded
// by an event (a message arriving, a peer connecting or leaving), never by a sleep.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectOutbound,
  listenInbound,
  startBackgroundTimers,
  type InboundListener,
} from '../../src/node/tcp.js';
import { netAddressOf } from '../../src/node/net-address.js';
import type { CustomMessageHandler } from '../../src/peer-manager/handlers.js';
import type { PeerManager } from '../../src/peer-manager/peer-manager.js';
import type { PeerDisconnectedEvent } from '../../src/peer-manager/options.js';
import { makeNode } from '../support/peer-manager-nodes.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A custom handler that resolves waiters as messages arrive. */
class Inbox implements CustomMessageHandler {
  readonly messages: Array<{ nodeId: string; type: number; payload: Uint8Array }> = [];
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  onMessage: ((nodeId: string, type: number, payload: Uint8Array) => void) | undefined;
  handleCustomMessage(nodeId: string, type: number, payload: Uint8Array): void {
    this.messages.push({ nodeId, type, payload });
    this.onMessage?.(nodeId, type, payload);
    this.waiters = this.waiters.filter((w) => {
      if (this.messages.length < w.n) return true;
      w.resolve();
      return false;
    });
  }
  /** Resolves once `n` messages in total have arrived. */
  waitFor(n: number): Promise<void> {
    if (this.messages.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}

function nextDisconnect(pm: PeerManager): Promise<PeerDisconnectedEvent> {
  return new Promise((resolve) => pm.once('peerDisconnected', resolve));
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tcpNode(seed: string): ReturnType<typeof makeNode> & { inbox: Inbox } {
  const inbox = new Inbox();
  const node = makeNode(seed, { customMessageHandler: inbox, now: () => Date.now() });
  const stop = startBackgroundTimers(node.pm, 60_000);
  cleanups.push(() => {
    node.pm.disconnectAllPeers();
    stop();
  });
  return { ...node, inbox };
}

async function listen(pm: PeerManager): Promise<InboundListener> {
  const l = await listenInbound(pm, { host: '127.0.0.1', port: 0 });
  cleanups.push(() => l.close());
  return l;
}

describe('Node TCP adapters', () => {
  it('connects two nodes, exchanges custom messages both ways, pings, disconnects', async () => {
    const a = tcpNode('alice');
    const b = tcpNode('bob');
    const listener = await listen(b.pm);
    const conn = await connectOutbound(a.pm, {
      host: '127.0.0.1',
      port: listener.port,
      nodeId: b.nodeId,
    });
    expect(conn.nodeId).toBe(b.nodeId);
    expect(conn.remoteAddress).toEqual(netAddressOf('127.0.0.1', listener.port));
    expect(a.pm.getPeerNodeIds()).toEqual([b.nodeId]);
    // b learns of the connection once a's init arrives; a custom message proves it.
    b.inbox.onMessage = (nodeId, type, payload) => {
      void b.pm.sendCustomMessage(nodeId, type + 2, enc.encode(`re: ${dec.decode(payload)}`));
    };
    // A tick pings b; TCP keeps order, so b's pong reaches a before b's reply below.
    a.pm.timerTickOccurred();
    await a.pm.sendCustomMessage(b.nodeId, 32769, enc.encode('hello over TCP'));
    await a.inbox.waitFor(1);
    expect(b.inbox.messages.map((m) => dec.decode(m.payload))).toEqual(['hello over TCP']);
    expect(a.inbox.messages).toMatchObject([{ nodeId: b.nodeId, type: 32771 }]);
    expect(dec.decode(a.inbox.messages[0]!.payload)).toBe('re: hello over TCP');
    const [stats] = a.pm.listPeers();
    expect(stats!.lastPingRoundTripMs).toBeGreaterThanOrEqual(0);
    expect(stats!.bytesOut).toBeGreaterThan(0);
    expect(b.pm.listPeers()[0]!.inbound).toBe(true);

    const gone = nextDisconnect(b.pm);
    conn.close();
    expect((await gone).reason).toBe('socketClosed');
    expect(a.pm.listPeers()).toEqual([]);
  }, 15_000);

  it('carries many large messages through socket backpressure, in order', async () => {
    const a = tcpNode('alice');
    const b = tcpNode('bob');
    const listener = await listen(b.pm);
    await connectOutbound(a.pm, { host: '127.0.0.1', port: listener.port, nodeId: b.nodeId });
    const count = 60;
    const sends: Array<Promise<void>> = [];
    for (let i = 0; i < count; i++) {
      sends.push(a.pm.sendCustomMessage(b.nodeId, 32769, new Uint8Array(60_000).fill(i)));
    }
    await Promise.all(sends);
    await b.inbox.waitFor(count);
    expect(b.inbox.messages.map((m) => m.payload[59_999])).toEqual(
      Array.from({ length: count }, (_, i) => i),
    );
  }, 15_000);

  it('closing the listener disconnects its peers', async () => {
    const a = tcpNode('alice');
    const b = tcpNode('bob');
    const listener = await listen(b.pm);
    await connectOutbound(a.pm, { host: '127.0.0.1', port: listener.port, nodeId: b.nodeId });
    const gone = nextDisconnect(a.pm);
    await listener.close();
    expect((await gone).reason).toBe('socketClosed');
    expect(b.pm.listPeers()).toEqual([]);
  }, 15_000);

  it('fails with ConnectionFailed when nothing listens', async () => {
    const a = tcpNode('alice');
    const b = tcpNode('bob');
    const listener = await listenInbound(b.pm, { host: '127.0.0.1', port: 0 });
    await listener.close();
    await expect(
      connectOutbound(a.pm, { host: '127.0.0.1', port: listener.port, nodeId: b.nodeId }),
    ).rejects.toMatchObject({ code: 'ConnectionFailed', failure: 'socketError' });
  }, 15_000);

  it('fails when the node behind the port is not the one we asked for', async () => {
    const a = tcpNode('alice');
    const b = tcpNode('bob');
    const carol = makeNode('carol');
    const listener = await listen(b.pm);
    await expect(
      connectOutbound(a.pm, { host: '127.0.0.1', port: listener.port, nodeId: carol.nodeId }),
    ).rejects.toMatchObject({ code: 'ConnectionFailed', failure: 'rejected' });
    expect(a.pm.listPeers()).toEqual([]);
  }, 15_000);

  it('times out a handshake the other side never answers', async () => {
    const a = tcpNode('alice');
    const accepted: Socket[] = [];
    const silent: Server = createServer((s) => {
      // Accepts TCP and reads (so it sees our FIN), but never says anything.
      accepted.push(s);
      s.resume();
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const s of accepted) s.destroy();
          silent.close(() => r());
        }),
    );
    const address = silent.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const closing = new Promise<void>((r) => silent.once('connection', (s) => s.once('close', r)));
    await expect(
      connectOutbound(a.pm, {
        host: '127.0.0.1',
        port,
        nodeId: makeNode('bob').nodeId,
        handshakeTimeoutMs: 200,
      }),
    ).rejects.toMatchObject({ code: 'ConnectionFailed', failure: 'handshakeTimeout' });
    await closing; // our side closed the socket
  }, 15_000);

  it('refuses to dial ourselves', async () => {
    const a = tcpNode('alice');
    const listener = await listen(a.pm);
    await expect(
      connectOutbound(a.pm, { host: '127.0.0.1', port: listener.port, nodeId: a.nodeId }),
    ).rejects.toMatchObject({ code: 'APIMisuse' });
  }, 15_000);
});

describe('netAddressOf', () => {
  it('maps Node address strings to address descriptors', () => {
    expect(netAddressOf('203.0.113.5', 9735)).toEqual({
      type: 'ipv4',
      addr: new Uint8Array([203, 0, 113, 5]),
      port: 9735,
    });
    expect(netAddressOf('::ffff:198.51.100.7', 1)).toEqual({
      type: 'ipv4',
      addr: new Uint8Array([198, 51, 100, 7]),
      port: 1,
    });
    const v6 = netAddressOf('2001:db8::1', 9735);
    expect(v6).toEqual({
      type: 'ipv6',
      addr: new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
      port: 9735,
    });
    expect(netAddressOf('::1', 5)).toEqual({
      type: 'ipv6',
      addr: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
      port: 5,
    });
    expect(netAddressOf('fe80::1:2%eth0', 5)).toMatchObject({
      addr: new Uint8Array([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2]),
    });
    expect(netAddressOf('64:ff9b::192.0.2.33', 5)).toMatchObject({
      addr: new Uint8Array([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 33]),
    });
    expect(netAddressOf(undefined, 1)).toBeUndefined();
    expect(netAddressOf('not-an-ip', 1)).toBeUndefined();
  });
});
