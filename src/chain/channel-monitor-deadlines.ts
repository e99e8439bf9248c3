/**
 * HTLC deadlines the chain must enforce (BOLT 2 "Requirements" on `cltv_expiry`, BOLT 5
 * "Failing a Channel"): while the channel is open, an HTLC that neither side settles off chain
 * must be settled on chain before the other side can take it. The monitor checks every HTLC of
 * our latest commitment and of the peer's unrevoked ones at each new block and raises
 * `HtlcExpiringSoon`, so the manager force-closes in time:
 *
 * - an HTLC we offered, once `LATENCY_GRACE_PERIOD_BLOCKS` past its expiry (the peer usually
 *   fails it off chain just after expiry; going on chain at once would close channels needlessly,
 *   and what matters is claiming the matching incoming HTLC upstream, which has its own margin);
 * - an HTLC we received and know the preimage of, once it expires within `CLTV_CLAIM_BUFFER`
 *   blocks (the HTLC-success transaction must confirm before the peer can time it out).
 *
 * Trimmed HTLCs count too: they still need failing back or claiming, and a channel where the
 * peer does not settle them is stuck anyway. The figures are LDK's.
 */
import { toHex } from '../util/bytes.js';
import type { MonitorState } from './channel-monitor-state.js';

/** Blocks before a received HTLC's expiry by which we go on chain to claim it. */
export const CLTV_CLAIM_BUFFER = 36;

/** Blocks past an offered HTLC's expiry we wait for the peer to fail it off chain. */
export const LATENCY_GRACE_PERIOD_BLOCKS = 3;

/**
 * Raises `HtlcExpiringSoon` for each HTLC past its deadline at `height` and not reported
 * before. Nothing is reported once the channel is closing (force-closed, funding spent, or
 * waiting for the peer's commitment). Returns whether an event was raised.
 */
export function watchHtlcDeadlines(state: MonitorState, height: number): boolean {
  if (
    state.fundingSpend !== undefined ||
    state.forceClosed ||
    state.counterpartyCurrentPerCommitmentPoint !== undefined
  ) {
    return false;
  }
  let raised = false;
  const commitments = [state.holder, ...state.counterparty];
  for (const commitment of commitments) {
    for (const htlc of commitment.htlcs) {
      const key = `${htlc.offered ? 'o' : 'r'}:${htlc.id}`;
      if (state.expiringReported.has(key)) continue;
      const paymentHash = toHex(htlc.paymentHash);
      const due = htlc.offered
        ? htlc.cltvExpiry + LATENCY_GRACE_PERIOD_BLOCKS <= height
        : htlc.cltvExpiry <= height + CLTV_CLAIM_BUFFER && state.preimages.has(paymentHash);
      if (!due) continue;
      state.expiringReported.add(key);
      state.pendingEvents.push({
        type: 'HtlcExpiringSoon',
        fundingOutpoint: { ...state.fundingOutpoint },
        channelId: state.channelId,
        offered: htlc.offered,
        htlcId: htlc.id,
        paymentHash,
        cltvExpiry: htlc.cltvExpiry,
        height,
      });
      raised = true;
    }
  }
  return raised;
}
