/**
 * `InMemorySigner`: the default `ChannelSigner`, holding one channel's secrets in memory. It is
 * derived again from the `KeysManager` seed and the `channelKeysId`, so a host persists only the
 * id and the small state of `serializeState()` (how many holder secrets have been released).
 *
 * Key use follows BOLT 3 "Keys" and "Key Derivation":
 * https://github.com/lightning/bolts/blob/master/03-transactions.md#keys
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { APIMisuseError, DecodeError } from '../util/errors.js';
import type {
  ChannelParameters,
  ChannelPublicKeys,
  ChannelSigner,
  CounterpartyCommitmentRequest,
  CounterpartyCommitmentSignatures,
} from './channel-signer.js';
import {
  anchorScript,
  fundingScript,
  parametersKey,
  validateParameters,
} from './channel-parameters.js';
import { assertLength, assertPoint, assertSat, assertSecretKey } from './checks.js';
import { SignerError, SignerRefusal } from './errors.js';
import { derivePrivateKey, deriveRevocationPrivateKey } from './key-derivation.js';
import {
  MAX_COMMITMENT_NUMBER,
  assertCommitmentIndex,
  commitmentNumberToIndex,
  generateFromSeed,
} from './per-commitment-secret.js';
import { parseSignable } from './sighash.js';
import { SighashType, type SignableInput } from './signable-tx.js';

/** The six secrets of one channel (BOLT 3 "Keys"), 32 bytes each. */
export interface InMemorySignerKeys {
  readonly fundingKey: Uint8Array;
  readonly revocationBaseKey: Uint8Array;
  /** With `option_static_remotekey`, the key of the counterparty's `to_remote` output to us. */
  readonly paymentKey: Uint8Array;
  readonly delayedPaymentBaseKey: Uint8Array;
  readonly htlcBaseKey: Uint8Array;
  /** Seed of the per-commitment secrets (`generate_from_seed`); never leaves the signer. */
  readonly commitmentSeed: Uint8Array;
}

export interface InMemorySignerOptions {
  readonly channelValueSat: bigint;
  readonly channelKeysId: Uint8Array;
  readonly crypto?: CryptoBackend;
}

const STATE_VERSION = 1;
const STATE_LENGTH = 9;

/** The default `ChannelSigner`; see the module comment. */
export class InMemorySigner implements ChannelSigner {
  readonly pubkeys: ChannelPublicKeys;
  readonly channelKeysId: Uint8Array;
  readonly channelValueSat: bigint;
  readonly #crypto: CryptoBackend;
  readonly #keys: InMemorySignerKeys;
  #params: ChannelParameters | undefined;
  #paramsKey = '';
  /** Holder commitments 0 .. #released-1 are revoked: their secrets went out. */
  #released = 0;

