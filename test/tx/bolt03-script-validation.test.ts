// Transactions from boltkit's own builders (src/tx) and signers (src/keys), run through the
// script interpreter helper with Bitcoin Core's standard flags and lock-time rules: the funding
// transaction, both sides' commitments, every HTLC-success/timeout transaction and a closing
// transaction, for both channel types. Each passes, and the same transaction with a wrong key, a
// wrong preimage, a too-early locktime or a too-small sequence fails.
// The spends of individual commitment outputs are in bolt03-sweeps-script-validation.test.ts.
import { describe, expect, it } from 'vitest';
import { ChannelType, hasAnchors } from '../../src/tx/channel-type.js';
import {
  buildClosingTransaction,
  closingSignableInput,
  finalizeClosingTransaction,
} from '../../src/tx/closing.js';
import { commitmentSignableInput, finalizeCommitmentTransaction } from '../../src/tx/commitment.js';
import {
  findFundingOutput,
  hasOnlySegwitInputs,
  verifyFundingOutput,
} from '../../src/tx/funding.js';
import {
  finalizeHtlcTransaction,
  htlcSignableInput,
  HtlcTxKind,
  type HtlcTransaction,
} from '../../src/tx/htlc-tx.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import { p2wpkhWitness } from '../../src/tx/scripts/witness.js';
import { segwitV0Sighash } from '../../src/tx/sighash.js';
import { SighashType } from '../../src/tx/signature-encoding.js';
import { withWitness, type Transaction } from '../../src/tx/transaction.js';
import {
  COMMITMENT_HEIGHT,
  COMMITMENT_NUMBER,
  FUNDING_HEIGHT,
  FUNDING_VALUE_SAT,
  MEDIAN_TIME_PAST,
  WALLET_COIN,
  WALLET_PUBKEY,
  WALLET_SCRIPT,
  WRONG_SECRET,
  openTestChannel,
  other,
  p2wpkhScriptCode,
  preimageFor,
  preimageOf,
  prevoutOf,
  serializeTransaction,
  signWalletInput,
  wrongKeySignature,
  type HolderCommitment,
  type Side,
  type TestChannel,
} from '../support/script-interpreter-bolt03-channel.js';
import {
  verifyTransaction,
  type Prevout,
  type VerifyTxResult,
} from '../support/script-interpreter.js';

/** Verifies `tx` as a node would at `spendHeight`, with the spent outputs' heights. */
function check(
  tx: Transaction,
  prevouts: Prevout[],
  spendHeight: number,
  prevoutHeights: number[],
): VerifyTxResult {
  return verifyTransaction(serializeTransaction(tx), prevouts, {
    spendHeight,
    spendMedianTimePast: MEDIAN_TIME_PAST,
    prevoutHeights,
  });
}

const fail = (error: string): VerifyTxResult => ({ ok: false, error, inputIndex: 0 });

/** Re-signs an HTLC transaction after a change to it, as both sides' signers would. */
function resignHtlcTx(
  ch: TestChannel,
  holder: HolderCommitment,
  changed: HtlcTransaction,
  paymentPreimage?: Uint8Array,
): Transaction {
  const counterparty = ch.signers[other(holder.broadcaster)];
  const remoteSignature = counterparty.signCounterpartyCommitment({
    commitmentNumber: COMMITMENT_NUMBER,
    commitmentTx: commitmentSignableInput(holder.commitment),
    htlcTxs: [htlcSignableInput(changed, 'remote')],
    counterpartyPerCommitmentPoint: holder.perCommitmentPoint,
  }).htlcSignatures[0]!;
  const localSignature = ch.signers[holder.broadcaster].signHolderHtlcTransaction({
    commitmentNumber: COMMITMENT_NUMBER,
    htlcTx: htlcSignableInput(changed, 'local'),
    perCommitmentPoint: holder.perCommitmentPoint,
  });
  return finalizeHtlcTransaction(changed, {
    localSignature,
    remoteSignature,
    ...(paymentPreimage !== undefined ? { paymentPreimage } : preimageFor(changed.htlc)),
  });
}

