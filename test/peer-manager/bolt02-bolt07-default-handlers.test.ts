// What a bare boltkit node (default handlers) answers: BOLT 2 rejects channels with an error
// naming the (temporary) channel id, BOLT 7 gossip queries get empty replies.
import { describe, expect, it } from 'vitest';
import { chainHashOf } from '../../src/peer-manager/chain-hash.js';
import { PeerError, PeerErrorAction } from '../../src/peer-manager/errors.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import type {
  ChannelMessageHandler,
  OutgoingMessage,
  RoutingMessageHandler,
} from '../../src/peer-manager/handlers.js';
import type { PeerDisconnectedEvent } from '../../src/peer-manager/options.js';
import { fromHex } from '../../src/util/bytes.js';
import type { Message, UnknownMessage } from '../../src/wire/message.js';
import type { OpenChannelMessage } from '../../src/wire/messages/channel-establish.js';
import { makeNode } from '../support/peer-manager-nodes.js';
import { RawPeer } from '../support/peer-manager-raw-peer.js';

const dec = new TextDecoder();

function connected(): { node: ReturnType<typeof makeNode>; peer: RawPeer } {
  const node = makeNode('alice');
  const peer = RawPeer.dial(node.pm, 'raw');
  peer.connect();
  return { node, peer };
}

function openChannel(temporaryChannelId: Uint8Array, point: Uint8Array): OpenChannelMessage {
  return {
    type: 'open_channel',
    chainHash: chainHashOf('bitcoin'),
    temporaryChannelId,
    fundingSatoshis: 100_000n,
    pushMsat: 0n,
    dustLimitSatoshis: 546n,
    maxHtlcValueInFlightMsat: 100_000_000n,
    channelReserveSatoshis: 1000n,
    htlcMinimumMsat: 1n,
    feerateSatPerKw: 253,
    toSelfDelay: 144,
    maxAcceptedHtlcs: 483,
    fundingPubkey: point,
    revocationBasepoint: point,
    paymentBasepoint: point,
    delayedPaymentBasepoint: point,
    htlcBasepoint: point,
    firstPerCommitmentPoint: point,
    channelFlags: 0,
  };
}

describe('default channel handler (a node without channels)', () => {
  it('rejects open_channel with an error naming the temporary channel id', () => {
    const { peer } = connected();
    const tmp = new Uint8Array(32).fill(7);
    peer.send(openChannel(tmp, fromHex(peer.nodeId)));
    const [reply] = peer.pull();
    expect(reply).toMatchObject({ type: 'error', channelId: tmp });
    expect(dec.decode((reply as { data: Uint8Array }).data)).toMatch(/does not accept channels/);
  });

  it('answers other channel messages for unknown channels with an error naming them', () => {
    const { node, peer } = connected();
    const id = new Uint8Array(32).fill(9);
    peer.send({ type: 'update_fee', channelId: id, feerateSatPerKw: 1000 });
    peer.send({
      type: 'channel_reestablish',
      channelId: id,
      nextCommitmentNumber: 1n,
      nextRevocationNumber: 0n,
      yourLastPerCommitmentSecret: new Uint8Array(32),
      myCurrentPerCommitmentPoint: fromHex(peer.nodeId),
    });
    // stfu (type 2) is not decoded by the wire layer yet: routed by number all the same.
    const stfuId = new Uint8Array(32).fill(3);
    peer.send({ kind: 'unknown', type: 2, payload: new Uint8Array([...stfuId, 1]) });
    const replies = peer.pull();
    expect(replies).toMatchObject([
      { type: 'error', channelId: id },
      { type: 'error', channelId: id },
      { type: 'error', channelId: stfuId },
    ]);
    expect(node.pm.getPeerNodeIds()).toEqual([peer.nodeId]);
  });

  it('does not answer an error with an error; an all-zero error ends the connection', () => {
    const { node, peer } = connected();
    const disconnected: PeerDisconnectedEvent[] = [];
    node.pm.on('peerDisconnected', (e) => disconnected.push(e));
    peer.send({ type: 'error', channelId: new Uint8Array(32).fill(1), data: new Uint8Array(0) });
    peer.send({ type: 'warning', channelId: new Uint8Array(32), data: new Uint8Array([104, 105]) });
    expect(peer.pull()).toEqual([]);
    expect(disconnected).toEqual([]);
    expect(node.logger.records.some((r) => r.message.includes('"hi"'))).toBe(true);
    peer.send({ type: 'error', channelId: new Uint8Array(32), data: new Uint8Array([0, 1]) });
    expect(peer.pull()).toEqual([]);
    expect(disconnected).toMatchObject([{ reason: 'receivedError' }]);
    // Non-printable data is logged as hex, not verbatim (BOLT 1).
    expect(node.logger.records.some((r) => r.message.includes('hex:0001'))).toBe(true);
  });

  it('a malformed known message gets a warning and the connection closed', () => {
    const { node, peer } = connected();
    const disconnected: PeerDisconnectedEvent[] = [];
    node.pm.on('peerDisconnected', (e) => disconnected.push(e));
    peer.send({ kind: 'unknown', type: 134, payload: new Uint8Array(10) }); // update_fee, short
    peer.pull();
    expect(peer.ofType('warning')).toHaveLength(1);
    expect(disconnected).toMatchObject([{ reason: 'protocolViolation' }]);
  });
});

