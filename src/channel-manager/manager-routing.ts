/**
 * Routing the peer's BOLT 2 messages in the `ChannelManager`: `open_channel` (refused, held for
 * manual acceptance, or accepted), `error` (closes the channels it names, BOLT 1), and every
 * other message to its channel by channel id or temporary id; messages for a channel that went
 * to chain get "awaiting unilateral close".
 */
import { fromHex } from '../util/bytes.js';
import { isUnknownMessage, type Message, type UnknownMessage } from '../wire/message.js';
import type { Features } from '../wire/features.js';
import { errorMessageFor } from './channel/errors.js';
import { isFunded } from './channel/state.js';
import { AWAITING_UNILATERAL_CLOSE_ERROR } from './channel/reestablish.js';
import type { ManagerContext } from './manager-context.js';
import { ChannelUnavailableError } from '../util/errors.js';
import { channelIdOf, parseChannelIdHex, parseNodeIdHex, peerText } from './manager-helpers.js';
import type { ChannelEntry } from './manager-state.js';
import { handleOpen } from './manager-open.js';

/** `ChannelMessageHandler.handleChannelMessage`: routes a message to its channel. */
export function routeChannelMessage(
  ctx: ManagerContext,
  nodeId: string,
  message: Message | UnknownMessage,
): void {
  if (isUnknownMessage(message)) return;
  ctx.markDirty();
  if (message.type === 'open_channel') {
    handleOpen(ctx, nodeId, message);
    return;
  }
  if (message.type === 'warning') {
    ctx.log('warn', `peer warning: ${peerText(message.data)}`, nodeId);
    return;
  }
  const id = channelIdOf(message);
  if (id === undefined) return;
  if (message.type === 'error') {
    const all = /^0+$/.test(id);
    for (const entry of [...ctx.entries]) {
      if (entry.counterpartyNodeId !== nodeId) continue;
      if (!all && entry.channel.channelId !== id && entry.temporaryChannelId !== id) continue;
      entry.closeReason = { type: 'CounterpartyForceClosed', peerMsg: peerText(message.data) };
      ctx.run(entry, () => entry.channel.handleMessage(message));
    }
    return;
  }
  const closed = ctx.closed.get(id);
  if (closed !== undefined && closed.counterpartyNodeId === nodeId) {
    ctx.send(nodeId, errorMessageFor(closed.channelIdBytes, AWAITING_UNILATERAL_CLOSE_ERROR));
    return;
  }
  const entry = ctx.entries.find(
    (e) =>
      e.counterpartyNodeId === nodeId &&
      (e.channel.channelId === id || e.temporaryChannelId === id),
  );
  if (entry === undefined) {
    ctx.send(nodeId, errorMessageFor(fromHex(id, 32), 'unknown channel'));
    return;
  }
  if (entry.stopped) return;
  ctx.run(entry, () => entry.channel.handleMessage(message));
}

/** A peer connected: its channels send `channel_reestablish` (BOLT 2). */
export function peerConnected(ctx: ManagerContext, nodeId: string, features: Features): void {
  ctx.peers.set(nodeId, features);
  for (const entry of ctx.entries) {
    if (entry.counterpartyNodeId !== nodeId || entry.stopped) continue;
    ctx.run(entry, () => entry.channel.peerConnected());
  }
}

/**
 * A peer disconnected: its held open requests are dropped, and its channels either wait for
 * reestablishment or, not yet funded, are forgotten (`DisconnectedPeer`).
 */
export function peerDisconnected(ctx: ManagerContext, nodeId: string): void {
  ctx.peers.delete(nodeId);
  for (const [key, r] of ctx.inbound) {
    if (r.counterpartyNodeId === nodeId) ctx.inbound.delete(key);
  }
  for (const entry of [...ctx.entries]) {
    if (entry.counterpartyNodeId !== nodeId) continue;
    // A reason already set belongs to a close whose event is still held: it stays.
    const known = entry.closeReason !== undefined;
    if (!known && !isFunded(entry.channel.state)) entry.closeReason = { type: 'DisconnectedPeer' };
    ctx.run(entry, () => entry.channel.peerDisconnected());
    if (!known && ctx.entries.includes(entry)) entry.closeReason = undefined;
  }
}

/**
 * The channel a host call names (by channel id or temporary id, with its peer);
 * `ChannelUnavailableError` when unknown or stopped.
 */
export function hostEntry(
  ctx: ManagerContext,
  channelId: string,
  counterpartyNodeId: string,
): ChannelEntry {
  const id = parseChannelIdHex(channelId);
  const nodeId = parseNodeIdHex(counterpartyNodeId);
  const entry = ctx.entries.find(
    (e) =>
      e.counterpartyNodeId === nodeId &&
      (e.channel.channelId === id || e.temporaryChannelId === id),
  );
  if (entry === undefined) {
    throw new ChannelUnavailableError(`no channel ${id} with ${nodeId}`, id);
  }
  if (entry.stopped) throw new ChannelUnavailableError(`channel ${id} is stopped`, id);
  return entry;
}

/** The channel with `channelId`, whoever the peer; `ChannelUnavailableError` when unknown. */
export function entryById(ctx: ManagerContext, channelId: string): ChannelEntry {
  const id = parseChannelIdHex(channelId);
  const entry = ctx.entries.find((e) => e.channel.channelId === id);
  if (entry === undefined) throw new ChannelUnavailableError(`no channel ${id}`, id);
  return entry;
}
