/**
 * What boltkit advertises, in one place: the feature vectors of our `init`, our
 * `node_announcement` and our BOLT 11 invoices, and the channel types we open and accept.
 * BOLT 9 says a node "MUST NOT set feature bits it does not support", so a bit goes here only
 * once boltkit implements it; each entry says why it is there.
 *
 * Required (even) bits, all ASSUMED by BOLT 9 but still demanded by deployed nodes:
 * - `option_data_loss_protect` (0): `channel_reestablish` always carries the last secret and the
 *   current per-commitment point.
 * - `var_onion_optin` (8): TLV onion payloads, the only kind boltkit builds and reads.
 * - `option_static_remotekey` (12): every channel type boltkit uses has it.
 * - `payment_secret` (14): every invoice carries a payment secret and every payment to us must
 *   echo it.
 * - `option_channel_type` (44): `open_channel`/`accept_channel` always carry `channel_type`.
 *
 * Optional (odd) bits:
 * - `gossip_queries` (7, init only): boltkit syncs the graph with `query_channel_range` and
 *   `query_short_channel_ids` and answers them from its `NetworkGraph`; several implementations
 *   only run query-based sync with peers that offer it.
 * - `basic_mpp` (17): payments to us may arrive in several parts (BOLT 4).
 * - `option_anchors` (23): anchor channels with zero-fee HTLC transactions are offered; boltkit
 *   falls back to static_remotekey channels with peers that do not support them.
 * - `option_shutdown_anysegwit` (27): `shutdown` accepts future segwit versions; nothing else
 *   changes.
 *
 * Deliberately absent until implemented: `option_upfront_shutdown_script`,
 * `gossip_queries_ex` (needs channel_update checksums), `option_support_large_channel`,
 * `option_route_blinding`, `option_dual_fund`, `option_quiesce`, `option_attribution_data`,
 * `option_onion_messages`, `option_provide_storage`, `option_scid_alias`,
 * `option_payment_metadata`, `option_zeroconf`, `option_simple_close`, `option_splice`.
 */
import { Features } from './features.js';

const required = Features.empty()
  .setRequired('option_data_loss_protect')
  .setRequired('var_onion_optin')
  .setRequired('option_static_remotekey')
  .setRequired('payment_secret')
  .setRequired('option_channel_type');

/** Features boltkit sends in `init` (BOLT 1). */
export const ourInitFeatures: Features = required
  .setOptional('gossip_queries')
  .setOptional('basic_mpp')
  .setOptional('option_anchors')
  .setOptional('option_shutdown_anysegwit');

/** Features boltkit puts in its `node_announcement` (BOLT 7): `init` minus `gossip_queries`. */
export const ourNodeAnnouncementFeatures: Features = required
  .setOptional('basic_mpp')
  .setOptional('option_anchors')
  .setOptional('option_shutdown_anysegwit');

/** Features boltkit puts in its BOLT 11 invoices. */
export const ourInvoiceFeatures: Features = Features.empty()
  .setRequired('var_onion_optin')
  .setRequired('payment_secret')
  .setOptional('basic_mpp');

/**
 * The channel types boltkit opens and accepts (BOLT 2, "Defined Channel Types"), in order of
 * preference. A channel type uses even bits only and the smallest bitmap.
 */
export const ourChannelTypes: { readonly anchors: Features; readonly staticRemotekey: Features } = {
  /** `option_anchors` + `option_static_remotekey` (bits 22 and 12). */
  anchors: Features.fromBits([12, 22]),
  /** `option_static_remotekey` alone (bit 12). */
  staticRemotekey: Features.fromBits([12]),
} as const;
