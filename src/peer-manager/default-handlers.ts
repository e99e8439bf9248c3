/**
 * The handlers a `PeerManager` uses when the host gives none: they answer as a node without
 * channels and without a gossip store would, so a peer talking to a bare boltkit node gets
 * well-formed answers instead of silence (after LDK's `ErroringMessageHandler` and
 * `IgnoringMessageHandler`).
 *
 * The gossip query replies are built here with the wire primitives because the wire layer has
 * no codec for the BOLT 7 query messages yet; only the few fixed leading fields are read.
 */
import { DecodeError } from '../util/errors.js';
import {
  encodeMessage,
  isUnknownMessage,
  type Message,
  type UnknownMessage,
} from '../wire/message.js';
import { MessageType } from '../wire/message-types.js';
import type { InitMessage } from '../wire/messages/setup.js';
import { WireReader } from '../wire/reader.js';
import { WireWriter } from '../wire/writer.js';
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
 * not maintain channel information). Announcements, updates and `gossip_timestamp_filter` are
 * accepted and dropped.
 */
export class NoGossipMessageHandler implements RoutingMessageHandler {
  private pending: OutgoingMessage[] = [];

  handleRoutingMessage(nodeId: string, message: Message | UnknownMessage): void {
    if (!isUnknownMessage(message)) return;
    if (message.type === MessageType.query_channel_range) {
      const r = new WireReader(message.payload);
      const chainHash = r.chainHash();
      const firstBlocknum = r.u32('first_blocknum');
      const numberOfBlocks = r.u32('number_of_blocks');
      if (numberOfBlocks === 0) {
        throw new DecodeError('query_channel_range: number_of_blocks must be 1 or greater');
      }
      const w = new WireWriter(48);
      w.chainHash(chainHash).u32(firstBlocknum).u32(numberOfBlocks);
      w.u8(1, 'sync_complete');
      // encoded_short_ids: just the encoding byte (0, uncompressed) and no ids.
      w.u16Bytes(new Uint8Array([0]));
      this.pending.push({
        nodeId,
        message: { kind: 'unknown', type: MessageType.reply_channel_range, payload: w.finish() },
      });
    } else if (message.type === MessageType.query_short_channel_ids) {
      const chainHash = new WireReader(message.payload).chainHash();
      const w = new WireWriter(33);
      w.chainHash(chainHash).u8(0, 'full_information');
      this.pending.push({
        nodeId,
        message: {
          kind: 'unknown',
          type: MessageType.reply_short_channel_ids_end,
          payload: w.finish(),
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
