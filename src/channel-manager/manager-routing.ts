/**
 * Routing the peer's BOLT 2 messages in the `ChannelManager`: `open_channel` (refused, held for
 * manual acceptance, or accepted), `error` (closes the channels it names, BOLT 1), and every
 * other message to its channel by channel id or temporary id; messages for a channel that went
 * to chain get "awaiting unilateral close".
 */
import { chainHashOf } from '../peer-manager/chain-hash.js';
import { fromHex, toHex } from '../util/bytes.js';
import { Features } from '../wire/features.js';
import { isUnknownMessage, type Message, type UnknownMessage } from '../wire/message.js';
import type { OpenChannelMessage } from '../wire/messages/channel-establish.js';
import { Channel } from './channel/channel.js';
import { ChannelError, errorMessageFor } from './channel/errors.js';
import { AWAITING_UNILATERAL_CLOSE_ERROR } from './channel/reestablish.js';
import type { ManagerContext } from './manager-context.js';
import { channelIdOf, peerText } from './manager-helpers.js';

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

/** A peer's `open_channel`: refused, held for the host, or accepted. */
function handleOpen(ctx: ManagerContext, nodeId: string, open: OpenChannelMessage): void {
  const id = toHex(open.temporaryChannelId);
  const taken =
    ctx.inbound.has(`${nodeId}:${id}`) ||
    ctx.entries.some((e) => e.counterpartyNodeId === nodeId && e.temporaryChannelId === id);
  if (taken) {
    ctx.send(nodeId, errorMessageFor(open.temporaryChannelId, 'temporary_channel_id reused'));
    return;
  }
  if (open.fundingSatoshis > ctx.config.maxChannelSizeSat) {
    ctx.send(nodeId, errorMessageFor(open.temporaryChannelId, 'funding_satoshis too large'));
    return;
  }
  if (ctx.config.manuallyAcceptInboundChannels) {
    ctx.inbound.set(`${nodeId}:${id}`, { counterpartyNodeId: nodeId, open });
    const type = Features.fromBytes(open.channelType ?? new Uint8Array(0));
    ctx.queueEvent({
      type: 'OpenChannelRequest',
      temporaryChannelId: id,
      counterpartyNodeId: nodeId,
      fundingSat: open.fundingSatoshis,
      pushMsat: open.pushMsat,
      channelType:
        (type.has(22) ? 'anchors_zero_fee_htlc_tx' : 'static_remotekey') +
        (type.has(50) ? '+zero_conf' : ''),
      isAnnounced: (open.channelFlags & 1) === 1,
    });
    return;
  }
  acceptOpen(ctx, nodeId, open, 0n, ctx.config.trustedPeers0conf.includes(nodeId));
}

/** Accepts `open` as a new inbound channel; a refusal goes back as `error`. */
export function acceptOpen(
  ctx: ManagerContext,
  nodeId: string,
  open: OpenChannelMessage,
  userChannelId: bigint,
  trusted0conf: boolean,
): void {
  const theirFeatures = ctx.peers.get(nodeId) ?? Features.empty();
  try {
    const { channel, output } = Channel.acceptInbound(
      open,
      { chainHash: chainHashOf(ctx.network), userChannelId, theirFeatures },
      ctx.channelOptions(ctx.config, trusted0conf),
    );
    const entry = ctx.newEntry(channel, nodeId, ctx.config);
    ctx.absorb(entry, output);
  } catch (e) {
    if (!(e instanceof ChannelError)) throw e;
    ctx.log('info', `refused open_channel: ${e.message}`, nodeId);
    ctx.send(nodeId, errorMessageFor(open.temporaryChannelId, e.message));
  }
}
