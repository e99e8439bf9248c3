// BOLT 3 Appendix F: Commitment and HTLC Transaction Test Vectors (anchors), on the Appendix C
// keys and HTLCs: 9 commitment transactions and their 15 zero-fee HTLC transactions, whose
// counterparty signatures use SIGHASH_SINGLE|ANYONECANPAY.
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { ChannelType } from '../../src/tx/channel-type.js';
import {
  buildCommitmentTransaction,
  commitmentSignableInput,
  finalizeCommitmentTransaction,
} from '../../src/tx/commitment.js';
import {
  buildHtlcTransactions,
  finalizeHtlcTransaction,
  htlcSignableInput,
} from '../../src/tx/htlc-tx.js';
import { compactToDer, SighashType } from '../../src/tx/signature-encoding.js';
import { serializeTransaction, transactionWeight } from '../../src/tx/transaction.js';
import {
  commitmentTxWeight,
  htlcSuccessTxWeight,
  htlcTimeoutTxWeight,
} from '../../src/tx/weights.js';
import { appendixF, paramsFor, signingKeys, signSignable } from './bolt03-fixtures.js';

const { common_from_appendix_c: common, tests } = appendixF();
const keys = signingKeys(common);
const anchors = ChannelType.AnchorsZeroFeeHtlcTx;

describe('BOLT 3 Appendix F: anchor commitment and HTLC transactions', () => {
  it('has the 9 commitment and 15 HTLC vectors', () => {
    expect(tests).toHaveLength(9);
    expect(tests.reduce((n, t) => n + t.HtlcDescs.length, 0)).toBe(15);
  });

  for (const t of tests) {
    describe(t.Name, () => {
      const commitment = buildCommitmentTransaction(
        paramsFor(common, {
          channelType: anchors,
          htlcIndices: t.htlc_indices,
          toLocalMsat: BigInt(t.LocalBalance),
          toRemoteMsat: BigInt(t.RemoteBalance),
          feerateSatPerKw: t.FeePerKw,
          dustLimitSat: BigInt(t.DustLimitSatoshis),
        }),
      );
      const signable = commitmentSignableInput(commitment);
      const localSignature = signSignable(signable, keys.localFunding);
      const remoteSignature = signSignable(signable, keys.remoteFunding);
      const signed = finalizeCommitmentTransaction(commitment, { localSignature, remoteSignature });

      it('reproduces the signed commitment byte for byte', () => {
        expect(toHex(compactToDer(remoteSignature))).toBe(t.RemoteSigHex);
        expect(toHex(serializeTransaction(signed))).toBe(t.ExpectedCommitmentTxHex);
      });

      it('adds an anchor only for a side with an output, or both when HTLCs remain', () => {
        const kinds = commitment.outputs.map((o) => o.kind);
        const anyHtlc = commitment.htlcOutputIndices.some((i) => i !== null);
        expect(kinds.includes('local_anchor')).toBe(kinds.includes('to_local') || anyHtlc);
        expect(kinds.includes('remote_anchor')).toBe(kinds.includes('to_remote') || anyHtlc);
        for (const o of commitment.outputs) {
          if (o.kind.endsWith('anchor')) expect(o.valueSat).toBe(330n);
        }
      });

      it('weighs what BOLT 3 expects, less the bytes its worst case assumes', () => {
        const untrimmed = commitment.htlcOutputIndices.filter((i) => i !== null).length;
        const expected = commitmentTxWeight(anchors, untrimmed);
        const witness = signed.inputs[0]!.witness;
        const sigShortfall = 146 - witness[1]!.length - witness[2]!.length;
        const kinds = commitment.outputs.map((o) => o.kind);
        // Appendix A counts 3 bytes for the output count; every missing output is 43 bytes.
        const missing = ['to_local', 'to_remote', 'local_anchor', 'remote_anchor'].filter(
          (k) => !kinds.includes(k as (typeof kinds)[number]),
        ).length;
        expect(transactionWeight(signed)).toBe(expected - sigShortfall - 4 * 2 - 4 * 43 * missing);
      });

      const htlcTxs = buildHtlcTransactions(commitment);
      it('builds one zero-fee HTLC transaction per untrimmed HTLC', () => {
        expect(htlcTxs).toHaveLength(t.HtlcDescs.length);
        for (const h of htlcTxs) {
          expect(h.tx.outputs[0]!.valueSat).toBe(h.inputValueSat);
          expect(h.tx.inputs[0]!.sequence).toBe(1);
        }
      });

      t.HtlcDescs.forEach((v, i) => {
        it(`HTLC transaction ${i}`, () => {
          const htlcTx = htlcTxs[i]!;
          const remoteInput = htlcSignableInput(htlcTx, 'remote');
          expect(remoteInput.sighashType).toBe(SighashType.SingleAnyoneCanPay);
          expect(htlcSignableInput(htlcTx, 'local').sighashType).toBe(SighashType.All);
          const remoteSig = signSignable(remoteInput, keys.remoteHtlc);
          const localSig = signSignable(htlcSignableInput(htlcTx, 'local'), keys.localHtlc);
          expect(toHex(compactToDer(remoteSig))).toBe(v.RemoteSigHex);
          const preimage = common.htlcs[t.htlc_indices[htlcTx.htlcIndex!]!]!.payment_preimage;
          const signedHtlc = finalizeHtlcTransaction(htlcTx, {
            localSignature: localSig,
            remoteSignature: remoteSig,
            paymentPreimage: fromHex(preimage),
          });
          expect(toHex(serializeTransaction(signedHtlc))).toBe(v.ResolutionTxHex);

          const w = signedHtlc.inputs[0]!.witness;
          const sigShortfall = 146 - w[1]!.length - w[2]!.length;
          const expected =
            htlcTx.kind === 'htlc-timeout'
              ? htlcTimeoutTxWeight(anchors)
              : htlcSuccessTxWeight(anchors) - 1 - (4 - 2);
          expect(transactionWeight(signedHtlc)).toBe(expected - sigShortfall);
        });
      });
    });
  }
});
