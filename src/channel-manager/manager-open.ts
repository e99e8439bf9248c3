/**
 * Opening channels in the `ChannelManager`: the host's `createChannel`, the peer's
 * `open_channel` (refused, held for manual acceptance as `OpenChannelRequest`, or accepted), and
 * the host's answer to a held request. BOLT 2 "Channel Establishment".
 */
import { chainHashOf } from '../peer-manager/chain-hash.js';
import { toHex } from '../util/bytes.js';
import { APIMisuseError, ChannelUnavailableError } from '../util/errors.js';
import { Features } from '../wire/features.js';
import type { OpenChannelMessage } from '../wire/messages/channel-establish.js';
import { Channel, type ChannelOptions } from './channel/channel.js';
import { ChannelError, errorMessageFor } from './channel/errors.js';
import { channelConfigFor, resolveUserConfig, type UserConfig } from './config.js';
import type { InboundRequest, ManagerContext } from './manager-context.js';
import { parseChannelIdHex, parseNodeIdHex } from './manager-helpers.js';
import type { ChannelEntry } from './manager-state.js';

/** The options a `Channel` gets; `trusted0conf` for a zero-conf accept. */
export function channelOptionsOf(
  ctx: ManagerContext,
  config: UserConfig,
  trusted0conf: boolean,
): ChannelOptions {
  return {
    keys: ctx.keys,
    feeEstimator: ctx.feeEstimator,
    crypto: ctx.crypto,
    config: channelConfigFor(config, trusted0conf),
  };
}

/** Checks the host's `createChannel` arguments and queues `open_channel`; see there. */
export function openOutbound(
  ctx: ManagerContext,
  theirNodeId: string,
  valueSat: bigint,
  pushMsat: bigint,
  userChannelId: bigint,
  overrideConfig: Partial<UserConfig> | undefined,
): string {
  const nodeId = parseNodeIdHex(theirNodeId);
  const config =
    overrideConfig === undefined
      ? ctx.config
      : resolveUserConfig({ ...ctx.config, ...overrideConfig });
  if (typeof valueSat !== 'bigint' || typeof pushMsat !== 'bigint') {
    throw new APIMisuseError('createChannel: valueSat and pushMsat must be bigints');
  }
  if (typeof userChannelId !== 'bigint' || userChannelId < 0n || userChannelId >= 1n << 128n) {
    throw new APIMisuseError('createChannel: userChannelId must be a u128 bigint');
  }
  if (valueSat < config.minChannelSizeSat || valueSat > config.maxChannelSizeSat) {
    throw new APIMisuseError(
      `createChannel: valueSat ${valueSat} outside [${config.minChannelSizeSat}, ${config.maxChannelSizeSat}]`,
    );
  }
  if (pushMsat < 0n || pushMsat > valueSat * 1000n) {
    throw new APIMisuseError('createChannel: pushMsat must be between 0 and the channel value');
  }
  const theirFeatures = ctx.peers.get(nodeId);
  if (theirFeatures === undefined) {
    throw new ChannelUnavailableError(`createChannel: peer ${nodeId} is not connected`);
  }
  const { channel, output } = Channel.openOutbound(
    {
      chainHash: chainHashOf(ctx.network),
      fundingValueSat: valueSat,
      pushMsat,
      userChannelId,
      theirFeatures,
    },
    channelOptionsOf(ctx, config, config.trustedPeers0conf.includes(nodeId)),
  );
  const entry = newEntry(ctx, channel, nodeId, config);
  ctx.absorb(entry, output);
  return channel.channelId;
}

/** Removes and returns a held `open_channel`; `ChannelUnavailableError` when there is none. */
export function takeRequest(
  ctx: ManagerContext,
  temporaryChannelId: string,
  counterpartyNodeId: string,
): InboundRequest {
  const id = parseChannelIdHex(temporaryChannelId);
  const nodeId = parseNodeIdHex(counterpartyNodeId);
  const request = ctx.inbound.get(`${nodeId}:${id}`);
  if (request === undefined) {
    throw new ChannelUnavailableError(`no pending open_channel ${id} from ${nodeId}`, id);
  }
  ctx.inbound.delete(`${nodeId}:${id}`);
  return request;
}

/** The host accepted a held `open_channel`. */
export function acceptRequest(
  ctx: ManagerContext,
  temporaryChannelId: string,
  counterpartyNodeId: string,
  userChannelId: bigint,
  trusted0conf: boolean,
): void {
  if (typeof userChannelId !== 'bigint' || userChannelId < 0n || userChannelId >= 1n << 128n) {
    throw new APIMisuseError('userChannelId must be a u128 bigint');
  }
  const request = takeRequest(ctx, temporaryChannelId, counterpartyNodeId);
  acceptOpen(ctx, request.counterpartyNodeId, request.open, userChannelId, trusted0conf);
}

/** Adds the manager's entry for a new channel. */
function newEntry(
  ctx: ManagerContext,
  channel: Channel,
  nodeId: string,
  config: UserConfig,
): ChannelEntry {
  const entry: ChannelEntry = {
    channel,
    counterpartyNodeId: nodeId,
    temporaryChannelId: channel.channelId,
    config,
    fundingScript: undefined,
    fundingOutpoint: undefined,
    inProgressUpdates: 0,
    confirmedBlockHash: undefined,
    stopped: false,
    closeReason: undefined,
    shutdownInitiatedLocally: false,
    createdAtHeight: ctx.bestBlock.height,
  };
  ctx.entries.push(entry);
  return entry;
}

/** A peer's `open_channel`: refused, held for the host, or accepted. */
export function handleOpen(ctx: ManagerContext, nodeId: string, open: OpenChannelMessage): void {
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
      channelOptionsOf(ctx, ctx.config, trusted0conf),
    );
    const entry = newEntry(ctx, channel, nodeId, ctx.config);
    ctx.absorb(entry, output);
  } catch (e) {
    if (!(e instanceof ChannelError)) throw e;
    ctx.log('info', `refused open_channel: ${e.message}`, nodeId);
    ctx.send(nodeId, errorMessageFor(open.temporaryChannelId, e.message));
  }
}
