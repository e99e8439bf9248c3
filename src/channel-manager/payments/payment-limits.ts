/**
 * Block counts that keep payments safe on chain. They line up with the monitor's deadlines
 * (`src/chain/channel-monitor-deadlines.ts`): the monitor goes to chain for an HTLC we can claim
 * once it expires within `CLTV_CLAIM_BUFFER`, so an HTLC we cannot claim yet is failed back
 * before that, and an invoice asks for enough blocks that a payment arriving late still leaves
 * the receiver time to claim it.
 */
import {
  CLTV_CLAIM_BUFFER,
  LATENCY_GRACE_PERIOD_BLOCKS,
} from '../../chain/channel-monitor-deadlines.js';

/**
 * A received HTLC not claimed by `cltv_expiry - HTLC_FAIL_BACK_BUFFER` is failed back: after it
 * the monitor would have to claim it on chain (`claimDeadline` of `PaymentClaimable`).
 */
export const HTLC_FAIL_BACK_BUFFER: number = CLTV_CLAIM_BUFFER + LATENCY_GRACE_PERIOD_BLOCKS;

/** The `min_final_cltv_expiry_delta` of our invoices, and the least we accept at all. */
export const MIN_FINAL_CLTV_EXPIRY_DELTA: number = HTLC_FAIL_BACK_BUFFER + 3;

/** The least `cltv_expiry_delta` a forwarding channel may be configured with. */
export const MIN_CLTV_EXPIRY_DELTA: number = 6 * 8;

/** An incoming HTLC expiring further away than this is refused (`expiry_too_far`, BOLT 4). */
export const CLTV_FAR_FAR_AWAY: number = 14 * 24 * 6;

/** A forward whose outgoing HTLC would expire within this many blocks is `expiry_too_soon`. */
export const FORWARD_EXPIRY_GRACE: number = LATENCY_GRACE_PERIOD_BLOCKS;

/** Timer ticks an incomplete multi-part payment waits for its other parts (BOLT 4 `mpp_timeout`). */
export const MPP_TIMEOUT_TICKS: number = 3;

/** Timer ticks a resolved outbound payment is remembered, so its id cannot pay twice. */
export const IDEMPOTENCY_TIMEOUT_TICKS: number = 7;

/** The final node accepts an HTLC whose expiry is this many blocks short of its request. */
export const FINAL_CLTV_TOLERANCE: number = 2;