describe('default routing handler (a node without gossip)', () => {
  it('answers query_channel_range with one complete, empty reply_channel_range', () => {
    const { peer } = connected();
    peer.send({
      type: 'query_channel_range',
      chainHash: chainHashOf('bitcoin'),
      firstBlocknum: 700_000,
      numberOfBlocks: 10_000,
    });
    expect(peer.pull()).toEqual([
      {
        type: 'reply_channel_range',
        chainHash: chainHashOf('bitcoin'),
        firstBlocknum: 700_000,
        numberOfBlocks: 10_000,
        syncComplete: 1,
        shortChannelIds: [],
      },
    ]);
  });

  it('answers query_short_channel_ids with reply_short_channel_ids_end (no full information)', () => {
    const { peer } = connected();
    peer.send({
      type: 'query_short_channel_ids',
      chainHash: chainHashOf('bitcoin'),
      shortChannelIds: [(700_000n << 40n) | (1n << 16n)],
    });
    expect(peer.pull()).toEqual([
      {
        type: 'reply_short_channel_ids_end',
        chainHash: chainHashOf('bitcoin'),
        fullInformation: 0,
      },
    ]);
  });

  it('accepts and ignores gossip_timestamp_filter and gossip replies', () => {
    const { node, peer } = connected();
    peer.send({
      type: 'gossip_timestamp_filter',
      chainHash: chainHashOf('bitcoin'),
      firstTimestamp: 0,
      timestampRange: 0xffffffff,
    });
    peer.send({
      type: 'reply_short_channel_ids_end',
      chainHash: chainHashOf('bitcoin'),
      fullInformation: 1,
    });
    expect(peer.pull()).toEqual([]);
    expect(node.pm.getPeerNodeIds()).toEqual([peer.nodeId]);
  });
});

describe('host handlers', () => {
  class Handler implements ChannelMessageHandler {
    readonly seen: Array<Message | UnknownMessage> = [];
    readonly log: string[] = [];
    pending: OutgoingMessage[] = [];
    throwNext: Error | undefined;
    handleChannelMessage(_nodeId: string, message: Message | UnknownMessage): void {
      this.seen.push(message);
      const e = this.throwNext;
      this.throwNext = undefined;
      if (e !== undefined) throw e;
    }
    peerConnected(nodeId: string, _init: unknown, inbound: boolean): void {
      this.log.push(`connected ${nodeId.slice(0, 4)} ${inbound}`);
    }
    peerDisconnected(nodeId: string): void {
      this.log.push(`disconnected ${nodeId.slice(0, 4)}`);
    }
    getAndClearPendingMessages(): OutgoingMessage[] {
      const out = this.pending;
      this.pending = [];
      return out;
    }
  }

  function withHandler(): { node: ReturnType<typeof makeNode>; peer: RawPeer; h: Handler } {
    const h = new Handler();
    const node = makeNode('alice', { channelMessageHandler: h });
    const peer = RawPeer.dial(node.pm, 'raw');
    peer.connect();
    return { node, peer, h };
  }

  it('get channel messages and the peer lifecycle; their queued messages go out', () => {
    const { node, peer, h } = withHandler();
    expect(h.log).toEqual([`connected ${peer.nodeId.slice(0, 4)} true`]);
    const id = new Uint8Array(32).fill(5);
    peer.send({ type: 'update_fee', channelId: id, feerateSatPerKw: 500 });
    expect(h.seen).toMatchObject([{ type: 'update_fee', feerateSatPerKw: 500 }]);
    h.pending.push({
      nodeId: peer.nodeId,
      message: { type: 'update_fee', channelId: id, feerateSatPerKw: 600 },
    });
    // A message for a peer that is not connected is dropped.
    h.pending.push({
      nodeId: makeNode('carol').nodeId,
      message: { type: 'update_fee', channelId: id, feerateSatPerKw: 1 },
    });
    expect(peer.pull()).toMatchObject([{ type: 'update_fee', feerateSatPerKw: 600 }]);
    node.pm.disconnectByNodeId(peer.nodeId);
    expect(h.log.at(-1)).toBe(`disconnected ${peer.nodeId.slice(0, 4)}`);
  });

  it('a PeerError from a handler is carried out: sendError then disconnect', () => {
    const { peer, h } = withHandler();
    const id = new Uint8Array(32).fill(5);
    h.throwNext = new PeerError(PeerErrorAction.SendError, 'bad fee', { channelId: id });
    peer.send({ type: 'update_fee', channelId: id, feerateSatPerKw: 1 });
    peer.pull();
    const err = peer.ofType('error')[0]!;
    expect(err.channelId).toEqual(id);
    expect(dec.decode(err.data)).toBe('bad fee');
    expect(peer.pmSocket.disconnected).toBe(true);
  });

  it('a PeerError with action ignore keeps the peer; a handler bug is logged, not blamed', () => {
    const { node, peer, h } = withHandler();
    const id = new Uint8Array(32).fill(5);
    h.throwNext = new PeerError(PeerErrorAction.Ignore, 'odd but fine');
    peer.send({ type: 'update_fee', channelId: id, feerateSatPerKw: 1 });
    h.throwNext = new Error('oops');
    peer.send({ type: 'update_fee', channelId: id, feerateSatPerKw: 2 });
    expect(node.pm.getPeerNodeIds()).toEqual([peer.nodeId]);
    expect(node.logger.records.some((r) => r.level === 'error' && /oops/.test(r.message))).toBe(
      true,
    );
  });
});

