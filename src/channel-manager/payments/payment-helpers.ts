/**
 * Small lookups the payment modules share: channels by short channel id (real or our alias),
 * our usable channels as first hops for the router, the clock, and failing an incoming HTLC back
 * with a BOLT 4 failure.
 */
import type { PaymentPreimageStep } from '../../chain/channel-monitor-update-steps.js';
import { ChannelMonitorUpdateStatus } from '../../chain/watch.js';
import { createFailurePacket, wrapFailurePacket } from '../../onion/failure.js';
import type { FailureMessage } from '../../onion/failure-message.js';
import type { FirstHop } from '../../routing/route.js';
import { outboundCapacityMsatOf } from '../channel-details.js';
import { ChannelError } from '../channel/errors.js';
import type { SendHtlcRequest } from '../channel/htlc-add.js';
import { ChannelPhase } from '../channel/state.js';
import type { ManagerContext } from '../manager-context.js';
import type { ChannelEntry } from '../manager-state.js';

/** A channel can carry a new HTLC now: ready, peer connected, reestablished, not stopped. */
export function isUsable(ctx: ManagerContext, entry: ChannelEntry): boolean {
  const s = entry.channel.state;
  return (
    s.phase === ChannelPhase.ChannelReady &&
    !s.shutdownSent &&
    !s.shutdownReceived &&
    !s.awaitingReestablish &&
    !entry.stopped &&
    ctx.peers.has(entry.counterpartyNodeId)
  );
}

/**
 * The channel an onion's `short_channel_id` names: its real scid, or the alias we sent the peer
 * in `channel_ready` (BOLT 2 `option_scid_alias`: the alias we send, we accept for forwarding).
 */
export function entryByScid(ctx: ManagerContext, scid: bigint): ChannelEntry | undefined {
  return ctx.entries.find(
    (e) => e.channel.state.shortChannelId === scid || e.channel.state.ourAlias === scid,
  );
}

/** A live channel by hex channel id. */
export function entryByChannelId(ctx: ManagerContext, channelId: string): ChannelEntry | undefined {
  return ctx.entries.find((e) => e.channel.channelId === channelId);
}

/** Our usable channels as the router's first hops. */
export function firstHops(ctx: ManagerContext): FirstHop[] {
  const hops: FirstHop[] = [];
  for (const entry of ctx.entries) {
    if (!isUsable(ctx, entry)) continue;
    const s = entry.channel.state;
    const scid = s.shortChannelId ?? s.ourAlias;
    if (scid === undefined) continue;
    const capacity = outboundCapacityMsatOf(entry.channel.state);
    // The peer's max_htlc_value_in_flight_msat bounds what we may have offered at once (BOLT 2).
    let offered = 0n;
    for (const o of ctx.payments.outgoingHtlcs.values()) {
      if (o.channelId === entry.channel.channelId) offered += o.amountMsat;
    }
    const inflightRoom = (s.counterpartyParams?.maxHtlcValueInFlightMsat ?? 0n) - offered;
    const limit = inflightRoom < capacity ? inflightRoom : capacity;
    hops.push({
      counterpartyNodeId: entry.counterpartyNodeId,
      shortChannelId: scid,
      // Both bound the sum of the parts a router puts on this channel: the in-flight limit is
      // an aggregate, so it caps the capacity too.
      outboundCapacityMsat: limit > 0n ? limit : 0n,
      htlcMinimumMsat: s.counterpartyParams?.htlcMinimumMsat ?? 1n,
      nextOutboundHtlcLimitMsat: limit > 0n ? limit : 0n,
    });
  }
  return hops;
}

/** An incoming HTLC to fail back. */
export interface IncomingRef {
  readonly channelId: string;
  readonly counterpartyNodeId: string;
  readonly htlcId: bigint;
  readonly sharedSecret: Uint8Array;
}

/**
 * Fails an incoming HTLC: our own failure message encrypted with the HTLC's shared secret, or a
 * downstream failure packet wrapped with it (BOLT 4 "Returning Errors"). A channel gone since
 * (closed on chain) is left to its monitor.
 */
export function failIncoming(
  ctx: ManagerContext,
  ref: IncomingRef,
  failure:
    | { readonly message: FailureMessage }
    | { readonly packet: { readonly reason: Uint8Array; readonly attributionData?: Uint8Array } },
): void {
  const entry = entryByChannelId(ctx, ref.channelId);
  if (entry === undefined) {
    ctx.log('warn', `cannot fail HTLC ${ref.htlcId}: the channel is gone`, ref.counterpartyNodeId);
    return;
  }
  const packet =
    'message' in failure
      ? createFailurePacket(ref.sharedSecret, failure.message, { crypto: ctx.crypto })
      : wrapFailurePacket(ref.sharedSecret, failure.packet, { crypto: ctx.crypto });
  ctx.run(entry, () => entry.channel.failHtlc(ref.htlcId, packet.reason));
  ctx.touch(entry);
}

/**
 * Offers an HTLC on `entry` (signed when the operation ends). Returns its id, or the reason the
 * channel refused it (BOLT 2 sender rules: balance, reserve, HTLC count, in-flight limit).
 */
export function trySendHtlc(
  ctx: ManagerContext,
  entry: ChannelEntry,
  request: SendHtlcRequest,
): { readonly htlcId: bigint } | { readonly error: string } {
  let result;
  try {
    result = entry.channel.sendHtlc(request);
  } catch (e) {
    if (e instanceof ChannelError) return { error: e.message };
    throw e;
  }
  ctx.markDirty();
  ctx.absorb(entry, result.output);
  ctx.touch(entry);
  return { htlcId: result.htlcId };
}

/**
 * Hands `paymentPreimage` to the monitor of a channel that already went to chain, so it claims
 * the HTLC there (the channel itself can no longer fulfil it). Returns false, after logging, when
 * the channel is unknown or its next update id was not kept.
 */
export function preimageToClosedChannel(
  ctx: ManagerContext,
  channelId: string,
  paymentPreimage: Uint8Array,
): boolean {
  const closed = ctx.closed.get(channelId);
  const updateId = closed?.nextMonitorUpdateId;
  if (closed === undefined || updateId === undefined) {
    ctx.log('error', `no monitor to hand a preimage to for channel ${channelId}`);
    return false;
  }
  const step: PaymentPreimageStep = {
    type: 'PaymentPreimage',
    paymentPreimage: paymentPreimage.slice(),
  };
  const status = ctx.watch.updateChannel(closed.fundingOutpoint, {
    updateId,
    channelId,
    steps: [step],
  });
  closed.nextMonitorUpdateId = updateId + 1n;
  ctx.markDirty();
  if (status === ChannelMonitorUpdateStatus.UnrecoverableError) {
    ctx.log('error', `the monitor of channel ${channelId} refused a preimage`);
    return false;
  }
  return true;
}
