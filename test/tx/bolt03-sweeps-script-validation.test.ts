// Spends of every output of a boltkit commitment, built with boltkit's witness builders and
// signed by its signers, run through the script interpreter helper with Bitcoin Core's standard
// flags and lock-time rules: to_local after its delay and with the revocation key, offered and
// received HTLC outputs by preimage, by timeout and by revocation, to_remote (P2WPKH, or after
// one block with anchors), and the anchors (funding key, or anyone after 16 blocks). Each spend
// passes, and fails with a wrong key, a wrong preimage, a too-early locktime or a too-small
// sequence, whichever the output's script guards.
import { describe, expect, it } from 'vitest';
import type { SignableInput } from '../../src/keys/signable-tx.js';
import { ChannelType, hasAnchors } from '../../src/tx/channel-type.js';
import { CommitmentOutputKind, type CommitmentOutput } from '../../src/tx/commitment.js';
import {
  anchorKeyWitness,
  anchorSweepWitness,
  htlcRevokedWitness,
  offeredHtlcPreimageWitness,
  p2wpkhWitness,
  receivedHtlcTimeoutWitness,
  toLocalDelayedWitness,
  toLocalRevokedWitness,
  toRemoteAnchorsWitness,
  type Witness,
} from '../../src/tx/scripts/witness.js';
import { computeTxid, withWitness, type Transaction } from '../../src/tx/transaction.js';
import {
  COMMITMENT_HEIGHT,
  FUNDING_HEIGHT,
  MEDIAN_TIME_PAST,
  PREIMAGES,
  TO_SELF_DELAY,
  WALLET_SCRIPT,
  openTestChannel,
  other,
  p2wpkhScriptCode,
  prevoutOf,
  serializeTransaction,
  signWalletInput,
  signable,
  sweepOf,
  wrongKeySignature,
  type Side,
} from '../support/script-interpreter-bolt03-channel.js';
import {
  verifyTransaction,
  type Prevout,
  type VerifyTxResult,
} from '../support/script-interpreter.js';

const fail = (error: string): VerifyTxResult => ({ ok: false, error, inputIndex: 0 });
const nonBip68Final: VerifyTxResult = { ok: false, error: 'non-BIP68-final' };
const nonFinal: VerifyTxResult = { ok: false, error: 'bad-txns-nonfinal' };
const OP_RETURN = Uint8Array.of(0x6a);

function at(
  tx: Transaction,
  prevouts: Prevout[],
  spendHeight: number,
  prevoutHeights: number[] = prevouts.map(() => COMMITMENT_HEIGHT),
): VerifyTxResult {
  return verifyTransaction(serializeTransaction(tx), prevouts, {
    spendHeight,
    spendMedianTimePast: MEDIAN_TIME_PAST,
    prevoutHeights,
  });
}

