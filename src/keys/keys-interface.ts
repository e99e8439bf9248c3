/**
 * `KeysInterface`: everything boltkit asks of the node's keys, in one host-implementable
 * interface (LDK's `NodeSigner` + `SignerProvider` + `EntropySource`). `KeysManager` implements
 * it from a seed; a host with its own key store or a remote signer implements it instead.
 *
 * It is also the only source of randomness in the core (ephemeral keys, onion session keys,
 * nonces), so a test that builds every node from a fixed seed is deterministic.
 *
 * All methods are synchronous; keys are 33-byte compressed, signatures 64-byte compact (r || s,
 * low-S). Implementations throw `BoltkitError`s: `CryptoError` for an invalid key given,
 * `APIMisuseError` for malformed arguments.
 */
import type { ChannelSigner } from './channel-signer.js';

/** A recoverable signature, as BOLT 11 invoices carry it. */
export interface RecoverableSignature {
  /** 64-byte compact signature (r || s), low-S. */
  readonly signature: Uint8Array;
  /** 0..3, so a reader recovers the node id from the signature. */
  readonly recoveryId: number;
}

export interface KeysInterface {
  /** Our node id: the 33-byte compressed node public key (BOLT 7 `node_id`). */
  getNodeId(): Uint8Array;

  /**
   * ECDH with the node key, as BOLT 8 (transport) and BOLT 4 (onion) use it: SHA256 of the
   * compressed shared point `publicKey * nodeSecret`. With `tweak` (32 bytes), the node secret is
   * first multiplied by it, for blinded paths (BOLT 4 "Route Blinding").
   */
  ecdh(publicKey: Uint8Array, tweak?: Uint8Array): Uint8Array;

  /**
   * Signs a gossip message with the node key: `digest32` is the double-SHA256 of the message
   * after its signature fields (BOLT 7 `node_announcement` `signature`, `channel_announcement`
   * `node_signature_1/2`, `channel_update` `signature`).
   */
  signGossipMessage(digest32: Uint8Array): Uint8Array;

  /**
   * Signs an invoice with the node key (BOLT 11 "Data Part: signature"). `invoicePreimage` is
   * what BOLT 11 hashes: the human-readable part as ASCII bytes followed by the data part's 5-bit
   * words (without the signature) packed into bytes, zero-padded to a byte boundary. The signer
   * hashes it with SHA256 itself, so it sees what it signs.
   */
  signInvoice(invoicePreimage: Uint8Array): RecoverableSignature;

  /**
   * A new 32-byte id for a channel's keys; persist it with the channel (it is all that is
   * needed to get the same signer back from `deriveChannelSigner`). Never returns the same id
   * twice, also across restarts. `userChannelId` is the host's u128 channel label.
   */
  generateChannelKeysId(
    inbound: boolean,
    channelValueSat: bigint,
    userChannelId: bigint,
  ): Uint8Array;

  /** The signer of the channel whose keys id is `channelKeysId`; deterministic in the id. */
  deriveChannelSigner(channelValueSat: bigint, channelKeysId: Uint8Array): ChannelSigner;

  /**
   * The P2WPKH script our claimed on-chain funds go to (swept outputs, HTLC claims).
   * `channelKeysId`, when given, lets an implementation pick a script per channel.
   */
  getDestinationScript(channelKeysId?: Uint8Array): Uint8Array;

  /** The script for `shutdown.scriptpubkey` (BOLT 2): where a mutual close pays us. */
  getShutdownScriptpubkey(): Uint8Array;

  /** 32 fresh random bytes, never the same twice. */
  getSecureRandomBytes(): Uint8Array;

  /**
   * The 32-byte secret behind stateless inbound payments (`createInboundPayment`): payment
   * secrets and preimages are derived from it, so invoices need no per-invoice storage. It must
   * be the same on every start (derived from the seed, or stored), or payments to invoices issued
   * before a restart are no longer recognised. Keep it as secret as the node key: anyone holding
   * it can compute the preimages of our invoices. Returns a new copy on each call.
   */
  getInboundPaymentKeyMaterial(): Uint8Array;
}
