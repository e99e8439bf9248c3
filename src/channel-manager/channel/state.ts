/**
 * `ChannelState`: everything one channel knows, as plain data, so it serializes (`serialize.ts`)
 * and the phase modules (`establish.ts`, `htlcs.ts`, `commitment.ts`, `fee.ts`,
 * `reestablish.ts`, `shutdown.ts`) all work on the one type.
 *
 * ## Phases
 *
 * - `OurInitSent`: we opened; `open_channel` sent, waiting for `accept_channel`.
 * - `TheirInitSent`: they opened; `accept_channel` sent, waiting for `funding_created`.
 * - `FundingNegotiated`: we opened and they accepted; waiting for the host's funding transaction.
 * - `AwaitingFundingSigned`: `funding_created` sent, waiting for `funding_signed`.
 * - `AwaitingChannelReady`: both first commitments signed; waiting for the funding depth and the
 *   peer's `channel_ready` (flags `channelReadySent` / `channelReadyReceived`).
 * - `ChannelReady`: normal operation (BOLT 2 "Normal Operation").
 * - `ShutdownPending`: a `shutdown` was sent or received; HTLCs drain, no new ones are added.
 * - `ClosingNegotiation`: both `shutdown`s exchanged and no HTLC left; `closing_signed` rounds.
 * - `Closed`: closed cooperatively, force-closed or abandoned before funding.
 * - `AwaitingUnilateralClose`: the peer proved we lost state (`channel_reestablish`); our
 *   commitment must never be broadcast, we wait for the peer to close.
 *
 * ## Updates (BOLT 2 "Normal Operation")
 *
 * Each side's commitment is a `CommitmentSpec` (HTLC set, balances, feerate), always seen from
 * our side (`offered` = we offered it). Updates not yet in both commitments sit in an
 * `UpdateLog` as the very wire messages that carried them, in six lists (one update moves
 * through them as BOLT 2 lists its states):
 *
 * - `ourProposed`: we sent it, no `commitment_signed` from us covers it yet;
 * - `ourSigned`: in the counterparty commitment we signed, awaiting their `revoke_and_ack`;
 * - `ourAcked`: they revoked without it; it goes into our next commitment (their next signature);
 * - `theirProposed`: they sent it, no `commitment_signed` from them covers it yet;
 * - `theirAcked`: in our commitment (we revoked the old one); goes into their next commitment;
 * - `theirSigned`: in their commitment we signed, awaiting their `revoke_and_ack`, after which it
 *   is irrevocably committed (an added HTLC can be forwarded, a failed one failed back).
 *
 * Our next commitment is `holder.spec + ourAcked + theirProposed`; theirs is
 * `(pending ?? counterparty).spec + ourProposed + theirAcked` (`spec.ts`).
 */
import type { ChannelPublicKeys } from '../../keys/channel-signer.js';
import type { PerCommitmentSecretStore } from '../../keys/per-commitment-secret-store.js';
import type { ChannelType } from '../../tx/channel-type.js';
import type { Message } from '../../wire/message.js';
import type {
  UpdateAddHtlcMessage,
  UpdateFailHtlcMessage,
  UpdateFailMalformedHtlcMessage,
  UpdateFeeMessage,
  UpdateFulfillHtlcMessage,
} from '../../wire/messages/commitment.js';
import { APIMisuseError } from '../../util/errors.js';
import type { ChannelEvent } from './events.js';

export const ChannelPhase = {
  OurInitSent: 'OurInitSent',
  TheirInitSent: 'TheirInitSent',
  FundingNegotiated: 'FundingNegotiated',
  AwaitingFundingSigned: 'AwaitingFundingSigned',
  AwaitingChannelReady: 'AwaitingChannelReady',
  ChannelReady: 'ChannelReady',
  ShutdownPending: 'ShutdownPending',
  ClosingNegotiation: 'ClosingNegotiation',
  Closed: 'Closed',
  AwaitingUnilateralClose: 'AwaitingUnilateralClose',
} as const;
export type ChannelPhase = (typeof ChannelPhase)[keyof typeof ChannelPhase];

/**
 * One side's BOLT 2 parameters, as it announced them in `open_channel`/`accept_channel`. Most
 * of them constrain the *other* side: our `channelReserveSat` is what the peer must keep, our
 * `toSelfDelay` delays the peer's own outputs, our `maxAcceptedHtlcs` caps what it offers us.
 */
export interface SideParams {
  /** Outputs below this are left out of this side's own commitment and HTLC transactions. */
  readonly dustLimitSat: bigint;
  /** Cap on the total of HTLCs the other side offers to this one. */
  readonly maxHtlcValueInFlightMsat: bigint;
  /** What the other side must keep in its balance. */
  readonly channelReserveSat: bigint;
  /** The smallest HTLC this side accepts. */
  readonly htlcMinimumMsat: bigint;
  /** CSV blocks on the other side's own outputs in the other side's commitment. */
  readonly toSelfDelay: number;
  /** How many HTLCs the other side may offer to this one at once. */
  readonly maxAcceptedHtlcs: number;
  readonly pubkeys: ChannelPublicKeys;
  /** `upfront_shutdown_script`; zero length when this side committed to none. */
  readonly upfrontShutdownScript: Uint8Array;
}

