/**
 * The interfaces the `PeerManager` routes messages to, after LDK's `ChannelMessageHandler`,
 * `RoutingMessageHandler` and `CustomMessageHandler` (lightning/src/ln/msgs.rs). Handlers never
 * write to a socket: they queue what they want sent, and `PeerManager.processEvents()` drains
 * every handler's `getAndClearPendingMessages()` and writes the messages to the peers' sockets.
 *
 * A handler may throw `PeerError` from a `handle…` method to have the manager send a warning or
 * error and disconnect the peer (see `PeerErrorAction`); a `DecodeError` (a malformed message)
 * gets the peer a warning and a disconnect; anything else is logged as our own bug and the
 * connection stays up.
 */
import type { InitMessage } from '../wire/messages/setup.js';
import type { ChannelUpdateMessage } from '../wire/messages/gossip.js';
import type { Message, UnknownMessage } from '../wire/message.js';

/** A message a handler wants sent to a peer (lowercase hex node id). */
export interface OutgoingMessage {
  readonly nodeId: string;
  readonly message: Message | UnknownMessage;
}

/** What every protocol handler is told about peers. */
export interface PeerLifecycleHandler {
  /**
   * The peer completed the BOLT 8 handshake and both `init` messages were exchanged; `init` is
   * the peer's. `inbound` is true when the peer dialled us.
   */
  peerConnected(nodeId: string, init: InitMessage, inbound: boolean): void;
  /** The connection to a peer previously reported by `peerConnected` closed. */
  peerDisconnected(nodeId: string): void;
  /** Messages queued for peers since the last call; the manager sends them in order. */
  getAndClearPendingMessages(): OutgoingMessage[];
}

/**
 * Receives channel messages: every BOLT 2 message (channel establishment, interactive
 * construction, splicing, normal operation, close, reestablish, quiescence),
 * `announcement_signatures`, and the peer's `error` messages (which fail channels, BOLT 1).
 */
export interface ChannelMessageHandler extends PeerLifecycleHandler {
  handleChannelMessage(nodeId: string, message: Message | UnknownMessage): void;
  /**
   * Optional: also sees every `channel_update` a peer sends (the routing handler gets it too),
   * for the updates of our own private channels, which only our peer can tell us (BOLT 7).
   */
  handleChannelUpdate?(nodeId: string, message: ChannelUpdateMessage): void;
}

/**
 * Receives BOLT 7 gossip: announcements, updates, gossip queries and their replies, and
 * `gossip_timestamp_filter`.
 */
export interface RoutingMessageHandler extends PeerLifecycleHandler {
  handleRoutingMessage(nodeId: string, message: Message | UnknownMessage): void;
}

/** A custom message a handler wants sent. */
export interface OutgoingCustomMessage {
  readonly nodeId: string;
  readonly type: number;
  readonly payload: Uint8Array;
}

/**
 * Receives messages of odd types boltkit does not know (custom messages, as Core Lightning's
 * `custommsg` hook delivers them). Without a custom handler such messages are ignored, as
 * BOLT 1 requires for unknown odd types. Unknown even types never reach it: they close the
 * connection.
 */
export interface CustomMessageHandler {
  handleCustomMessage(nodeId: string, type: number, payload: Uint8Array): void;
  /** Optional: custom messages to send, drained by `processEvents()` like the other handlers. */
  getAndClearPendingMessages?(): OutgoingCustomMessage[];
  peerConnected?(nodeId: string, init: InitMessage, inbound: boolean): void;
  peerDisconnected?(nodeId: string): void;
}
