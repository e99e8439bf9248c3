/**
 * `KeysManager`: the default `KeysInterface`, deriving every key of the node from one 32-byte
 * seed, so that the seed alone restores them. The derivation is fixed forever (a test pins it);
 * `DERIVATION.md` beside this file describes it for people restoring funds by other means.
 *
 * BIP 32 (hardened) from the seed's master key:
 *
 *     m/0'  node secret (node id, ECDH, gossip and invoice signatures)
 *     m/1'  destination key: P2WPKH for swept on-chain funds
 *     m/2'  shutdown key: P2WPKH for `shutdown.scriptpubkey`
 *     m/3'  channel master: the key of the per-channel HMACs below
 *     m/4'  entropy: keys the random-byte stream together with the starting time
 *     m/5'  inbound payments: HMAC-SHA256(key = m/5' secret, data = ascii("inbound_payment_key"))
 *           is the key material of stateless invoices (`getInboundPaymentKeyMaterial`)
 *
 * Per channel, from `channelKeysId` (32 bytes, see `generateChannelKeysId`):
 *
 *     secret(label) = HMAC-SHA256(key = m/3' secret, data = channelKeysId || ascii(label))
 *
 * with the labels `funding`, `revocation`, `payment`, `delayed_payment`, `htlc` (the five base
 * secrets of BOLT 3 "Keys") and `commitment_seed` (the per-commitment secret seed).
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { concatBytes } from '../util/bytes.js';
import { APIMisuseError, CryptoError } from '../util/errors.js';
import { HARDENED, derivePath, masterKeyFromSeed } from './bip32.js';
import type { ChannelSigner } from './channel-signer.js';
import {
  U32_MAX,
  assertByteArray,
  assertLength,
  assertPoint,
  assertSat,
  assertUint,
} from './checks.js';
import { InMemorySigner, type InMemorySignerKeys } from './in-memory-signer.js';
import type { KeysInterface, RecoverableSignature } from './keys-interface.js';
import {
  type GetRandomValues,
  SeededRandomBytes,
  platformGetRandomValues,
} from './random-bytes.js';

export interface KeysManagerOptions {
  readonly crypto?: CryptoBackend;
  /**
   * Platform randomness mixed into `getSecureRandomBytes`. Defaults to Web Crypto's
   * `globalThis.crypto.getRandomValues` (Node 20+, browsers, React Native with a polyfill).
   * `null` uses the seed, starting time and a counter only: reproducible, for tests, and still
   * safe as long as no two instances share a seed and starting time.
   */
  readonly getRandomValues?: GetRandomValues | null;
}

const U128_LIMIT = 1n << 128n;

/** The label that turns the m/5' secret into the inbound payment key material. */
const INBOUND_PAYMENT_LABEL = Uint8Array.from('inbound_payment_key', (c) => c.charCodeAt(0));

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** The per-channel labels of the module comment, in `InMemorySignerKeys` field order. */
const CHANNEL_LABELS = {
  fundingKey: ascii('funding'),
  revocationBaseKey: ascii('revocation'),
  paymentKey: ascii('payment'),
  delayedPaymentBaseKey: ascii('delayed_payment'),
  htlcBaseKey: ascii('htlc'),
  commitmentSeed: ascii('commitment_seed'),
} as const;

/** BIP 141 P2WPKH output script: `OP_0 <20-byte HASH160(pubkey)>`. */
function p2wpkhScript(pubkey: Uint8Array, crypto: CryptoBackend): Uint8Array {
  return concatBytes(Uint8Array.of(0x00, 0x14), crypto.hash160(pubkey));
}

/** The default `KeysInterface`; see the module comment for the derivation. */
export class KeysManager implements KeysInterface {
  readonly #crypto: CryptoBackend;
  readonly #nodeSecret: Uint8Array;
  readonly #nodeId: Uint8Array;
  readonly #destinationScript: Uint8Array;
  readonly #shutdownScript: Uint8Array;
  readonly #channelMaster: Uint8Array;
  readonly #inboundPaymentKeyMaterial: Uint8Array;
  readonly #startingTimeSecs: number;
  readonly #startingTimeNanos: number;
  readonly #random: SeededRandomBytes;
  #channelCounter = 0;