describe.each([ChannelType.StaticRemoteKey, ChannelType.AnchorsZeroFeeHtlcTx])(
  '%s channel',
  (channelType) => {
    const ch = openTestChannel(channelType);
    const anchors = hasAnchors(channelType);
    /** nSequence of spends the anchors format delays by one block (CSV 1). */
    const csv1 = anchors ? 1 : 0xfffffffd;

    describe.each(['a', 'b'] as const)('outputs of the commitment broadcast by %s', (x: Side) => {
      const y = other(x);
      const holder = ch.commitments[x];
      const commitment = holder.signed;
      const outputs = holder.commitment.outputs;
      const indexOf = (kind: CommitmentOutput['kind']): number =>
        outputs.findIndex((o) => o.kind === kind);
      const offeredIndex = indexOf(CommitmentOutputKind.OfferedHtlc);
      const receivedIndex = indexOf(CommitmentOutputKind.ReceivedHtlc);
      const offered = outputs[offeredIndex]!;
      const received = outputs[receivedIndex]!;
      const delay = TO_SELF_DELAY[x];
      // The revoked-state cases need x's secret for this commitment, which revokes it: every
      // signature x makes on it as holder was made when the channel was opened.
      const secret = ch.signers[x].releaseCommitmentSecret(0);

      /** Spends commitment output `index` with a witness made from `sign`'s signature. */
      const spend = (
        index: number,
        opts: { sequence: number; locktime?: number },
        sign: (input: SignableInput) => Uint8Array,
        witness: (signature: Uint8Array, witnessScript: Uint8Array) => Witness,
        scriptCode = outputs[index]!.witnessScript!,
      ): Transaction => {
        const tx = sweepOf(commitment, index, { to: ch.destination[x], ...opts });
        const input = signable(tx, scriptCode, outputs[index]!.valueSat);
        return withWitness(
          tx,
          0,
          witness(sign(input), outputs[index]!.witnessScript ?? scriptCode),
        );
      };
      const prevoutsOf = (index: number): Prevout[] => [prevoutOf(commitment, index)];

      it('has both HTLCs untrimmed, to_local and to_remote', () => {
        expect(offeredIndex).toBeGreaterThanOrEqual(0);
        expect(receivedIndex).toBeGreaterThanOrEqual(0);
        expect(indexOf(CommitmentOutputKind.ToLocal)).toBeGreaterThanOrEqual(0);
        expect(indexOf(CommitmentOutputKind.ToRemote)).toBeGreaterThanOrEqual(0);
      });

      describe('to_local', () => {
        const index = indexOf(CommitmentOutputKind.ToLocal);
        const sweep = (sequence: number, sign?: (i: SignableInput) => Uint8Array): Transaction =>
          spend(
            index,
            { sequence },
            sign ??
              ((tx) =>
                ch.signers[x].signHolderToLocalSweep({
                  tx,
                  perCommitmentPoint: holder.perCommitmentPoint,
                })),
            (s, ws) => toLocalDelayedWitness(s, ws),
          );

        it('is spent by its owner after to_self_delay (nSequence = to_self_delay)', () => {
          expect(at(sweep(delay), prevoutsOf(index), COMMITMENT_HEIGHT + delay)).toEqual({
            ok: true,
          });
        });

        it('fails with a too-small sequence, too early, or with the wrong key', () => {
          expect(at(sweep(delay - 1), prevoutsOf(index), COMMITMENT_HEIGHT + delay)).toEqual(
            fail('UNSATISFIED_LOCKTIME'),
          );
          expect(at(sweep(delay), prevoutsOf(index), COMMITMENT_HEIGHT + delay - 1)).toEqual(
            nonBip68Final,
          );
          expect(
            at(sweep(delay, wrongKeySignature), prevoutsOf(index), COMMITMENT_HEIGHT + delay),
          ).toEqual(fail('NULLFAIL'));
        });

        it('is taken at once with the revocation key once the state is revoked', () => {
          const justice = (sign: (i: SignableInput) => Uint8Array): Transaction =>
            spend(index, { sequence: 0xfffffffd }, sign, (s, ws) => toLocalRevokedWitness(s, ws));
          const revoked = justice((tx) =>
            ch.signers[y].signJusticeRevokedOutput({ tx, perCommitmentSecret: secret }),
          );
          expect(at(revoked, prevoutsOf(index), COMMITMENT_HEIGHT + 1)).toEqual({ ok: true });
          expect(at(justice(wrongKeySignature), prevoutsOf(index), COMMITMENT_HEIGHT + 1)).toEqual(
            fail('NULLFAIL'),
          );
        });
      });

      describe('offered HTLC (offered by the broadcaster)', () => {
        const claimByPreimage = (
          preimage: Uint8Array,
          sequence = csv1,
          sign: (i: SignableInput) => Uint8Array = (tx) =>
            ch.signers[y].signCounterpartyHtlcClaim({
              tx,
              counterpartyPerCommitmentPoint: holder.perCommitmentPoint,
            }),
        ): Transaction =>
          spend(offeredIndex, { sequence }, sign, (s, ws) =>
            offeredHtlcPreimageWitness(s, preimage, ws),
          );
        const prevouts = prevoutsOf(offeredIndex);

        it('is claimed by the counterparty with the preimage', () => {
          expect(at(claimByPreimage(PREIMAGES[x]), prevouts, COMMITMENT_HEIGHT + 1)).toEqual({
            ok: true,
          });
        });

        it('fails with the wrong preimage or the wrong key', () => {
          expect(at(claimByPreimage(PREIMAGES[y]), prevouts, COMMITMENT_HEIGHT + 1)).toEqual(
            fail('EQUALVERIFY'),
          );
          expect(
            at(
              claimByPreimage(PREIMAGES[x], csv1, wrongKeySignature),
              prevouts,
              COMMITMENT_HEIGHT + 1,
            ),
          ).toEqual(fail('NULLFAIL'));
        });

        if (anchors) {
          it('waits one block with anchors: sequence 0 or the same block fails', () => {
            expect(at(claimByPreimage(PREIMAGES[x], 0), prevouts, COMMITMENT_HEIGHT + 1)).toEqual(
              fail('UNSATISFIED_LOCKTIME'),
            );
            expect(at(claimByPreimage(PREIMAGES[x]), prevouts, COMMITMENT_HEIGHT)).toEqual(
              nonBip68Final,
            );
          });
        }

        it('is taken back by the broadcaster after cltv_expiry through HTLC-timeout', () => {
          const i = holder.htlcTxs.findIndex((t) => t.commitmentOutputIndex === offeredIndex);
          const htlcTimeout = holder.signedHtlcTxs[i]!;
          expect(at(htlcTimeout, prevouts, offered.cltvExpiry! + 1)).toEqual({ ok: true });
          expect(at(htlcTimeout, prevouts, offered.cltvExpiry!)).toEqual(nonFinal);

          // Its output waits to_self_delay too, and is revocable like to_local.
          const second = sweepOf(htlcTimeout, 0, { to: ch.destination[x], sequence: delay });
          const ws = holder.htlcTxs[i]!.outputWitnessScript;
          const input = signable(second, ws, htlcTimeout.outputs[0]!.valueSat);
          const mined = offered.cltvExpiry! + 1;
          const owner = withWitness(
            second,
            0,
            toLocalDelayedWitness(
              ch.signers[x].signHolderToLocalSweep({
                tx: input,
                perCommitmentPoint: holder.perCommitmentPoint,
              }),
              ws,
            ),
          );
          const prev = [prevoutOf(htlcTimeout, 0)];
          expect(at(owner, prev, mined + delay, [mined])).toEqual({ ok: true });
          expect(at(owner, prev, mined + delay - 1, [mined])).toEqual(nonBip68Final);
          const justice = sweepOf(htlcTimeout, 0, { to: ch.destination[y], sequence: 0xfffffffd });
          const justiceInput = signable(justice, ws, htlcTimeout.outputs[0]!.valueSat);
          const revoked = withWitness(
            justice,
            0,
            toLocalRevokedWitness(
              ch.signers[y].signJusticeRevokedHtlc({
                tx: justiceInput,
                perCommitmentSecret: secret,
              }),
              ws,
            ),
          );
          expect(at(revoked, prev, mined + 1, [mined])).toEqual({ ok: true });
        });

        it('is taken with the revocation key once the state is revoked', () => {
          const justice = (sign: (i: SignableInput) => Uint8Array): Transaction =>
            spend(offeredIndex, { sequence: 0xfffffffd }, sign, (s, ws) =>
              htlcRevokedWitness(s, holder.keys.revocationPubkey, ws),
            );
          const revoked = justice((tx) =>
            ch.signers[y].signJusticeRevokedHtlc({ tx, perCommitmentSecret: secret }),
          );
          expect(at(revoked, prevouts, COMMITMENT_HEIGHT + 1)).toEqual({ ok: true });
          expect(at(justice(wrongKeySignature), prevouts, COMMITMENT_HEIGHT + 1)).toEqual(
            fail('NULLFAIL'),
          );
        });
      });

      describe('received HTLC (offered by the counterparty)', () => {
        const cltv = received.cltvExpiry!;
        const claimByTimeout = (
          locktime = cltv,
          sequence = anchors ? 1 : 0xfffffffe,
          sign: (i: SignableInput) => Uint8Array = (tx) =>
            ch.signers[y].signCounterpartyHtlcClaim({
              tx,
              counterpartyPerCommitmentPoint: holder.perCommitmentPoint,
            }),
        ): Transaction =>
          spend(receivedIndex, { sequence, locktime }, sign, (s, ws) =>
            receivedHtlcTimeoutWitness(s, ws),
          );
        const prevouts = prevoutsOf(receivedIndex);

        it('is claimed by the broadcaster with the preimage through HTLC-success', () => {
          const i = holder.htlcTxs.findIndex((t) => t.commitmentOutputIndex === receivedIndex);
          expect(at(holder.signedHtlcTxs[i]!, prevouts, COMMITMENT_HEIGHT + 1)).toEqual({
            ok: true,
          });
        });

        it('is taken back by the counterparty after cltv_expiry', () => {
          expect(at(claimByTimeout(), prevouts, cltv + 1)).toEqual({ ok: true });
        });

        it('fails with a too-early locktime, before cltv_expiry, or with the wrong key', () => {
          expect(at(claimByTimeout(cltv - 1), prevouts, cltv + 1)).toEqual(
            fail('UNSATISFIED_LOCKTIME'),
          );
          expect(at(claimByTimeout(), prevouts, cltv)).toEqual(nonFinal);
          // A final sequence disables nLockTime, and OP_CHECKLOCKTIMEVERIFY refuses that.
          if (!anchors) {
            expect(at(claimByTimeout(cltv, 0xffffffff), prevouts, cltv + 1)).toEqual(
              fail('UNSATISFIED_LOCKTIME'),
            );
          }
          expect(
            at(claimByTimeout(cltv, undefined, wrongKeySignature), prevouts, cltv + 1),
          ).toEqual(fail('NULLFAIL'));
        });

        if (anchors) {
          it('fails with sequence 0 under anchors (CSV 1)', () => {
            expect(at(claimByTimeout(cltv, 0), prevouts, cltv + 1)).toEqual(
              fail('UNSATISFIED_LOCKTIME'),
            );
          });
        }

        it('is taken with the revocation key once the state is revoked', () => {
          const justice = (sign: (i: SignableInput) => Uint8Array): Transaction =>
            spend(receivedIndex, { sequence: 0xfffffffd }, sign, (s, ws) =>
              htlcRevokedWitness(s, holder.keys.revocationPubkey, ws),
            );
          const revoked = justice((tx) =>
            ch.signers[y].signJusticeRevokedHtlc({ tx, perCommitmentSecret: secret }),
          );
          expect(at(revoked, prevouts, COMMITMENT_HEIGHT + 1)).toEqual({ ok: true });
          expect(at(justice(wrongKeySignature), prevouts, COMMITMENT_HEIGHT + 1)).toEqual(
            fail('NULLFAIL'),
          );
        });
      });

      describe('to_remote', () => {
        const index = indexOf(CommitmentOutputKind.ToRemote);
        const key = ch.signers[y].pubkeys.paymentBasepoint;
        const claim = (
          sequence = csv1,
          sign: (i: SignableInput) => Uint8Array = (tx) =>
            ch.signers[y].signCounterpartyPaymentInput(tx),
        ): Transaction =>
          anchors
            ? spend(index, { sequence }, sign, (s, ws) => toRemoteAnchorsWitness(s, ws))
            : spend(index, { sequence }, sign, (s) => p2wpkhWitness(s, key), p2wpkhScriptCode(key));
        const prevouts = prevoutsOf(index);

        it(
          anchors
            ? 'is spent by its owner one block after the commitment'
            : 'is spent by its owner (P2WPKH)',
          () => {
            expect(at(claim(), prevouts, COMMITMENT_HEIGHT + 1)).toEqual({ ok: true });
          },
        );

        it('fails with the wrong key', () => {
          expect(at(claim(csv1, wrongKeySignature), prevouts, COMMITMENT_HEIGHT + 1)).toEqual(
            fail('NULLFAIL'),
          );
        });

        if (anchors) {
          it('fails with sequence 0 or in the commitment block', () => {
            expect(at(claim(0), prevouts, COMMITMENT_HEIGHT + 1)).toEqual(
              fail('UNSATISFIED_LOCKTIME'),
            );
            expect(at(claim(), prevouts, COMMITMENT_HEIGHT)).toEqual(nonBip68Final);
          });
        }
      });

      if (anchors) {
        describe.each([
          ['local_anchor', CommitmentOutputKind.LocalAnchor, x],
          ['remote_anchor', CommitmentOutputKind.RemoteAnchor, y],
        ] as const)('%s', (_, kind, owner) => {
          const index = indexOf(kind);
          const anchor = outputs[index]!;
          const ws = anchor.witnessScript!;
          const walletCoin = { txid: ch.fundingOutpoint.txid, vout: 1 };
          const walletPrevout = prevoutOf(ch.fundingTx, 1);

          /** CPFP: the anchor plus a wallet coin, paying back to the wallet. */
          const cpfp = (sign: (i: SignableInput) => Uint8Array): Transaction => {
            const tx: Transaction = {
              version: 2,
              inputs: [
                {
                  prevout: { txid: computeTxid(commitment), vout: index },
                  scriptSig: new Uint8Array(0),
                  sequence: 0xfffffffd,
                  witness: [],
                },
                {
                  prevout: walletCoin,
                  scriptSig: new Uint8Array(0),
                  sequence: 0xfffffffd,
                  witness: [],
                },
              ],
              outputs: [
                {
                  valueSat: walletPrevout.valueSat + anchor.valueSat - 5000n,
                  scriptPubkey: WALLET_SCRIPT,
                },
              ],
              locktime: 0,
            };
            const withAnchor = withWitness(
              tx,
              0,
              anchorKeyWitness(sign(signable(tx, ws, anchor.valueSat)), ws),
            );
            return signWalletInput(withAnchor, 1, walletPrevout.valueSat);
          };
          const cpfpPrevouts = [prevoutOf(commitment, index), walletPrevout];
          const heights = [COMMITMENT_HEIGHT, FUNDING_HEIGHT];

          it('is spent at once with its owner’s funding key (CPFP with a wallet coin)', () => {
            const tx = cpfp((i) => ch.signers[owner].signAnchorInput(i));
            expect(at(tx, cpfpPrevouts, COMMITMENT_HEIGHT, heights)).toEqual({ ok: true });
            expect(at(cpfp(wrongKeySignature), cpfpPrevouts, COMMITMENT_HEIGHT, heights)).toEqual(
              fail('NULLFAIL'),
            );
          });

          it('is swept by anyone 16 blocks after the commitment, not before', () => {
            const sweep = (sequence: number): Transaction =>
              withWitness(
                {
                  version: 2,
                  inputs: [
                    {
                      prevout: { txid: computeTxid(commitment), vout: index },
                      scriptSig: new Uint8Array(0),
                      sequence,
                      witness: [],
                    },
                  ],
                  outputs: [{ valueSat: 0n, scriptPubkey: OP_RETURN }],
                  locktime: 0,
                },
                0,
                anchorSweepWitness(ws),
              );
            const prevouts = prevoutsOf(index);
            expect(at(sweep(16), prevouts, COMMITMENT_HEIGHT + 16)).toEqual({ ok: true });
            expect(at(sweep(15), prevouts, COMMITMENT_HEIGHT + 16)).toEqual(
              fail('UNSATISFIED_LOCKTIME'),
            );
            expect(at(sweep(16), prevouts, COMMITMENT_HEIGHT + 15)).toEqual(nonBip68Final);
          });
        });
      }
    });
  },
);
