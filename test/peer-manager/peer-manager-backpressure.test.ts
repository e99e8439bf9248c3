// Outbound queues under socket backpressure, read pausing, and the memory bounds that drop a
// peer which floods us or never reads.
import { describe, expect, it } from 'vitest';
import type { PeerDisconnectedEvent } from '../../src/peer-manager/options.js';
import type { PingMessage } from '../../src/wire/messages/setup.js';
import { encodeMessage } from '../../src/wire/message.js';
import { concatBytes } from '../../src/util/bytes.js';
import { Pipe } from '../support/pipe.js';
import { makeNode } from '../support/peer-manager-nodes.js';
import { RawPeer } from '../support/peer-manager-raw-peer.js';
import type { CustomMessageHandler } from '../../src/peer-manager/handlers.js';

/** Lets pending promise callbacks run (no timers involved). */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function track(p: Promise<void>): { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } {
  const t: { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { state: 'pending' };
  p.then(
    () => (t.state = 'resolved'),
    (e: unknown) => {
      t.state = 'rejected';
      t.error = e;
    },
  );
  return t;
}

class Collect implements CustomMessageHandler {
  readonly payloads: Uint8Array[] = [];
  handleCustomMessage(_nodeId: string, _type: number, payload: Uint8Array): void {
    this.payloads.push(payload);
  }
}

function connectedPair(limits = {}): {
  a: ReturnType<typeof makeNode>;
  b: ReturnType<typeof makeNode>;
  p: Pipe;
  got: Collect;
} {
  const got = new Collect();
  const a = makeNode('alice', { limits });
  const b = makeNode('bob', { customMessageHandler: got });
  const p = Pipe.connect(a.pm, b.pm);
  p.pump();
  return { a, b, p, got };
}

const ping = (numPongBytes: number): PingMessage => ({
  type: 'ping',
  numPongBytes,
  ignored: new Uint8Array(0),
});

describe('outbound backpressure', () => {
  it('a socket that accepts nothing keeps the message queued and its promise pending', async () => {
    const { a, b, p, got } = connectedPair();
    p.a.socket.acceptBudget = 0;
    const t = track(a.pm.sendCustomMessage(b.nodeId, 32769, new Uint8Array([1, 2, 3])));
    a.pm.processEvents();
    await flushMicrotasks();
    expect(t.state).toBe('pending');
    expect(a.pm.listPeers()[0]!.queuedMessages).toBe(1);
    // Nothing more is offered until the host reports space.
    const calls = p.a.socket.sendCalls.length;
    a.pm.processEvents();
    expect(p.a.socket.sendCalls.length).toBe(calls);
    p.a.socket.acceptBudget = Number.POSITIVE_INFINITY;
    a.pm.writeBufferSpaceAvail(p.a.socket);
    await flushMicrotasks();
    expect(t.state).toBe('resolved');
    p.pump();
    expect(got.payloads).toEqual([new Uint8Array([1, 2, 3])]);
  });

  it('partial writes: the rest waits for writeBufferSpaceAvail; promises settle in order', async () => {
    const { a, b, p, got } = connectedPair();
    p.a.socket.acceptBudget = 10;
    const first = track(a.pm.sendCustomMessage(b.nodeId, 32769, new Uint8Array(100).fill(1)));
    const second = track(a.pm.sendCustomMessage(b.nodeId, 32769, new Uint8Array(50).fill(2)));
    a.pm.processEvents();
    expect(p.a.socket.pendingBytes).toBe(10);
    expect(a.pm.listPeers()[0]!.queuedBytes).toBe(18 + 102 + 16 - 10 + (18 + 52 + 16));
    // Deliver what was accepted, in 1-byte reads: b cannot decode a message yet.
    p.deliver('a', 1);
    expect(got.payloads).toEqual([]);
    // Room for the rest of the first frame plus 5 bytes of the second.
    p.a.socket.acceptBudget = 18 + 102 + 16 - 10 + 5;
    a.pm.writeBufferSpaceAvail(p.a.socket);
    await flushMicrotasks();
    expect(first.state).toBe('resolved');
    expect(second.state).toBe('pending');
    p.deliver('a', 3);
    expect(got.payloads.map((x) => x[0])).toEqual([1]);
    p.a.socket.acceptBudget = Number.POSITIVE_INFINITY;
    a.pm.writeBufferSpaceAvail(p.a.socket);
    await flushMicrotasks();
    expect(second.state).toBe('resolved');
    p.deliver('a', 7);
    expect(got.payloads.map((x) => x[0])).toEqual([1, 2]);
    expect(got.payloads[1]!.length).toBe(50);
  });

  it('tells the host to pause reading while many answers wait, and to resume after', () => {
    const node = makeNode('alice');
    const peer = RawPeer.dial(node.pm, 'raw');
    peer.connect();
    peer.pmSocket.acceptBudget = 0;
    // 11 pings: 11 pongs queued, under the pause threshold of 12.
    for (let i = 0; i < 11; i++) peer.send(ping(8));
    expect(peer.pauseSignals.at(-1)).toBe(false);
    expect(peer.pmSocket.readEnabled).toBe(true);
    peer.send(ping(8));
    expect(peer.pauseSignals.at(-1)).toBe(true);
    expect(peer.pmSocket.readEnabled).toBe(false);
    expect(node.pm.listPeers()[0]!.readPaused).toBe(true);
    peer.pmSocket.acceptBudget = Number.POSITIVE_INFINITY;
    node.pm.writeBufferSpaceAvail(peer.pmSocket);
    expect(peer.pmSocket.readEnabled).toBe(true);
    expect(node.pm.listPeers()[0]!.readPaused).toBe(false);
    expect(peer.pull().length).toBe(12);
  });

  it('pauses on queued bytes too, and resumes with an empty sendData once drained', () => {
    const node = makeNode('alice', { limits: { pauseReadQueueBytes: 1000 } });
    const peer = RawPeer.dial(node.pm, 'raw');
    peer.connect();
    peer.pmSocket.acceptBudget = 0;
    peer.send(ping(2000));
    expect(peer.pauseSignals.at(-1)).toBe(true);
    peer.pmSocket.acceptBudget = Number.POSITIVE_INFINITY;
    node.pm.writeBufferSpaceAvail(peer.pmSocket);
    const last = peer.pmSocket.sendCalls.at(-1)!;
    expect(last.resumeRead).toBe(true);
    expect(peer.pmSocket.readEnabled).toBe(true);
  });

  it('a single large write that drains the queue still resumes reading', () => {
    const node = makeNode('alice', { limits: { pauseReadQueueBytes: 1000 } });
    const peer = RawPeer.dial(node.pm, 'raw');
    peer.connect();
    // The socket takes everything: the pong goes out in one call made while the queue was large.
    peer.send(ping(5000));
    expect(peer.pmSocket.readEnabled).toBe(true);
    expect(peer.pauseSignals.at(-1)).toBe(false);
  });
});

describe('memory bounds', () => {
  it('a peer flooding pings without reading is dropped and its queue freed', () => {
    const limits = { maxQueueMessages: 50 };
    const node = makeNode('alice', { limits });
    const disconnected: PeerDisconnectedEvent[] = [];
    node.pm.on('peerDisconnected', (e) => disconnected.push(e));
    const peer = RawPeer.dial(node.pm, 'raw');
    peer.connect();
    peer.pmSocket.acceptBudget = 0;
    // 200 pings in one read: the host ignores the pause signal and keeps feeding us.
    const flood = concatBytes(
      ...Array.from({ length: 200 }, () => peer.transport.encryptMessage(encodeMessage(ping(8)))),
    );
    peer.writeRaw(flood);
    expect(disconnected).toMatchObject([{ reason: 'outboundQueueFull', nodeId: peer.nodeId }]);
    expect(peer.pmSocket.disconnected).toBe(true);
    expect(node.pm.listPeers()).toEqual([]);
  });

  it('the byte bound applies too', () => {
    const node = makeNode('alice', { limits: { maxQueueBytes: 100_000 } });
    const disconnected: PeerDisconnectedEvent[] = [];
    node.pm.on('peerDisconnected', (e) => disconnected.push(e));
    const peer = RawPeer.dial(node.pm, 'raw');
    peer.connect();
    peer.pmSocket.acceptBudget = 0;
    for (let i = 0; i < 3 && !peer.pmSocket.disconnected; i++) peer.send(ping(40_000));
    expect(disconnected[0]!.reason).toBe('outboundQueueFull');
  });

  it('a peer that never reads is dropped once its queue passes the limit; waiters reject', async () => {
    const { a, b, p } = connectedPair({ maxQueueMessages: 20 });
    const failed: PeerDisconnectedEvent[] = [];
    a.pm.on('peerDisconnected', (e) => failed.push(e));
    p.a.socket.acceptBudget = 0;
    const sends = Array.from({ length: 25 }, () =>
      track(a.pm.sendCustomMessage(b.nodeId, 32769, new Uint8Array(100))),
    );
    a.pm.processEvents();
    await flushMicrotasks();
    expect(failed[0]!.reason).toBe('outboundQueueFull');
    expect(sends.every((s) => s.state === 'rejected')).toBe(true);
    expect(sends[0]!.error).toMatchObject({ code: 'PeerNotConnected' });
  });

  it('a peer announcing a frame larger than maxInboundBufferBytes is dropped', () => {
    const node = makeNode('alice', { limits: { maxInboundBufferBytes: 1000 } });
    const disconnected: PeerDisconnectedEvent[] = [];
    node.pm.on('peerDisconnected', (e) => disconnected.push(e));
    const peer = RawPeer.dial(node.pm, 'raw');
    peer.connect();
    const frame = peer.transport.encryptMessage(
      encodeMessage({ kind: 'unknown', type: 32769, payload: new Uint8Array(5000) }),
    );
    peer.writeRaw(frame.subarray(0, 900));
    expect(disconnected).toEqual([]);
    peer.writeRaw(frame.subarray(900, 1200));
    expect(disconnected[0]!.reason).toBe('inboundBufferFull');
  });

  it('other peers are not affected by one peer being dropped', async () => {
    const { a, b, p } = connectedPair({ maxQueueMessages: 5 });
    const raw = RawPeer.dial(a.pm, 'raw');
    raw.connect();
    raw.pmSocket.acceptBudget = 0;
    for (let i = 0; i < 10; i++) raw.send(ping(1));
    expect(raw.pmSocket.disconnected).toBe(true);
    const sent = a.pm.sendCustomMessage(b.nodeId, 32769, new Uint8Array(1));
    p.pump();
    await expect(sent).resolves.toBeUndefined();
    expect(a.pm.getPeerNodeIds()).toEqual([b.nodeId]);
  });
});