describe.each([ChannelType.StaticRemoteKey, ChannelType.AnchorsZeroFeeHtlcTx])(
  '%s channel',
  (channelType) => {
    const ch = openTestChannel(channelType);
    const anchors = hasAnchors(channelType);

    describe('funding transaction', () => {
      const funding = serializeTransaction(ch.fundingTx);

      it('spends a P2WPKH wallet coin and pays the 2-of-2 the commitments spend', () => {
        expect(
          verifyTransaction(funding, [WALLET_COIN.prevout], {
            spendHeight: FUNDING_HEIGHT,
            prevoutHeights: [FUNDING_HEIGHT - 10],
          }),
        ).toEqual({ ok: true });
        const keys = {
          localFundingPubkey: ch.signers.a.pubkeys.fundingPubkey,
          remoteFundingPubkey: ch.signers.b.pubkeys.fundingPubkey,
        };
        expect(findFundingOutput(funding, keys)?.outpoint).toEqual(ch.fundingOutpoint);
        expect(hasOnlySegwitInputs(funding)).toBe(true);
        expect(() =>
          verifyFundingOutput(funding, {
            ...keys,
            txid: ch.fundingOutpoint.txid,
            outputIndex: ch.fundingOutpoint.vout,
            valueSat: FUNDING_VALUE_SAT,
          }),
        ).not.toThrow();
      });

      it('fails when signed with the wrong key or mined before its locktime', () => {
        const unsigned = { ...ch.fundingTx, inputs: [{ ...ch.fundingTx.inputs[0]!, witness: [] }] };
        const digest = segwitV0Sighash({
          tx: unsigned,
          inputIndex: 0,
          witnessScript: p2wpkhScriptCode(WALLET_PUBKEY),
          valueSat: WALLET_COIN.prevout.valueSat,
          sighashType: SighashType.All,
        });
        const wrong = withWitness(
          unsigned,
          0,
          p2wpkhWitness(nobleBackend.sign(digest, WRONG_SECRET), WALLET_PUBKEY),
        );
        expect(verifyTransaction(serializeTransaction(wrong), [WALLET_COIN.prevout])).toEqual(
          fail('NULLFAIL'),
        );
        expect(
          verifyTransaction(funding, [WALLET_COIN.prevout], {
            spendHeight: FUNDING_HEIGHT - 1,
            prevoutHeights: [FUNDING_HEIGHT - 10],
          }),
        ).toEqual({ ok: false, error: 'bad-txns-nonfinal' });
      });
    });

    describe.each(['a', 'b'] as const)('commitment broadcast by %s', (side: Side) => {
      const holder = ch.commitments[side];

      it('spends the funding output', () => {
        expect(holder.htlcTxs).toHaveLength(2);
        expect(
          check(holder.signed, [ch.fundingPrevout], COMMITMENT_HEIGHT, [FUNDING_HEIGHT]),
        ).toEqual({ ok: true });
      });

      it('fails with a signature from the wrong key', () => {
        const input = commitmentSignableInput(holder.commitment);
        const tampered = finalizeCommitmentTransaction(holder.commitment, {
          localSignature: ch.signers[side].signHolderCommitment({
            commitmentNumber: COMMITMENT_NUMBER,
            commitmentTx: input,
          }),
          remoteSignature: wrongKeySignature(input),
        });
        expect(check(tampered, [ch.fundingPrevout], COMMITMENT_HEIGHT, [FUNDING_HEIGHT])).toEqual(
          fail('NULLFAIL'),
        );
      });

      describe.each([HtlcTxKind.Timeout, HtlcTxKind.Success])('its %s transaction', (kind) => {
        const index = holder.htlcTxs.findIndex((t) => t.kind === kind);
        const htlcTx = holder.htlcTxs[index]!;
        const signedTx = holder.signedHtlcTxs[index]!;
        const prevouts = [prevoutOf(holder.signed, htlcTx.commitmentOutputIndex)];
        const cltv = htlcTx.htlc.cltvExpiry;
        const after = (height: number, tx = signedTx, extra: Prevout[] = []): VerifyTxResult =>
          check(tx, [...prevouts, ...extra], height, [COMMITMENT_HEIGHT, ...extra.map(() => 1)]);

        it('passes once it may be mined', () => {
          expect(after(cltv + 1)).toEqual({ ok: true });
          if (kind === HtlcTxKind.Success)
            expect(after(COMMITMENT_HEIGHT + 1)).toEqual({ ok: true });
        });

        it('uses SIGHASH_SINGLE|ANYONECANPAY for the counterparty signature only with anchors', () => {
          const remoteSig = signedTx.inputs[0]!.witness[1]!;
          const localSig = signedTx.inputs[0]!.witness[2]!;
          expect(remoteSig[remoteSig.length - 1]).toBe(anchors ? 0x83 : 0x01);
          expect(localSig[localSig.length - 1]).toBe(0x01);
        });

        it('fails with our signature from the wrong key', () => {
          const tampered = finalizeHtlcTransaction(htlcTx, {
            localSignature: wrongKeySignature(htlcSignableInput(htlcTx, 'local')),
            remoteSignature: holder.remoteHtlcSignatures[index]!,
            paymentPreimage: preimageOf(htlcTx.htlc),
          });
          expect(after(cltv + 1, tampered)).toEqual(fail('NULLFAIL'));
        });

        if (kind === HtlcTxKind.Timeout) {
          it('fails before cltv_expiry: an earlier locktime voids the counterparty signature, and it cannot be mined at cltv_expiry', () => {
            // The offered HTLC script has no CLTV: the counterparty's signature commits to
            // nLockTime = cltv_expiry, so only a re-signed local signature can follow a change.
            const changed: HtlcTransaction = {
              ...htlcTx,
              tx: { ...htlcTx.tx, locktime: cltv - 1 },
            };
            const early = finalizeHtlcTransaction(changed, {
              localSignature: ch.signers[side].signHolderHtlcTransaction({
                commitmentNumber: COMMITMENT_NUMBER,
                htlcTx: htlcSignableInput(changed, 'local'),
                perCommitmentPoint: holder.perCommitmentPoint,
              }),
              remoteSignature: holder.remoteHtlcSignatures[index]!,
            });
            expect(after(cltv + 1, early)).toEqual(fail('NULLFAIL'));
            expect(after(cltv)).toEqual({ ok: false, error: 'bad-txns-nonfinal' });
          });
        } else {
          it('fails with the wrong preimage', () => {
            const wrong = resignHtlcTx(ch, holder, htlcTx, new Uint8Array(32).fill(0x01));
            expect(after(cltv + 1, wrong)).toEqual(fail('EQUALVERIFY'));
          });
        }

        if (anchors) {
          it('waits one block after the commitment (nSequence 1): sequence 0 or the same block fails', () => {
            const input = { ...htlcTx.tx.inputs[0]!, sequence: 0 };
            const zero = resignHtlcTx(ch, holder, {
              ...htlcTx,
              tx: { ...htlcTx.tx, inputs: [input] },
            });
            expect(after(cltv + 1, zero)).toEqual(fail('UNSATISFIED_LOCKTIME'));
            expect(check(signedTx, prevouts, cltv + 1, [cltv + 1])).toEqual({
              ok: false,
              error: 'non-BIP68-final',
            });
          });

          it('stays valid when the broadcaster adds a fee input and change (CPFP-free bump)', () => {
            const walletCoin = { txid: ch.fundingOutpoint.txid, vout: 1 };
            const walletPrevout = prevoutOf(ch.fundingTx, 1);
            const bumped: HtlcTransaction = {
              ...htlcTx,
              tx: {
                ...htlcTx.tx,
                inputs: [
                  htlcTx.tx.inputs[0]!,
                  {
                    prevout: walletCoin,
                    scriptSig: new Uint8Array(0),
                    sequence: 0xfffffffd,
                    witness: [],
                  },
                ],
                outputs: [
                  htlcTx.tx.outputs[0]!,
                  { valueSat: walletPrevout.valueSat - 3000n, scriptPubkey: WALLET_SCRIPT },
                ],
              },
            };
            // Only our SIGHASH_ALL signature is redone; the counterparty's stays as it was sent.
            const finalized = finalizeHtlcTransaction(bumped, {
              localSignature: ch.signers[side].signHolderHtlcTransaction({
                commitmentNumber: COMMITMENT_NUMBER,
                htlcTx: htlcSignableInput(bumped, 'local'),
                perCommitmentPoint: holder.perCommitmentPoint,
              }),
              remoteSignature: holder.remoteHtlcSignatures[index]!,
              ...preimageFor(htlcTx.htlc),
            });
            const signed = signWalletInput(finalized, 1, walletPrevout.valueSat);
            expect(after(cltv + 1, signed, [walletPrevout])).toEqual({ ok: true });
          });
        }
      });
    });

    describe('closing transaction', () => {
      const closing = buildClosingTransaction({
        fundingOutpoint: ch.fundingOutpoint,
        fundingValueSat: FUNDING_VALUE_SAT,
        localFundingPubkey: ch.signers.a.pubkeys.fundingPubkey,
        remoteFundingPubkey: ch.signers.b.pubkeys.fundingPubkey,
        localScriptPubkey: ch.destination.a,
        remoteScriptPubkey: ch.destination.b,
        toLocalMsat: 6_000_000_000n,
        toRemoteMsat: 4_000_000_000n,
        feeSat: 1000n,
        funder: 'local',
        dustLimitSat: 546n,
      });
      const input = closingSignableInput(closing);

      it('spends the funding output with both signatures', () => {
        const signed = finalizeClosingTransaction(closing, {
          localSignature: ch.signers.a.signClosingTransaction(input),
          remoteSignature: ch.signers.b.signClosingTransaction(input),
        });
        expect(check(signed, [ch.fundingPrevout], COMMITMENT_HEIGHT, [FUNDING_HEIGHT])).toEqual({
          ok: true,
        });
      });

      it('fails with a signature from the wrong key', () => {
        const signed = finalizeClosingTransaction(closing, {
          localSignature: ch.signers.a.signClosingTransaction(input),
          remoteSignature: wrongKeySignature(input),
        });
        expect(check(signed, [ch.fundingPrevout], COMMITMENT_HEIGHT, [FUNDING_HEIGHT])).toEqual(
          fail('NULLFAIL'),
        );
      });
    });
  },
);