export type HtlcDirection = 'offered' | 'received';

/** One HTLC of a commitment, seen from our side. */
export interface SpecHtlc {
  /** `offered`: we offered it (it pays the peer on fulfilment); `received`: the peer did. */
  readonly direction: HtlcDirection;
  /** The offerer's `update_add_htlc` id. */
  readonly id: bigint;
  readonly amountMsat: bigint;
  readonly paymentHash: Uint8Array;
  readonly cltvExpiry: number;
}

/** The content of one commitment transaction, from our side. */
export interface CommitmentSpec {
  /** In the order the HTLCs were added. */
  readonly htlcs: readonly SpecHtlc[];
  readonly toHolderMsat: bigint;
  readonly toCounterpartyMsat: bigint;
  readonly feerateSatPerKw: number;
}

/** Our latest commitment, with the peer's signatures that make it broadcastable. */
export interface HolderCommitment {
  readonly commitmentNumber: number;
  readonly spec: CommitmentSpec;
  /** Internal byte order. */
  readonly txid: Uint8Array;
  readonly counterpartySignature: Uint8Array;
  /** One per untrimmed HTLC, in commitment output order. */
  readonly counterpartyHtlcSignatures: readonly Uint8Array[];
}

/** A commitment of the peer that we signed. */
export interface CounterpartyCommitment {
  readonly commitmentNumber: number;
  readonly perCommitmentPoint: Uint8Array;
  readonly spec: CommitmentSpec;
  /** Internal byte order. */
  readonly txid: Uint8Array;
}

/** The counterparty commitment we signed last, before its `revoke_and_ack` came. */
export interface PendingRevocation {
  readonly commitment: CounterpartyCommitment;
  /**
   * Our holder commitment number when we sent that `commitment_signed`. On reconnection it says
   * whether it went out before or after our last `revoke_and_ack` (BOLT 2: retransmit both in
   * the order first sent).
   */
  readonly sentAfterHolderCommitmentNumber: number;
}

/** The wire messages that change a commitment. */
export type UpdateMessage =
  | UpdateAddHtlcMessage
  | UpdateFulfillHtlcMessage
  | UpdateFailHtlcMessage
  | UpdateFailMalformedHtlcMessage
  | UpdateFeeMessage;

/** See the module comment. Lists are in the order the messages were sent or received. */
export interface UpdateLog {
  ourProposed: UpdateMessage[];
  ourSigned: UpdateMessage[];
  ourAcked: UpdateMessage[];
  theirProposed: UpdateMessage[];
  theirAcked: UpdateMessage[];
  theirSigned: UpdateMessage[];
}

/**
 * Why a received HTLC is to be failed back instead of forwarded once committed: it would raise
 * our dust exposure over the limit, leave the funder without its fee spike buffer, or it came
 * after our `shutdown`.
 */
export type HtlcRefusal = 'dust_exposure' | 'fee_spike_buffer' | 'shutting_down';

/** The funding output, once the funder has built the transaction. */
export interface FundingInfo {
  /** Internal byte order, as `funding_created` carries it. */
  readonly txid: Uint8Array;
  readonly outputIndex: number;
  /** The signed funding transaction (funder only), to hand over once `funding_signed` came. */
  readonly tx: Uint8Array | undefined;
  /** Height of the block that confirmed it, once reported. */
  readonly confirmationHeight: number | undefined;
}

/** The legacy `closing_signed` negotiation (BOLT 2 "Legacy Closing Negotiation"). */
export interface ClosingNegotiation {
  /** Our acceptable fee range, fixed when negotiation starts. */
  readonly ourMinFeeSat: bigint;
  readonly ourMaxFeeSat: bigint;
  readonly lastSentFeeSat: bigint | undefined;
  readonly lastReceivedFeeSat: bigint | undefined;
}

