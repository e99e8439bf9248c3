/**
 * Our `channel_update` for one direction of a channel (BOLT 7), as a failed forward carries it
 * back to the sender in an UPDATE failure (BOLT 4: "if it returns a `channel_update`: MUST set
 * `short_channel_id` to the one used by the incoming onion"). It is signed with the node key.
 * The bytes returned start with the message type 258, as other implementations send it.
 *
 * The update is never gossiped from here: private channels stay private, and a public channel's
 * announcement comes with the gossip work.
 */
import { chainHashOf } from '../../peer-manager/chain-hash.js';
import { compareBytes, equalBytes, fromHex } from '../../util/bytes.js';
import {
  CHANNEL_UPDATE_DIRECTION,
  CHANNEL_UPDATE_DONT_FORWARD,
  CHANNEL_UPDATE_MUST_BE_ONE,
  encodeChannelUpdate,
  type ChannelUpdateMessage,
} from '../../wire/messages/gossip.js';
import { WireWriter } from '../../wire/writer.js';
import { satToMsat } from '../../tx/fees.js';
import type { ManagerContext } from '../manager-context.js';
import type { ChannelEntry } from '../manager-state.js';

const CHANNEL_UPDATE_TYPE = 258;
/** Signature (64) + chain hash (32): the part of the message the signature does not cover. */
const SIGNATURE_LENGTH = 64;

/** The signed `channel_update` of our direction of `entry`, naming it by `shortChannelId`. */
export function ourChannelUpdate(
  ctx: ManagerContext,
  entry: ChannelEntry,
  shortChannelId: bigint,
  disabled = false,
): Uint8Array {
  const { bytes } = signedUpdate(ctx, entry, shortChannelId, disabled);
  return new WireWriter(bytes.length + 2).u16(CHANNEL_UPDATE_TYPE).bytes(bytes).finish();
}

/**
 * The same update as a message, for the peer of a private channel: BOLT 7 lets a node send its
 * `channel_update` to the peer of an unannounced channel, so the peer knows our fees and can put
 * the channel in its invoices' route hints.
 */
export function ourChannelUpdateMessage(
  ctx: ManagerContext,
  entry: ChannelEntry,
  shortChannelId: bigint,
): ChannelUpdateMessage {
  return signedUpdate(ctx, entry, shortChannelId, false).message;
}

function signedUpdate(
  ctx: ManagerContext,
  entry: ChannelEntry,
  shortChannelId: bigint,
  disabled: boolean,
): { bytes: Uint8Array; message: ChannelUpdateMessage } {
  const state = entry.channel.state;
  const ourId = ctx.keys.getNodeId();
  const theirId = fromHex(entry.counterpartyNodeId, 33);
  // BOLT 7: direction 0 when we are node_id_1, the lexicographically lesser key.
  const direction = compareBytes(ourId, theirId) < 0 ? 0 : CHANNEL_UPDATE_DIRECTION;
  const unsigned: ChannelUpdateMessage = {
    type: 'channel_update',
    signature: new Uint8Array(SIGNATURE_LENGTH),
    chainHash: chainHashOf(ctx.network),
    shortChannelId,
    timestamp: Math.max(ctx.payments.highestSeenTimestamp, 1),
    messageFlags:
      CHANNEL_UPDATE_MUST_BE_ONE | (state.announceChannel ? 0 : CHANNEL_UPDATE_DONT_FORWARD),
    channelFlags: direction | (disabled ? 2 : 0),
    cltvExpiryDelta: entry.config.cltvExpiryDelta,
    htlcMinimumMsat: state.counterpartyParams?.htlcMinimumMsat ?? 1n,
    feeBaseMsat: entry.config.forwardingFeeBaseMsat,
    feeProportionalMillionths: entry.config.forwardingFeeProportionalMillionths,
    htlcMaximumMsat: satToMsat(state.fundingValueSat),
  };
  const body = new WireWriter();
  encodeChannelUpdate(body, unsigned);
  const bytes = body.finish();
  // BOLT 7: the signature covers the double-SHA256 of the message after the signature field.
  const digest = ctx.crypto.sha256(ctx.crypto.sha256(bytes.subarray(SIGNATURE_LENGTH)));
  const signature = ctx.keys.signGossipMessage(digest);
  bytes.set(signature, 0);
  return { bytes, message: { ...unsigned, signature } };
}

/**
 * A `channel_update` the peer sent us directly: when it is for one of our channels with it, in
 * the peer's direction, on our chain and signed by the peer, its fees are kept for the route
 * hints of our invoices. Anything else is left to the routing handler.
 */
export function peerChannelUpdate(
  ctx: ManagerContext,
  nodeId: string,
  message: ChannelUpdateMessage,
): void {
  const scid = message.shortChannelId;
  const entry = ctx.entries.find(
    (e) =>
      e.counterpartyNodeId === nodeId &&
      (e.channel.state.shortChannelId === scid ||
        e.channel.state.theirAlias === scid ||
        e.channel.state.ourAlias === scid),
  );
  if (entry === undefined) return;
  const ourId = ctx.keys.getNodeId();
  const theirId = fromHex(nodeId, 33);
  const theirDirection = compareBytes(theirId, ourId) < 0 ? 0 : CHANNEL_UPDATE_DIRECTION;
  if ((message.channelFlags & CHANNEL_UPDATE_DIRECTION) !== theirDirection) return;
  if (!equalBytes(message.chainHash, chainHashOf(ctx.network))) return;
  const known = entry.counterpartyForwarding;
  if (known !== undefined && known.timestamp >= message.timestamp) return;
  const body = new WireWriter();
  encodeChannelUpdate(body, message);
  const bytes = body.finish();
  const digest = ctx.crypto.sha256(ctx.crypto.sha256(bytes.subarray(SIGNATURE_LENGTH)));
  if (!ctx.crypto.verify(message.signature, digest, theirId)) {
    ctx.log('warn', 'channel_update with a bad signature ignored', nodeId);
    return;
  }
  ctx.markDirty();
  entry.counterpartyForwarding = {
    feeBaseMsat: message.feeBaseMsat,
    feeProportionalMillionths: message.feeProportionalMillionths,
    cltvExpiryDelta: message.cltvExpiryDelta,
    timestamp: message.timestamp,
  };
}
