// InMemorySigner: every signature verifies against the public key the counterparty derives
// (BOLT 3 "Key Derivation"), and every refusal carries its code and reason.
import { Transaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { nobleBackend as crypto } from '../../src/crypto/noble.js';
import type { ChannelParameters } from '../../src/keys/channel-signer.js';
import { SignerRefusal } from '../../src/keys/errors.js';
import type { InMemorySigner } from '../../src/keys/in-memory-signer.js';
import { deriveRevocationPublicKey, derivePublicKey } from '../../src/keys/key-derivation.js';
import { KeysManager } from '../../src/keys/keys-manager.js';
import { commitmentNumberToIndex } from '../../src/keys/per-commitment-secret.js';
import { PerCommitmentSecretStore } from '../../src/keys/per-commitment-secret-store.js';
import { SighashType, type SignableInput } from '../../src/keys/signable-tx.js';
import { concatBytes, fromHex, toHex } from '../../src/util/bytes.js';
import { ErrorCode } from '../../src/util/errors.js';

const FUNDING_TXID = 'aa'.repeat(31) + '01';
const FUNDING_INDEX = 1;
const CHANNEL_VALUE_SAT = 1_000_000n;

function failure(fn: () => unknown): { code?: string | undefined; reason?: string | undefined } {
  try {
    fn();
  } catch (e) {
    return { code: (e as { code?: string }).code, reason: (e as { reason?: string }).reason };
  }
  return {};
}

function manager(fill: number): KeysManager {
  return new KeysManager(new Uint8Array(32).fill(fill), 1_700_000_000, 0, {
    getRandomValues: null,
  });
}

function params(
  counterparty: InMemorySigner,
  channelType: ChannelParameters['channelType'] = 'static_remotekey',
): ChannelParameters {
  return {
    counterpartyPubkeys: counterparty.pubkeys,
    isOutbound: true,
    holderToSelfDelay: 144,
    counterpartyToSelfDelay: 144,
    fundingOutpoint: { txid: FUNDING_TXID, outputIndex: FUNDING_INDEX },
    channelType,
  };
}

function fundingScript(a: Uint8Array, b: Uint8Array): Uint8Array {
  const [k1, k2] = toHex(a) < toHex(b) ? [a, b] : [b, a];
  return concatBytes(
    Uint8Array.of(0x52, 0x21),
    k1,
    Uint8Array.of(0x21),
    k2,
    Uint8Array.of(0x52, 0xae),
  );
}

/** A one-input transaction spending `txidHex:vout` to a fixed P2WSH output. */
function spend(txidHex: string, vout: number): Transaction {
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(fromHex(txidHex).reverse(), vout, 0x80000000);
  tx.addOutput(concatBytes(Uint8Array.of(0x00, 0x20), new Uint8Array(32).fill(7)), 990_000n);
  return tx;
}

function signable(
  tx: Transaction,
  witnessScript: Uint8Array,
  valueSat: bigint,
  sighashType: number = SighashType.All,
): SignableInput {
  return { unsignedTx: tx.toBuffer(), inputIndex: 0, witnessScript, valueSat, sighashType };
}

function verifies(sig: Uint8Array, input: SignableInput, pubkey: Uint8Array): boolean {
  const tx = Transaction.fromBuffer(input.unsignedTx);
  const digest = tx.hashForWitnessV0(
    input.inputIndex,
    input.witnessScript,
    input.valueSat,
    input.sighashType,
  );
  return crypto.verify(sig, digest, pubkey);
}

function setup(channelType: ChannelParameters['channelType'] = 'static_remotekey'): {
  a: InMemorySigner;
  b: InMemorySigner;
  fundingInput: SignableInput;
} {
  const ma = manager(1);
  const mb = manager(2);
  const a = ma.deriveInMemorySigner(
    CHANNEL_VALUE_SAT,
    ma.generateChannelKeysId(false, CHANNEL_VALUE_SAT, 1n),
  );
  const b = mb.deriveInMemorySigner(
    CHANNEL_VALUE_SAT,
    mb.generateChannelKeysId(true, CHANNEL_VALUE_SAT, 2n),
  );
  a.provideChannelParameters(params(b, channelType));
  b.provideChannelParameters(params(a, channelType));
  const script = fundingScript(a.pubkeys.fundingPubkey, b.pubkeys.fundingPubkey);
  const fundingInput = signable(spend(FUNDING_TXID, FUNDING_INDEX), script, CHANNEL_VALUE_SAT);
  return { a, b, fundingInput };
}

const someScript = Uint8Array.of(0x51);
const otherInput = (sighashType: number = SighashType.All): SignableInput =>
  signable(spend('bb'.repeat(32), 0), someScript, 5_000n, sighashType);

describe('InMemorySigner signatures verify against the derived public keys', () => {
  it('counterparty commitment: funding key, and HTLC key tweaked by their point', () => {
    const { a, b, fundingInput } = setup();
    const theirPoint = b.getPerCommitmentPoint(0);
    const htlcTxs = [otherInput(), otherInput()];
    const sigs = a.signCounterpartyCommitment({
      commitmentNumber: 0,
      commitmentTx: fundingInput,
      htlcTxs,
      counterpartyPerCommitmentPoint: theirPoint,
    });
    expect(sigs.signature).toHaveLength(64);
    expect(verifies(sigs.signature, fundingInput, a.pubkeys.fundingPubkey)).toBe(true);
    const remoteHtlcPubkey = derivePublicKey(a.pubkeys.htlcBasepoint, theirPoint);
    expect(sigs.htlcSignatures).toHaveLength(2);
    for (const [i, sig] of sigs.htlcSignatures.entries()) {
      expect(verifies(sig, htlcTxs[i]!, remoteHtlcPubkey)).toBe(true);
    }
  });

  it('anchors: counterparty HTLC signatures use SIGHASH_SINGLE|ANYONECANPAY', () => {
    const { a, b, fundingInput } = setup('anchors_zero_fee_htlc_tx');
    const theirPoint = b.getPerCommitmentPoint(0);
    const htlcTx = otherInput(SighashType.SingleAnyoneCanPay);
    const sigs = a.signCounterpartyCommitment({
      commitmentNumber: 0,
      commitmentTx: fundingInput,
      htlcTxs: [htlcTx],
      counterpartyPerCommitmentPoint: theirPoint,
    });
    const key = derivePublicKey(a.pubkeys.htlcBasepoint, theirPoint);
    expect(verifies(sigs.htlcSignatures[0]!, htlcTx, key)).toBe(true);
    // Not valid as a SIGHASH_ALL signature.
    expect(verifies(sigs.htlcSignatures[0]!, { ...htlcTx, sighashType: 1 }, key)).toBe(false);
  });

  it('holder commitment, closing and channel announcement use the funding key', () => {
    const { a, fundingInput } = setup();
    const fundingPubkey = a.pubkeys.fundingPubkey;
    const holder = a.signHolderCommitment({ commitmentNumber: 0, commitmentTx: fundingInput });
    expect(verifies(holder, fundingInput, fundingPubkey)).toBe(true);
    expect(verifies(a.signClosingTransaction(fundingInput), fundingInput, fundingPubkey)).toBe(
      true,
    );
    const digest = crypto.sha256(Uint8Array.of(1, 2, 3));
    const ann = a.signChannelAnnouncementWithFundingKey(digest);
    expect(crypto.verify(ann, digest, fundingPubkey)).toBe(true);
  });

  it('holder HTLC transaction: local_htlcpubkey from our own point', () => {
    const { a } = setup();
    const point = a.getPerCommitmentPoint(5);
    const htlcTx = otherInput();
    const sig = a.signHolderHtlcTransaction({
      commitmentNumber: 5,
      htlcTx,
      perCommitmentPoint: point,
    });
    expect(verifies(sig, htlcTx, derivePublicKey(a.pubkeys.htlcBasepoint, point))).toBe(true);
  });

  it('justice: revocation key from our revocation basepoint and their released secret', () => {
    const { a, b } = setup();
    const secret = b.releaseCommitmentSecret(0);
    const revocationPubkey = deriveRevocationPublicKey(
      a.pubkeys.revocationBasepoint,
      b.getPerCommitmentPoint(0),
    );
    const tx = otherInput();
    const out = a.signJusticeRevokedOutput({ tx, perCommitmentSecret: secret });
    const htlc = a.signJusticeRevokedHtlc({ tx, perCommitmentSecret: secret });
    expect(verifies(out, tx, revocationPubkey)).toBe(true);
    expect(verifies(htlc, tx, revocationPubkey)).toBe(true);
  });

  it('claims and sweeps: HTLC, delayed and payment keys', () => {
    const { a, b } = setup();
    const tx = otherInput();
    const theirPoint = b.getPerCommitmentPoint(3);
    const claim = a.signCounterpartyHtlcClaim({ tx, counterpartyPerCommitmentPoint: theirPoint });
    expect(verifies(claim, tx, derivePublicKey(a.pubkeys.htlcBasepoint, theirPoint))).toBe(true);
    const ourPoint = a.getPerCommitmentPoint(3);
    const sweep = a.signHolderToLocalSweep({ tx, perCommitmentPoint: ourPoint });
    expect(verifies(sweep, tx, derivePublicKey(a.pubkeys.delayedPaymentBasepoint, ourPoint))).toBe(
      true,
    );
    const toRemote = a.signCounterpartyPaymentInput(tx);
    expect(verifies(toRemote, tx, a.pubkeys.paymentBasepoint)).toBe(true);
  });

  it('anchor input: only our anchor script', () => {
    const { a } = setup('anchors_zero_fee_htlc_tx');
    const anchorScript = concatBytes(
      Uint8Array.of(0x21),
      a.pubkeys.fundingPubkey,
      fromHex('ac736460b268'),
    );
    const tx = signable(spend('cc'.repeat(32), 2), anchorScript, 330n);
    expect(verifies(a.signAnchorInput(tx), tx, a.pubkeys.fundingPubkey)).toBe(true);
    expect(failure(() => a.signAnchorInput(otherInput()))).toEqual({
      code: ErrorCode.SignerError,
      reason: SignerRefusal.NotAnchorSpend,
    });
  });
});

describe('InMemorySigner per-commitment secrets', () => {
  it('releases secrets strictly in order, repeating only the last', () => {
    const { a } = setup();
    const refused = { code: ErrorCode.SignerError, reason: SignerRefusal.SecretOutOfOrder };
    expect(failure(() => a.releaseCommitmentSecret(1))).toEqual(refused);
    const s0 = a.releaseCommitmentSecret(0);
    expect(toHex(crypto.getPublicKey(s0))).toBe(toHex(a.getPerCommitmentPoint(0)));
    expect(toHex(a.releaseCommitmentSecret(0))).toBe(toHex(s0));
    expect(failure(() => a.releaseCommitmentSecret(2))).toEqual(refused);
    a.releaseCommitmentSecret(1);
    a.releaseCommitmentSecret(2);
    expect(failure(() => a.releaseCommitmentSecret(0))).toEqual(refused);
    expect(a.releasedSecretCount).toBe(3);
  });

  it('released secrets are accepted, in order, by the counterparty store', () => {
    const { a } = setup();
    const store = new PerCommitmentSecretStore();
    const released: string[] = [];
    for (let n = 0; n < 20; n++) {
      const secret = a.releaseCommitmentSecret(n);
      released.push(toHex(secret));
      store.provideSecret(commitmentNumberToIndex(n), secret);
    }
    for (let n = 0; n < 20; n++) {
      expect(toHex(store.getSecret(commitmentNumberToIndex(n))!)).toBe(released[n]);
    }
  });

  it('refuses to sign a revoked holder commitment', () => {
    const { a, fundingInput } = setup();
    a.releaseCommitmentSecret(0);
    a.releaseCommitmentSecret(1);
    expect(
      failure(() => a.signHolderCommitment({ commitmentNumber: 1, commitmentTx: fundingInput })),
    ).toEqual({ code: ErrorCode.SignerError, reason: SignerRefusal.HolderCommitmentRevoked });
    expect(
      a.signHolderCommitment({ commitmentNumber: 2, commitmentTx: fundingInput }),
    ).toHaveLength(64);
  });

  it('persists the high-water mark and never moves it back', () => {
    const ma = manager(1);
    const id = ma.generateChannelKeysId(false, CHANNEL_VALUE_SAT, 1n);
    const first = ma.deriveInMemorySigner(CHANNEL_VALUE_SAT, id);
    const before = first.serializeState();
    for (let n = 0; n < 3; n++) first.releaseCommitmentSecret(n);
    const state = first.serializeState();

    const restored = manager(1).deriveInMemorySigner(CHANNEL_VALUE_SAT, id);
    expect(toHex(restored.getPerCommitmentPoint(9))).toBe(toHex(first.getPerCommitmentPoint(9)));
    restored.restoreState(state);
    expect(restored.releasedSecretCount).toBe(3);
    restored.restoreState(before);
    expect(restored.releasedSecretCount).toBe(3);
    expect(failure(() => restored.releaseCommitmentSecret(1)).reason).toBe(
      SignerRefusal.SecretOutOfOrder,
    );
    expect(toHex(restored.releaseCommitmentSecret(3))).toBe(
      toHex(first.releaseCommitmentSecret(3)),
    );

    expect(failure(() => restored.restoreState(state.subarray(1))).code).toBe(
      ErrorCode.DecodeError,
    );
    expect(failure(() => restored.restoreState(Uint8Array.of(2, ...state.subarray(1)))).code).toBe(
      ErrorCode.DecodeError,
    );
    expect(failure(() => restored.restoreState(fromHex('01ffffffffffffffff'))).code).toBe(
      ErrorCode.DecodeError,
    );
  });
});

describe('InMemorySigner refusals and typed errors', () => {
  it('needs channel parameters before a funding-key signature', () => {
    const ma = manager(1);
    const a = ma.deriveInMemorySigner(
      CHANNEL_VALUE_SAT,
      ma.generateChannelKeysId(false, CHANNEL_VALUE_SAT, 0n),
    );
    expect(failure(() => a.signClosingTransaction(otherInput()))).toEqual({
      code: ErrorCode.SignerError,
      reason: SignerRefusal.ParametersMissing,
    });
  });

  it('accepts the same parameters twice but not different ones', () => {
    const { a, b } = setup();
    a.provideChannelParameters(params(b));
    expect(
      failure(() => a.provideChannelParameters({ ...params(b), holderToSelfDelay: 6 })).code,
    ).toBe(ErrorCode.APIMisuse);
  });

  it('validates channel parameters', () => {
    const ma = manager(3);
    const fresh = (): InMemorySigner =>
      ma.deriveInMemorySigner(CHANNEL_VALUE_SAT, ma.generateChannelKeysId(false, 1n, 0n));
    const { b } = setup();
    const base = params(b);
    const bad: [Partial<ChannelParameters>, string][] = [
      [
        { counterpartyPubkeys: { ...b.pubkeys, htlcBasepoint: new Uint8Array(33) } },
        ErrorCode.CryptoError,
      ],
      [{ holderToSelfDelay: 70_000 }, ErrorCode.APIMisuse],
      [{ fundingOutpoint: { txid: 'zz', outputIndex: 0 } }, ErrorCode.DecodeError],
      [
        { fundingOutpoint: { txid: FUNDING_TXID.toUpperCase(), outputIndex: 0 } },
        ErrorCode.DecodeError,
      ],
      [{ fundingOutpoint: { txid: FUNDING_TXID, outputIndex: -1 } }, ErrorCode.APIMisuse],
      [{ channelType: 'legacy' as ChannelParameters['channelType'] }, ErrorCode.APIMisuse],
    ];
    for (const [change, code] of bad) {
      expect(failure(() => fresh().provideChannelParameters({ ...base, ...change })).code).toBe(
        code,
      );
    }
  });

  it('refuses funding-key signatures on anything but the funding output', () => {
    const { a, fundingInput } = setup();
    const notFunding = { code: ErrorCode.SignerError, reason: SignerRefusal.NotFundingSpend };
    const wrongOutpoint = { ...fundingInput, unsignedTx: spend(FUNDING_TXID, 0).toBuffer() };
    expect(failure(() => a.signClosingTransaction(wrongOutpoint))).toEqual(notFunding);
    const wrongScript = { ...fundingInput, witnessScript: someScript };
    expect(
      failure(() => a.signHolderCommitment({ commitmentNumber: 0, commitmentTx: wrongScript })),
    ).toEqual(notFunding);
    expect(failure(() => a.signClosingTransaction(otherInput()))).toEqual(notFunding);
  });

  it('refuses sighash types BOLT 3 does not use for the signature', () => {
    const unexpected = { code: ErrorCode.SignerError, reason: SignerRefusal.UnexpectedSighashType };
    const plain = setup();
    const point = plain.b.getPerCommitmentPoint(0);
    expect(
      failure(() => plain.a.signClosingTransaction({ ...plain.fundingInput, sighashType: 0x83 })),
    ).toEqual(unexpected);
    expect(
      failure(() =>
        plain.a.signCounterpartyCommitment({
          commitmentNumber: 0,
          commitmentTx: plain.fundingInput,
          htlcTxs: [otherInput(SighashType.SingleAnyoneCanPay)],
          counterpartyPerCommitmentPoint: point,
        }),
      ),
    ).toEqual(unexpected);
    const anchors = setup('anchors_zero_fee_htlc_tx');
    expect(
      failure(() =>
        anchors.a.signCounterpartyCommitment({
          commitmentNumber: 0,
          commitmentTx: anchors.fundingInput,
          htlcTxs: [otherInput(SighashType.All)],
          counterpartyPerCommitmentPoint: point,
        }),
      ),
    ).toEqual(unexpected);
    expect(failure(() => plain.a.signCounterpartyPaymentInput(otherInput(0x81)))).toEqual(
      unexpected,
    );
  });

  it('refuses a holder HTLC signature for a point that is not ours', () => {
    const { a, b } = setup();
    expect(
      failure(() =>
        a.signHolderHtlcTransaction({
          commitmentNumber: 4,
          htlcTx: otherInput(),
          perCommitmentPoint: b.getPerCommitmentPoint(4),
        }),
      ),
    ).toEqual({ code: ErrorCode.SignerError, reason: SignerRefusal.PerCommitmentPointMismatch });
  });

  it('gives typed errors for malformed input', () => {
    const { a, b } = setup();
    const tx = otherInput();
    const zero = new Uint8Array(32);
    const offCurve = fromHex('02' + '00'.repeat(31) + '05');
    const cases: [string, () => unknown][] = [
      [
        ErrorCode.DecodeError,
        () => a.signCounterpartyPaymentInput({ ...tx, unsignedTx: Uint8Array.of(1, 2, 3) }),
      ],
      [ErrorCode.APIMisuse, () => a.signCounterpartyPaymentInput({ ...tx, inputIndex: 1 })],
      [ErrorCode.APIMisuse, () => a.signCounterpartyPaymentInput({ ...tx, sighashType: 4 })],
      [ErrorCode.APIMisuse, () => a.signCounterpartyPaymentInput({ ...tx, valueSat: -1n })],
      [ErrorCode.APIMisuse, () => a.signCounterpartyPaymentInput(null as unknown as SignableInput)],
      [ErrorCode.CryptoError, () => a.signJusticeRevokedOutput({ tx, perCommitmentSecret: zero })],
      [
        ErrorCode.CryptoError,
        () => a.signJusticeRevokedHtlc({ tx, perCommitmentSecret: zero.subarray(1) }),
      ],
      [
        ErrorCode.CryptoError,
        () => a.signCounterpartyHtlcClaim({ tx, counterpartyPerCommitmentPoint: offCurve }),
      ],
      [ErrorCode.CryptoError, () => a.signHolderToLocalSweep({ tx, perCommitmentPoint: zero })],
      [ErrorCode.APIMisuse, () => a.signChannelAnnouncementWithFundingKey(new Uint8Array(31))],
      [ErrorCode.APIMisuse, () => a.getPerCommitmentPoint(2 ** 48)],
      [ErrorCode.APIMisuse, () => a.releaseCommitmentSecret(-1)],
      [
        ErrorCode.CryptoError,
        () =>
          a.signCounterpartyCommitment({
            commitmentNumber: 0,
            commitmentTx: tx,
            htlcTxs: [],
            counterpartyPerCommitmentPoint: b.pubkeys.fundingPubkey.subarray(1),
          }),
      ],
    ];
    for (const [code, fn] of cases) expect(failure(fn).code).toBe(code);
  });
});
