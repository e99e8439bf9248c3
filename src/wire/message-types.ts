/**
 * Every Lightning message type number boltkit knows, in one table (BOLT 1 "Lightning Message
 * Format", with the message tables of BOLT 1, 2, 4 and 7). The keys are the BOLT names; they
 * are also the `type` discriminant of decoded messages (see `message.ts`).
 *
 * Some types are listed although boltkit does not decode them yet (interactive transaction
 * construction, dual funding, quiescence, splicing, simple close, peer storage, onion
 * messages): they belong to the specification, so a host must not claim them as custom types.
 * `decodeMessage` returns them as unknown messages until their codecs exist.
 */

export const MessageType = {
  // BOLT 1: setup and control (0-31), plus BOLT 2 quiescence.
  warning: 1,
  stfu: 2,
  peer_storage: 7,
  peer_storage_retrieval: 9,
  init: 16,
  error: 17,
  ping: 18,
  pong: 19,
  // BOLT 2: channel establishment v1 and close (32-127).
  open_channel: 32,
  accept_channel: 33,
  funding_created: 34,
  funding_signed: 35,
  channel_ready: 36,
  shutdown: 38,
  closing_signed: 39,
  closing_complete: 40,
  closing_sig: 41,
  // BOLT 2: channel establishment v2 and interactive transaction construction.
  open_channel2: 64,
  accept_channel2: 65,
  tx_add_input: 66,
  tx_add_output: 67,
  tx_remove_input: 68,
  tx_remove_output: 69,
  tx_complete: 70,
  tx_signatures: 71,
  tx_init_rbf: 72,
  tx_ack_rbf: 73,
  tx_abort: 74,
  // BOLT 2: splicing.
  splice_locked: 77,
  splice_init: 80,
  splice_ack: 81,
  start_batch: 127,
  // BOLT 2: commitment (128-255).
  update_add_htlc: 128,
  update_fulfill_htlc: 130,
  update_fail_htlc: 131,
  commitment_signed: 132,
  revoke_and_ack: 133,
  update_fee: 134,
  update_fail_malformed_htlc: 135,
  channel_reestablish: 136,
  // BOLT 7: routing gossip (256-511).
  channel_announcement: 256,
  node_announcement: 257,
  channel_update: 258,
  announcement_signatures: 259,
  query_short_channel_ids: 261,
  reply_short_channel_ids_end: 262,
  query_channel_range: 263,
  reply_channel_range: 264,
  gossip_timestamp_filter: 265,
  // BOLT 4: onion messages.
  onion_message: 513,
} as const;

/** A BOLT message name, such as `open_channel`. */
export type MessageName = keyof typeof MessageType;
/** A message type number boltkit knows. */
export type KnownMessageType = (typeof MessageType)[MessageName];

const namesByType = new Map<number, MessageName>(
  (Object.entries(MessageType) as [MessageName, number][]).map(([name, type]) => [type, name]),
);

/** The BOLT name of a type number, or `undefined` when boltkit does not know it. */
export function messageNameOf(type: number): MessageName | undefined {
  return namesByType.get(type);
}

/** True when `type` is in the table above (decoded now or reserved by the specification). */
export function isKnownMessageType(type: number): boolean {
  return namesByType.has(type);
}

/**
 * The "it's OK to be odd" rule (BOLT 1): an unknown even message type, TLV type or feature bit
 * must fail the connection, an unknown odd one is ignored.
 */
export function isEvenType(type: number | bigint): boolean {
  return typeof type === 'bigint' ? (type & 1n) === 0n : type % 2 === 0;
}

/** First type of the range BOLT 1 sets aside for experimental and application messages. */
export const FIRST_CUSTOM_MESSAGE_TYPE = 32768;