/** The whole channel; see the module comment. Fields change only through the phase modules. */
export interface ChannelState {
  phase: ChannelPhase;
  readonly isOutbound: boolean;
  readonly chainHash: Uint8Array;
  readonly temporaryChannelId: Uint8Array;
  /** The temporary id until the funding outpoint is known, then BOLT 2's `channel_id`. */
  channelId: Uint8Array;
  /** The host's u128 label for the channel. */
  readonly userChannelId: bigint;
  /** Re-derives the signer through `KeysInterface.deriveChannelSigner`. */
  readonly channelKeysId: Uint8Array;
  channelType: ChannelType;
  /** The exact `channel_type` feature bytes agreed. */
  channelTypeBytes: Uint8Array;
  readonly announceChannel: boolean;
  readonly fundingValueSat: bigint;
  readonly pushMsat: bigint;
  /** `feerate_per_kw` of `open_channel`: the feerate of both first commitments. */
  readonly initialFeerateSatPerKw: number;
  /** What we announced. */
  readonly holderParams: SideParams;
  /** What the peer announced; unset until `open_channel`/`accept_channel` arrives. */
  counterpartyParams: SideParams | undefined;
  /** Confirmations before `channel_ready`: the accepter's `minimum_depth`. */
  minimumDepth: number;
  /** `option_shutdown_anysegwit` was negotiated in `init`. */
  readonly anySegwitShutdown: boolean;
  funding: FundingInfo | undefined;
  /** The peer's `first_per_commitment_point`, for its commitment 0. */
  counterpartyFirstPerCommitmentPoint: Uint8Array | undefined;
  holderCommitment: HolderCommitment | undefined;
  counterpartyCommitment: CounterpartyCommitment | undefined;
  pendingRevocation: PendingRevocation | undefined;
  /** The peer's point for its next commitment (after `channel_ready` / `revoke_and_ack`). */
  counterpartyNextPerCommitmentPoint: Uint8Array | undefined;
  updates: UpdateLog;
  nextOutgoingHtlcId: bigint;
  nextIncomingHtlcId: bigint;
  /** Received HTLCs to fail back, not forward, once irrevocably committed. */
  refusedIncomingHtlcs: { readonly id: bigint; readonly refusal: HtlcRefusal }[];
  /** The peer's revealed per-commitment secrets (BOLT 3 compact store). */
  readonly counterpartySecrets: PerCommitmentSecretStore;
  channelReadySent: boolean;
  channelReadyReceived: boolean;
  /** The `short_channel_id` alias we gave the peer in `channel_ready`. */
  ourAlias: bigint | undefined;
  /** The alias the peer gave us. */
  theirAlias: bigint | undefined;
  /** The real short channel id once the funding confirmed at a known position. */
  shortChannelId: bigint | undefined;
  /** The best block height the manager reported. */
  bestBlockHeight: number | undefined;
  /** The id the next `ChannelMonitorUpdate` gets; 0 is the monitor's creation. */
  nextMonitorUpdateId: bigint;
  /** An update was handed out and not yet reported persisted. */
  monitorUpdateInProgress: boolean;
  /** Messages waiting for the monitor update in progress, in order. */
  heldMessages: Message[];
  /** Events waiting for the monitor update in progress, in order. */
  heldEvents: ChannelEvent[];
  /** Disconnected, or connected and `channel_reestablish` not yet exchanged. */
  awaitingReestablish: boolean;
  /** The script of our `shutdown`, once decided. */
  holderShutdownScript: Uint8Array | undefined;
  counterpartyShutdownScript: Uint8Array | undefined;
  shutdownSent: boolean;
  shutdownReceived: boolean;
  closing: ClosingNegotiation | undefined;
  /**
   * The feerate the host asked the mutual close to pay (`initiateShutdown`), or `undefined` to
   * follow the fee estimator; `closing.ts` derives our `closing_signed` fee and range from it.
   */
  targetClosingFeerateSatPerKw: number | undefined;
  /** Why the channel closed, for logs. */
  closeReason: string | undefined;
}

/** An empty update log. */
export function emptyUpdateLog(): UpdateLog {
  return {
    ourProposed: [],
    ourSigned: [],
    ourAcked: [],
    theirProposed: [],
    theirAcked: [],
    theirSigned: [],
  };
}

/** True once both first commitments are signed: from here on the channel has funds to guard. */
export function isFunded(state: ChannelState): boolean {
  return state.holderCommitment !== undefined && state.counterpartyCommitment !== undefined;
}

/** The commitment state every post-funding operation needs. */
export interface FundedView {
  readonly counterpartyParams: SideParams;
  readonly funding: FundingInfo;
  readonly holder: HolderCommitment;
  readonly counterparty: CounterpartyCommitment;
}

/** The funded part of the state; `APIMisuseError` before both first commitments exist. */
export function fundedView(state: ChannelState): FundedView {
  const { counterpartyParams, funding, holderCommitment, counterpartyCommitment } = state;
  if (
    counterpartyParams === undefined ||
    funding === undefined ||
    holderCommitment === undefined ||
    counterpartyCommitment === undefined
  ) {
    throw new APIMisuseError(`channel is not funded yet (phase ${state.phase})`);
  }
  return {
    counterpartyParams,
    funding,
    holder: holderCommitment,
    counterparty: counterpartyCommitment,
  };
}

/** Removals and fee updates also go on while a shutdown drains the HTLCs. */
export function acceptsUpdates(state: ChannelState): boolean {
  return state.phase === ChannelPhase.ChannelReady || state.phase === ChannelPhase.ShutdownPending;
}
