/**
 * The handlers a `PeerManager` uses when the host gives none: they answer as a node without
 * channels and without a gossip store would, so a peer talking to a bare boltkit node gets
 * well-formed answers instead of silence (after LDK's `ErroringMessageHandler` and
 * `IgnoringMessageHandler`).
 */
import {
  encodeMessage,
  isUnknownMessage,
  type Message,
  type UnknownMessage,
} from '../wire/message.js';
import { MessageType } from '../wire/message-types.js';
import type { InitMessage } from '../wire/messages/setup.js';
import { WireReader } from '../wire/reader.js';
import { printableAsciiBytes } from './ascii.js';
import type { ChannelMessageHandler, OutgoingMessage, RoutingMessageHandler } from './handlers.js';

/** The payload (bytes after the 2-byte type) of a decoded or unknown message. */
function payloadOf(message: Message | UnknownMessage): Uint8Array {
  return isUnknownMessage(message) ? message.payload : encodeMessage(message).subarray(2);
}

/**
 * The channel id a BOLT 2 message refers to. Every BOLT 2 message starts with its
 * `channel_id` (or `temporary_channel_id`), except `open_channel` and `open_channel2`, which put
 * the `chain_hash` first.
 */
function channelIdOf(type: number, payload: Uint8Array): Uint8Array {
  const r = new WireReader(payload);
  if (type === MessageType.open_channel || type === MessageType.open_channel2) {
    r.chainHash('chain_hash');
  }
  return r.bytes32('channel_id');
}

/**
 * A channel handler for a node that has no channels and accepts none. BOLT 2 lets a node
 * reject `open_channel` with an `error` naming the temporary channel id; for any other channel
 * message BOLT 1 says to answer with an `error` naming the unknown channel id. Errors from the
 * peer are not answered (an error about an error would loop).
 */
export class NoChannelsMessageHandler implements ChannelMessageHandler {
  private pending: OutgoingMessage[] = [];

  handleChannelMessage(nodeId: string, message: Message | UnknownMessage): void {
    if (!isUnknownMessage(message) && (message.type === 'error' || message.type === 'warning')) {
      return;
    }
    const type = isUnknownMessage(message) ? message.type : MessageType[message.type];
    const channelId = channelIdOf(type, payloadOf(message));
    const data =
      type === MessageType.open_channel || type === MessageType.open_channel2
        ? 'This node does not accept channels'
        : 'Unknown channel';
    this.pending.push({
      nodeId,
      message: { type: 'error', channelId, data: printableAsciiBytes(data) },
    });
  }

  peerConnected(_nodeId: string, _init: InitMessage, _inbound: boolean): void {
    // Nothing to reestablish: we have no channels.
  }

  peerDisconnected(_nodeId: string): void {
    // Nothing to clean up.
  }

  getAndClearPendingMessages(): OutgoingMessage[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}

/**
 * A routing handler for a node that keeps no gossip. It answers gossip queries as a node that
 * knows no channels (BOLT 7, "Query Messages"): `query_channel_range` gets one
 * `reply_channel_range` covering the asked range with no ids and `sync_complete` set, and
 * `query_short_channel_ids` gets `reply_short_channel_ids_end` with `full_information` 0 (we do
 * not maintain channel information). A range query for zero blocks (BOLT 7 forbids it) gets no
 * answer. Announcements, updates and `gossip_timestamp_filter` are accepted and dropped.
 */
export class NoGossipMessageHandler implements RoutingMessageHandler {
  private pending: OutgoingMessage[] = [];

  handleRoutingMessage(nodeId: string, message: Message | UnknownMessage): void {
    if (isUnknownMessage(message)) return;
    if (message.type === 'query_channel_range') {
      // BOLT 7 asks for at least one block; there is no range to answer for zero.
      if (message.numberOfBlocks === 0) return;
      this.pending.push({
        nodeId,
        message: {
          type: 'reply_channel_range',
          chainHash: message.chainHash,
          firstBlocknum: message.firstBlocknum,
          numberOfBlocks: message.numberOfBlocks,
          syncComplete: 1,
          shortChannelIds: [],
        },
      });
    } else if (message.type === 'query_short_channel_ids') {
      this.pending.push({
        nodeId,
        message: {
          type: 'reply_short_channel_ids_end',
          chainHash: message.chainHash,
          fullInformation: 0,
        },
      });
    }
  }

  peerConnected(_nodeId: string, _init: InitMessage, _inbound: boolean): void {
    // We never ask peers for gossip.
  }

  peerDisconnected(_nodeId: string): void {
    // Nothing to clean up.
  }

  getAndClearPendingMessages(): OutgoingMessage[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}