describe('routing by message type', () => {
  class Both implements ChannelMessageHandler, RoutingMessageHandler {
    readonly channel: string[] = [];
    readonly routing: string[] = [];
    readonly lifecycle: string[] = [];
    handleChannelMessage(_n: string, m: Message | UnknownMessage): void {
      this.channel.push('kind' in m ? String(m.type) : m.type);
    }
    handleRoutingMessage(_n: string, m: Message | UnknownMessage): void {
      this.routing.push('kind' in m ? String(m.type) : m.type);
    }
    peerConnected(): void {
      this.lifecycle.push('connected');
    }
    peerDisconnected(): void {
      this.lifecycle.push('disconnected');
    }
    getAndClearPendingMessages(): OutgoingMessage[] {
      return [];
    }
  }

  it('BOLT 2 and announcement_signatures go to the channel handler, BOLT 7 gossip to routing', () => {
    const channel = new Both();
    const routing = new Both();
    const node = makeNode('alice', {
      channelMessageHandler: channel,
      routingMessageHandler: routing,
    });
    const peer = RawPeer.dial(node.pm, 'raw');
    peer.connect();
    const id = new Uint8Array(32).fill(1);
    const scid = (700_000n << 40n) | (2n << 16n) | 1n;
    peer.send({ type: 'update_fee', channelId: id, feerateSatPerKw: 300 });
    peer.send({
      type: 'announcement_signatures',
      channelId: id,
      shortChannelId: scid,
      nodeSignature: new Uint8Array(64).fill(1),
      bitcoinSignature: new Uint8Array(64).fill(2),
    });
    peer.send({
      type: 'channel_update',
      signature: new Uint8Array(64).fill(3),
      chainHash: chainHashOf('bitcoin'),
      shortChannelId: scid,
      timestamp: 1_700_000_000,
      messageFlags: 1,
      channelFlags: 0,
      cltvExpiryDelta: 144,
      htlcMinimumMsat: 1000n,
      feeBaseMsat: 1000,
      feeProportionalMillionths: 1,
      htlcMaximumMsat: 1_000_000_000n,
    });
    peer.send({
      type: 'gossip_timestamp_filter',
      chainHash: chainHashOf('bitcoin'),
      firstTimestamp: 0,
      timestampRange: 1,
    });
    peer.send({ type: 'error', channelId: id, data: new Uint8Array(0) });
    expect(channel.channel).toEqual(['update_fee', 'announcement_signatures', 'error']);
    expect(routing.routing).toEqual(['channel_update', 'gossip_timestamp_filter']);
    expect(channel.routing).toEqual([]);
    expect(routing.channel).toEqual([]);
    node.pm.disconnectAllPeers();
    expect(channel.lifecycle).toEqual(['connected', 'disconnected']);
    expect(routing.lifecycle).toEqual(['connected', 'disconnected']);
  });

  it('all crypto goes through the configured backend', () => {
    let calls = 0;
    const counting = new Proxy(nobleBackend, {
      get(target, prop, receiver) {
        const v: unknown = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          calls++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const node = makeNode('alice', { crypto: counting });
    const peer = RawPeer.dial(node.pm, 'raw');
    peer.connect();
    expect(node.pm.getPeerNodeIds()).toEqual([peer.nodeId]);
    expect(calls).toBeGreaterThan(10);
  });
});