  /**
   * Throws `CryptoError` for a secret key out of range and `APIMisuseError` for a commitment
   * seed or channel keys id that is not 32 bytes, or a channel value out of range.
   */
  constructor(keys: InMemorySignerKeys, options: InMemorySignerOptions) {
    const crypto = options.crypto ?? nobleBackend;
    this.#crypto = crypto;
    this.#keys = {
      fundingKey: assertSecretKey(keys.fundingKey, 'fundingKey', crypto).slice(),
      revocationBaseKey: assertSecretKey(
        keys.revocationBaseKey,
        'revocationBaseKey',
        crypto,
      ).slice(),
      paymentKey: assertSecretKey(keys.paymentKey, 'paymentKey', crypto).slice(),
      delayedPaymentBaseKey: assertSecretKey(
        keys.delayedPaymentBaseKey,
        'delayedPaymentBaseKey',
        crypto,
      ).slice(),
      htlcBaseKey: assertSecretKey(keys.htlcBaseKey, 'htlcBaseKey', crypto).slice(),
      commitmentSeed: assertLength(keys.commitmentSeed, 32, 'commitmentSeed').slice(),
    };
    this.channelKeysId = assertLength(options.channelKeysId, 32, 'channelKeysId').slice();
    this.channelValueSat = assertSat(options.channelValueSat, 'channelValueSat');
    this.pubkeys = {
      fundingPubkey: crypto.getPublicKey(this.#keys.fundingKey),
      revocationBasepoint: crypto.getPublicKey(this.#keys.revocationBaseKey),
      paymentBasepoint: crypto.getPublicKey(this.#keys.paymentKey),
      delayedPaymentBasepoint: crypto.getPublicKey(this.#keys.delayedPaymentBaseKey),
      htlcBasepoint: crypto.getPublicKey(this.#keys.htlcBaseKey),
    };
  }

  /** The parameters given to `provideChannelParameters`, if any yet. */
  get channelParameters(): ChannelParameters | undefined {
    return this.#params;
  }

  /** How many holder secrets have been released: commitments below this number are revoked. */
  get releasedSecretCount(): number {
    return this.#released;
  }

  #secret(commitmentNumber: number): Uint8Array {
    const index = commitmentNumberToIndex(commitmentNumber);
    return generateFromSeed(this.#keys.commitmentSeed, index, this.#crypto);
  }

  getPerCommitmentPoint(commitmentNumber: number): Uint8Array {
    return this.#crypto.getPublicKey(this.#secret(commitmentNumber));
  }

  releaseCommitmentSecret(commitmentNumber: number): Uint8Array {
    assertCommitmentIndex(commitmentNumber, 'commitmentNumber');
    if (commitmentNumber === this.#released) {
      const secret = this.#secret(commitmentNumber);
      this.#released++;
      return secret;
    }
    // The last secret again: a `revoke_and_ack` retransmitted after reconnection (BOLT 2).
    if (commitmentNumber === this.#released - 1) return this.#secret(commitmentNumber);
    throw new SignerError(
      SignerRefusal.SecretOutOfOrder,
      `releaseCommitmentSecret: expected commitment ${this.#released}` +
        `${this.#released > 0 ? ` (or ${this.#released - 1} again)` : ''}, got ${commitmentNumber}`,
    );
  }

  /**
   * Stores the negotiated parameters. Calling again with the same parameters is harmless; with
   * different ones it throws `APIMisuseError`, since the keys of a channel never change.
   */
  provideChannelParameters(params: ChannelParameters): void {
    validateParameters(params, this.#crypto);
    const key = parametersKey(params);
    if (this.#params !== undefined) {
      if (key !== this.#paramsKey) {
        throw new APIMisuseError('provideChannelParameters: parameters already provided differ');
      }
      return;
    }
    // A copy, so later changes to the caller's object cannot change what the checks compare to.
    const k = params.counterpartyPubkeys;
    this.#params = {
      counterpartyPubkeys: {
        fundingPubkey: k.fundingPubkey.slice(),
        revocationBasepoint: k.revocationBasepoint.slice(),
        paymentBasepoint: k.paymentBasepoint.slice(),
        delayedPaymentBasepoint: k.delayedPaymentBasepoint.slice(),
        htlcBasepoint: k.htlcBasepoint.slice(),
      },
      isOutbound: params.isOutbound,
      holderToSelfDelay: params.holderToSelfDelay,
      counterpartyToSelfDelay: params.counterpartyToSelfDelay,
      fundingOutpoint: { ...params.fundingOutpoint },
      channelType: params.channelType,
    };
    this.#paramsKey = key;
  }

  #requireParams(what: string): ChannelParameters {
    if (this.#params === undefined) {
      throw new SignerError(
        SignerRefusal.ParametersMissing,
        `${what}: provideChannelParameters must be called first`,
      );
    }
    return this.#params;
  }

  /** Parses, checks the sighash type and signs `input` with `secretKey`. */
  #sign(
    input: SignableInput,
    secretKey: Uint8Array,
    sighashType: number,
    what: string,
  ): Uint8Array {
    const { digest } = parseSignable(input);
    if (input.sighashType !== sighashType) {
      throw new SignerError(
        SignerRefusal.UnexpectedSighashType,
        `${what}: expected sighash type ${sighashType}, got ${input.sighashType}`,
      );
    }
    return this.#crypto.sign(digest, secretKey);
  }

  /** A funding-key signature: only for an input that spends the channel's funding output. */
  #signFundingSpend(input: SignableInput, what: string): Uint8Array {
    const params = this.#requireParams(what);
    const { tx, digest } = parseSignable(input);
    const txIn = tx.ins[input.inputIndex]!;
    const spentTxid = toHex(txIn.hash.slice().reverse());
    const script = fundingScript(
      this.pubkeys.fundingPubkey,
      params.counterpartyPubkeys.fundingPubkey,
    );
    if (
      spentTxid !== params.fundingOutpoint.txid ||
      txIn.index !== params.fundingOutpoint.outputIndex ||
      !equalBytes(input.witnessScript, script)
    ) {
      throw new SignerError(
        SignerRefusal.NotFundingSpend,
        `${what}: input ${input.inputIndex} does not spend the channel's 2-of-2 funding output`,
      );
    }
    if (input.sighashType !== SighashType.All) {
      throw new SignerError(
        SignerRefusal.UnexpectedSighashType,
        `${what}: funding spends are signed with SIGHASH_ALL, got ${input.sighashType}`,
      );
    }
    return this.#crypto.sign(digest, this.#keys.fundingKey);
  }

  signCounterpartyCommitment(
    request: CounterpartyCommitmentRequest,
  ): CounterpartyCommitmentSignatures {
    const what = 'signCounterpartyCommitment';
    const params = this.#requireParams(what);
    assertCommitmentIndex(request.commitmentNumber, 'commitmentNumber');
    const point = assertPoint(
      request.counterpartyPerCommitmentPoint,
      'counterpartyPerCommitmentPoint',
      this.#crypto,
    );
    const htlcTxs: unknown = request.htlcTxs;
    if (!Array.isArray(htlcTxs)) throw new APIMisuseError('htlcTxs: expected an array');
    const signature = this.#signFundingSpend(request.commitmentTx, what);
    // Our HTLC key on their commitment: remote_htlcpubkey from our basepoint and their point.
    const htlcKey = derivePrivateKey(this.#keys.htlcBaseKey, point, this.#crypto);
    const htlcSighash =
      params.channelType === 'anchors_zero_fee_htlc_tx'
        ? SighashType.SingleAnyoneCanPay
        : SighashType.All;
    const htlcSignatures = request.htlcTxs.map((htlcTx) =>
      this.#sign(htlcTx, htlcKey, htlcSighash, `${what} (HTLC transaction)`),
    );
    return { signature, htlcSignatures };
  }

  signHolderCommitment(request: {
    readonly commitmentNumber: number;
    readonly commitmentTx: SignableInput;
  }): Uint8Array {
    assertCommitmentIndex(request.commitmentNumber, 'commitmentNumber');
    if (request.commitmentNumber < this.#released) {
      throw new SignerError(
        SignerRefusal.HolderCommitmentRevoked,
        `signHolderCommitment: commitment ${request.commitmentNumber} is revoked (secrets up to ${this.#released - 1} released)`,
      );
    }
    return this.#signFundingSpend(request.commitmentTx, 'signHolderCommitment');
  }

  signHolderHtlcTransaction(request: {
    readonly commitmentNumber: number;
    readonly htlcTx: SignableInput;
    readonly perCommitmentPoint: Uint8Array;
  }): Uint8Array {
    const point = assertPoint(request.perCommitmentPoint, 'perCommitmentPoint', this.#crypto);
    if (!equalBytes(point, this.getPerCommitmentPoint(request.commitmentNumber))) {
      throw new SignerError(
        SignerRefusal.PerCommitmentPointMismatch,
        `signHolderHtlcTransaction: perCommitmentPoint is not ours for commitment ${request.commitmentNumber}`,
      );
    }
    const key = derivePrivateKey(this.#keys.htlcBaseKey, point, this.#crypto);
    return this.#sign(request.htlcTx, key, SighashType.All, 'signHolderHtlcTransaction');
  }

  signClosingTransaction(closingTx: SignableInput): Uint8Array {
    return this.#signFundingSpend(closingTx, 'signClosingTransaction');
  }

  signJusticeRevokedOutput(request: {
    readonly tx: SignableInput;
    readonly perCommitmentSecret: Uint8Array;
  }): Uint8Array {
    const key = deriveRevocationPrivateKey(
      this.#keys.revocationBaseKey,
      request.perCommitmentSecret,
      this.#crypto,
    );
    return this.#sign(request.tx, key, SighashType.All, 'signJusticeRevokedOutput');
  }

  signJusticeRevokedHtlc(request: {
    readonly tx: SignableInput;
    readonly perCommitmentSecret: Uint8Array;
  }): Uint8Array {
    const key = deriveRevocationPrivateKey(
      this.#keys.revocationBaseKey,
      request.perCommitmentSecret,
      this.#crypto,
    );
    return this.#sign(request.tx, key, SighashType.All, 'signJusticeRevokedHtlc');
  }

  signCounterpartyHtlcClaim(request: {
    readonly tx: SignableInput;
    readonly counterpartyPerCommitmentPoint: Uint8Array;
  }): Uint8Array {
    const key = derivePrivateKey(
      this.#keys.htlcBaseKey,
      request.counterpartyPerCommitmentPoint,
      this.#crypto,
    );
    return this.#sign(request.tx, key, SighashType.All, 'signCounterpartyHtlcClaim');
  }

  signHolderToLocalSweep(request: {
    readonly tx: SignableInput;
    readonly perCommitmentPoint: Uint8Array;
  }): Uint8Array {
    const key = derivePrivateKey(
      this.#keys.delayedPaymentBaseKey,
      request.perCommitmentPoint,
      this.#crypto,
    );
    return this.#sign(request.tx, key, SighashType.All, 'signHolderToLocalSweep');
  }

  signCounterpartyPaymentInput(tx: SignableInput): Uint8Array {
    return this.#sign(tx, this.#keys.paymentKey, SighashType.All, 'signCounterpartyPaymentInput');
  }

  /**
   * The anchor's witness script must be exactly our anchor script, so this funding-key signature
   * can never stand in for one on the 2-of-2 funding script (BIP 143 commits to the script).
   */
  signAnchorInput(tx: SignableInput): Uint8Array {
    if (!(tx.witnessScript instanceof Uint8Array)) {
      throw new APIMisuseError('witnessScript: expected Uint8Array');
    }
    if (!equalBytes(tx.witnessScript, anchorScript(this.pubkeys.fundingPubkey))) {
      throw new SignerError(
        SignerRefusal.NotAnchorSpend,
        'signAnchorInput: witnessScript is not our anchor output script',
      );
    }
    return this.#sign(tx, this.#keys.fundingKey, SighashType.All, 'signAnchorInput');
  }

  signChannelAnnouncementWithFundingKey(digest32: Uint8Array): Uint8Array {
    assertLength(digest32, 32, 'digest32');
    return this.#crypto.sign(digest32, this.#keys.fundingKey);
  }

  /** Version byte, then the released-secret count as a u64 big-endian. */
  serializeState(): Uint8Array {
    const out = new Uint8Array(STATE_LENGTH);
    out[0] = STATE_VERSION;
    const view = new DataView(out.buffer);
    view.setUint32(1, Math.floor(this.#released / 2 ** 32));
    view.setUint32(5, this.#released >>> 0);
    return out;
  }

  /**
   * Applies a persisted state. The high-water mark only moves forward: restoring an older state
   * onto a signer that has released more secrets keeps the newer mark. Throws `DecodeError` for
   * malformed bytes.
   */
  restoreState(state: Uint8Array): void {
    if (!(state instanceof Uint8Array) || state.length !== STATE_LENGTH) {
      throw new DecodeError(`signer state: expected ${STATE_LENGTH} bytes`);
    }
    if (state[0] !== STATE_VERSION) {
      throw new DecodeError(`signer state: unknown version ${state[0]}`);
    }
    const view = new DataView(state.buffer, state.byteOffset, state.byteLength);
    const hi = view.getUint32(1);
    const released = hi * 2 ** 32 + view.getUint32(5);
    if (hi >= 2 ** 21 || released > MAX_COMMITMENT_NUMBER + 1) {
      throw new DecodeError('signer state: released secret count out of range');
    }
    this.#released = Math.max(this.#released, released);
  }
}
