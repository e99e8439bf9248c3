// Custom messages under BOLT 1's "it's OK to be odd" rule, with Core Lightning's custommsg
// rules for what a host may send.
import { describe, expect, it } from 'vitest';
import type { CustomMessageHandler } from '../../src/peer-manager/handlers.js';
import type { PeerDisconnectedEvent } from '../../src/peer-manager/options.js';
import { MessageType } from '../../src/wire/message-types.js';
import { Pipe } from '../support/pipe.js';
import { makeNode } from '../support/peer-manager-nodes.js';
import { RawPeer } from '../support/peer-manager-raw-peer.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

class RecordingCustomHandler implements CustomMessageHandler {
  readonly received: Array<{ nodeId: string; type: number; text: string }> = [];
  readonly connected: string[] = [];
  readonly disconnected: string[] = [];
  outbox: Array<{ nodeId: string; type: number; payload: Uint8Array }> = [];
  handleCustomMessage(nodeId: string, type: number, payload: Uint8Array): void {
    this.received.push({ nodeId, type, text: dec.decode(payload) });
  }
  getAndClearPendingMessages(): Array<{ nodeId: string; type: number; payload: Uint8Array }> {
    const out = this.outbox;
    this.outbox = [];
    return out;
  }
  peerConnected(nodeId: string): void {
    this.connected.push(nodeId);
  }
  peerDisconnected(nodeId: string): void {
    this.disconnected.push(nodeId);
  }
}

function pair(): {
  a: ReturnType<typeof makeNode>;
  b: ReturnType<typeof makeNode>;
  ha: RecordingCustomHandler;
  hb: RecordingCustomHandler;
  p: Pipe;
} {
  const ha = new RecordingCustomHandler();
  const hb = new RecordingCustomHandler();
  const a = makeNode('alice', { customMessageHandler: ha });
  const b = makeNode('bob', { customMessageHandler: hb });
  const p = Pipe.connect(a.pm, b.pm);
  p.pump();
  return { a, b, ha, hb, p };
}

describe('custom messages', () => {
  it('are delivered both ways, and the promise resolves once written', async () => {
    const { a, b, ha, hb, p } = pair();
    expect(ha.connected).toEqual([b.nodeId]);
    const sentAB = a.pm.sendCustomMessage(b.nodeId, 32769, enc.encode('hello bob'));
    const sentBA = b.pm.sendCustomMessage(a.nodeId, 32771, enc.encode('hello alice'));
    p.pump();
    await expect(sentAB).resolves.toBeUndefined();
    await expect(sentBA).resolves.toBeUndefined();
    expect(hb.received).toEqual([{ nodeId: a.nodeId, type: 32769, text: 'hello bob' }]);
    expect(ha.received).toEqual([{ nodeId: b.nodeId, type: 32771, text: 'hello alice' }]);
  });

  it('a handler can queue replies that processEvents sends', () => {
    const { a, b, ha, hb, p } = pair();
    hb.outbox.push({ nodeId: a.nodeId, type: 40001, payload: enc.encode('pong-ish') });
    p.pump();
    expect(ha.received).toEqual([{ nodeId: b.nodeId, type: 40001, text: 'pong-ish' }]);
  });

  it('odd types below 32768 that boltkit does not know are custom too', async () => {
    const { a, b, hb, p } = pair();
    const sent = a.pm.sendCustomMessage(b.nodeId, 37, enc.encode('x'));
    p.pump();
    await sent;
    expect(hb.received.map((m) => m.type)).toEqual([37]);
  });

  it('emits eventsPending so the host knows to call processEvents', () => {
    const { a, b } = pair();
    let signals = 0;
    a.pm.on('eventsPending', () => signals++);
    void a.pm.sendCustomMessage(b.nodeId, 32769, new Uint8Array(1));
    void a.pm.sendCustomMessage(b.nodeId, 32769, new Uint8Array(1));
    expect(signals).toBe(1);
    a.pm.processEvents();
    void a.pm.sendCustomMessage(b.nodeId, 32769, new Uint8Array(1));
    expect(signals).toBe(2);
  });

  it('refuses even types, types boltkit knows or reserves, and oversized payloads', async () => {
    const { a, b } = pair();
    const refused = [
      32768,
      2,
      MessageType.ping,
      MessageType.pong,
      MessageType.init,
      MessageType.warning, // odd, but BOLT 1
      MessageType.accept_channel, // odd, BOLT 2
      MessageType.peer_storage_retrieval, // odd, reserved though not handled
      MessageType.onion_message, // odd, BOLT 4
      MessageType.query_short_channel_ids, // odd, BOLT 7
      -1,
      65536,
      1.5,
    ];
    for (const type of refused) {
      await expect(a.pm.sendCustomMessage(b.nodeId, type, new Uint8Array(1))).rejects.toMatchObject(
        { code: 'CustomMessageRejected' },
      );
    }
    await expect(
      a.pm.sendCustomMessage(b.nodeId, 32769, new Uint8Array(65534)),
    ).rejects.toMatchObject({ code: 'CustomMessageRejected' });
    // The largest payload that fits is fine.
    const ok = a.pm.sendCustomMessage(b.nodeId, 32769, new Uint8Array(65533));
    a.pm.processEvents();
    await expect(ok).resolves.toBeUndefined();
  });

  it('rejects for a peer that is not connected, and for a malformed node id', async () => {
    const { a } = pair();
    const stranger = makeNode('carol').nodeId;
    await expect(a.pm.sendCustomMessage(stranger, 32769, new Uint8Array(1))).rejects.toMatchObject({
      code: 'PeerNotConnected',
      nodeId: stranger,
    });
    await expect(a.pm.sendCustomMessage('zz', 32769, new Uint8Array(1))).rejects.toMatchObject({
      code: 'DecodeError',
    });
  });

  it('without a custom handler, unknown odd types are ignored', () => {
    const node = makeNode('alice');
    const peer = RawPeer.dial(node.pm, 'raw');
    peer.connect();
    peer.send({ kind: 'unknown', type: 32769, payload: enc.encode('ignored') });
    peer.send({ kind: 'unknown', type: 513, payload: new Uint8Array(4) }); // onion_message
    expect(peer.pull()).toEqual([]);
    expect(node.pm.getPeerNodeIds()).toEqual([peer.nodeId]);
  });

  it('an unknown even type gets a warning and the connection closed', () => {
    const handler = new RecordingCustomHandler();
    const node = makeNode('alice', { customMessageHandler: handler });
    const disconnected: PeerDisconnectedEvent[] = [];
    node.pm.on('peerDisconnected', (e) => disconnected.push(e));
    const peer = RawPeer.dial(node.pm, 'raw');
    peer.connect();
    peer.send({ kind: 'unknown', type: 32770, payload: new Uint8Array(2) });
    peer.pull();
    expect(handler.received).toEqual([]);
    expect(dec.decode(peer.ofType('warning')[0]!.data)).toMatch(/32770/);
    expect(disconnected).toMatchObject([{ reason: 'unknownEvenMessage' }]);
    expect(handler.disconnected).toEqual([peer.nodeId]);
  });

  it('pending custom messages reject with PeerNotConnected when the peer drops first', async () => {
    const { a, b, p } = pair();
    p.a.socket.acceptBudget = 0;
    const sent = a.pm.sendCustomMessage(b.nodeId, 32769, new Uint8Array(10));
    a.pm.processEvents();
    a.pm.socketDisconnected(p.a.socket);
    await expect(sent).rejects.toMatchObject({ code: 'PeerNotConnected', nodeId: b.nodeId });
  });
});
