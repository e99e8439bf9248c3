/**
 * Where a received message goes, by its type number. Setup and control messages (BOLT 1) stay
 * in the `PeerManager`; BOLT 2 messages and `announcement_signatures` go to the channel
 * handler (they concern one channel, as in LDK); the other BOLT 7 messages go to the routing
 * handler. The "it's OK to be odd" rule (BOLT 1, "Lightning Message Format") settles the rest.
 */
import { MessageType, isEvenType, isKnownMessageType } from '../wire/message-types.js';

export type MessageRoute =
  /** `init`, `error`, `warning`, `ping`, `pong`: handled by the manager itself. */
  | 'setup'
  | 'channel'
  | 'routing'
  /** A type the BOLTs define but boltkit does not handle yet, and odd: ignored. */
  | 'ignore'
  /** An odd type boltkit does not know: a custom message. */
  | 'custom'
  /** An even type we cannot handle: the connection must close. */
  | 'unhandledEven';

const setupTypes: ReadonlySet<number> = new Set([
  MessageType.init,
  MessageType.error,
  MessageType.warning,
  MessageType.ping,
  MessageType.pong,
]);

const routingTypes: ReadonlySet<number> = new Set([
  MessageType.channel_announcement,
  MessageType.node_announcement,
  MessageType.channel_update,
  MessageType.query_short_channel_ids,
  MessageType.reply_short_channel_ids_end,
  MessageType.query_channel_range,
  MessageType.reply_channel_range,
  MessageType.gossip_timestamp_filter,
]);

/** True for BOLT 2 types (quiescence, 32-255) and `announcement_signatures`. */
function isChannelType(type: number): boolean {
  return (
    type === MessageType.stfu ||
    (type >= 32 && type <= 255) ||
    type === MessageType.announcement_signatures
  );
}

export function routeOf(type: number): MessageRoute {
  if (!isKnownMessageType(type)) return isEvenType(type) ? 'unhandledEven' : 'custom';
  if (setupTypes.has(type)) return 'setup';
  if (routingTypes.has(type)) return 'routing';
  if (isChannelType(type)) return 'channel';
  return isEvenType(type) ? 'unhandledEven' : 'ignore';
}