  /**
   * `seed` is 32 secret bytes; the host must store it durably (it restores every key).
   * `startingTimeSecs` and `startingTimeNanos` must differ between runs with the same seed (the
   * current time at start-up does): they go into every channel keys id and the random stream,
   * so a restarted node never reuses the keys of a channel opened before.
   *
   * Throws `APIMisuseError` for a seed that is not 32 bytes, a starting time that is not a
   * non-negative integer (nanoseconds a u32), or no platform randomness when `getRandomValues`
   * is left out. Throws `CryptoError` for a seed whose BIP 32 keys are invalid (about 2^-127).
   */
  constructor(
    seed: Uint8Array,
    startingTimeSecs: number,
    startingTimeNanos: number,
    options: KeysManagerOptions = {},
  ) {
    const crypto = options.crypto ?? nobleBackend;
    this.#crypto = crypto;
    assertLength(seed, 32, 'seed');
    this.#startingTimeSecs = assertUint(
      startingTimeSecs,
      Number.MAX_SAFE_INTEGER,
      'startingTimeSecs',
    );
    this.#startingTimeNanos = assertUint(startingTimeNanos, U32_MAX, 'startingTimeNanos');
    let getRandomValues: GetRandomValues | null;
    if (options.getRandomValues === undefined) {
      const platform = platformGetRandomValues();
      if (platform === undefined) {
        throw new APIMisuseError(
          'KeysManager: no globalThis.crypto.getRandomValues; pass options.getRandomValues',
        );
      }
      getRandomValues = platform;
    } else {
      getRandomValues = options.getRandomValues;
    }

    const master = masterKeyFromSeed(seed, crypto);
    const child = (i: number): Uint8Array => derivePath(master, [HARDENED + i], crypto).secretKey;
    this.#nodeSecret = child(0);
    this.#nodeId = crypto.getPublicKey(this.#nodeSecret);
    this.#destinationScript = p2wpkhScript(crypto.getPublicKey(child(1)), crypto);
    this.#shutdownScript = p2wpkhScript(crypto.getPublicKey(child(2)), crypto);
    this.#channelMaster = child(3);
    this.#inboundPaymentKeyMaterial = crypto.hmacSha256(child(5), INBOUND_PAYMENT_LABEL);
    const time = new Uint8Array(12);
    const view = new DataView(time.buffer);
    view.setUint32(0, Math.floor(this.#startingTimeSecs / 2 ** 32));
    view.setUint32(4, this.#startingTimeSecs >>> 0);
    view.setUint32(8, this.#startingTimeNanos);
    const entropyKey = crypto.sha256(concatBytes(child(4), time));
    this.#random = new SeededRandomBytes(entropyKey, crypto, getRandomValues);
  }

  getNodeId(): Uint8Array {
    return this.#nodeId.slice();
  }

  ecdh(publicKey: Uint8Array, tweak?: Uint8Array): Uint8Array {
    assertPoint(publicKey, 'publicKey', this.#crypto);
    let secret = this.#nodeSecret;
    if (tweak !== undefined) {
      assertLength(tweak, 32, 'tweak');
      secret = this.#crypto.privateMultiply(secret, tweak);
    }
    return this.#crypto.ecdh(secret, publicKey);
  }

  signGossipMessage(digest32: Uint8Array): Uint8Array {
    assertLength(digest32, 32, 'digest32');
    return this.#crypto.sign(digest32, this.#nodeSecret);
  }

  signInvoice(invoicePreimage: Uint8Array): RecoverableSignature {
    assertByteArray(invoicePreimage, 'invoicePreimage');
    const digest = this.#crypto.sha256(invoicePreimage);
    return this.#crypto.signRecoverable(digest, this.#nodeSecret);
  }

  /**
   * The id is `counter (u32) || startingTimeNanos (u32) || startingTimeSecs (u64) ||
   * userChannelId (u128)`, big-endian: the counter and starting time make it unique per instance
   * and run. `inbound` and `channelValueSat` are checked but not used by this implementation.
   * Throws `APIMisuseError` for arguments out of range or after 2^32 channels in one run.
   */
  generateChannelKeysId(
    inbound: boolean,
    channelValueSat: bigint,
    userChannelId: bigint,
  ): Uint8Array {
    if (typeof inbound !== 'boolean') throw new APIMisuseError('inbound: expected boolean');
    assertSat(channelValueSat, 'channelValueSat');
    if (typeof userChannelId !== 'bigint' || userChannelId < 0n || userChannelId >= U128_LIMIT) {
      throw new APIMisuseError(
        `userChannelId: expected a bigint in [0, 2^128), got ${String(userChannelId)}`,
      );
    }
    if (this.#channelCounter > U32_MAX) {
      throw new APIMisuseError('generateChannelKeysId: channel counter exhausted; restart');
    }
    const id = new Uint8Array(32);
    const view = new DataView(id.buffer);
    view.setUint32(0, this.#channelCounter++);
    view.setUint32(4, this.#startingTimeNanos);
    view.setUint32(8, Math.floor(this.#startingTimeSecs / 2 ** 32));
    view.setUint32(12, this.#startingTimeSecs >>> 0);
    for (let i = 0; i < 4; i++) {
      view.setUint32(16 + 4 * i, Number((userChannelId >> BigInt(96 - 32 * i)) & 0xffffffffn));
    }
    return id;
  }

  /**
   * Throws `APIMisuseError` for an id that is not 32 bytes and `CryptoError` in the (about
   * 2^-128) case of a derived secret out of range.
   */
  deriveChannelSigner(channelValueSat: bigint, channelKeysId: Uint8Array): ChannelSigner {
    return this.deriveInMemorySigner(channelValueSat, channelKeysId);
  }

  /** `deriveChannelSigner` with the concrete type, for hosts that use `InMemorySigner` methods. */
  deriveInMemorySigner(channelValueSat: bigint, channelKeysId: Uint8Array): InMemorySigner {
    assertSat(channelValueSat, 'channelValueSat');
    assertLength(channelKeysId, 32, 'channelKeysId');
    const secret = (label: Uint8Array): Uint8Array =>
      this.#crypto.hmacSha256(this.#channelMaster, concatBytes(channelKeysId, label));
    const keys: InMemorySignerKeys = {
      fundingKey: secret(CHANNEL_LABELS.fundingKey),
      revocationBaseKey: secret(CHANNEL_LABELS.revocationBaseKey),
      paymentKey: secret(CHANNEL_LABELS.paymentKey),
      delayedPaymentBaseKey: secret(CHANNEL_LABELS.delayedPaymentBaseKey),
      htlcBaseKey: secret(CHANNEL_LABELS.htlcBaseKey),
      commitmentSeed: secret(CHANNEL_LABELS.commitmentSeed),
    };
    try {
      return new InMemorySigner(keys, { channelValueSat, channelKeysId, crypto: this.#crypto });
    } catch (e) {
      if (e instanceof CryptoError) {
        throw new CryptoError('derived channel secret out of range; use another channel keys id', {
          cause: e,
        });
      }
      throw e;
    }
  }

  /** The same script for every channel; `channelKeysId` is checked when given, then unused. */
  getDestinationScript(channelKeysId?: Uint8Array): Uint8Array {
    if (channelKeysId !== undefined) assertLength(channelKeysId, 32, 'channelKeysId');
    return this.#destinationScript.slice();
  }

  getShutdownScriptpubkey(): Uint8Array {
    return this.#shutdownScript.slice();
  }

  getSecureRandomBytes(): Uint8Array {
    return this.#random.next();
  }

  /** Derived from the seed alone (see the module comment), so it survives restarts. */
  getInboundPaymentKeyMaterial(): Uint8Array {
    return this.#inboundPaymentKeyMaterial.slice();
  }
}
