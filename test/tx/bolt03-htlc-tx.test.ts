// BOLT 3 Appendix C: the 33 HTLC-success and HTLC-timeout transactions of the commitment
// vectors, rebuilt from each commitment and signed by both HTLC keys (remote first, as in
// `htlc_signatures`), then compared byte for byte.
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { ChannelType } from '../../src/tx/channel-type.js';
import { buildCommitmentTransaction } from '../../src/tx/commitment.js';
import {
  buildHtlcTransactions,
  finalizeHtlcTransaction,
  htlcSignableInput,
} from '../../src/tx/htlc-tx.js';
import { compactToDer, SighashType } from '../../src/tx/signature-encoding.js';
import { serializeTransaction, transactionWeight } from '../../src/tx/transaction.js';
import { htlcSuccessTxWeight, htlcTimeoutTxWeight } from '../../src/tx/weights.js';
import { appendixC, paramsFor, signingKeys, signSignable } from './bolt03-fixtures.js';

const { common, tests } = appendixC();
const keys = signingKeys(common);
const withHtlcTxs = tests.filter((t) => (t.htlc_txs ?? []).length > 0);

describe('BOLT 3 Appendix C: HTLC transactions', () => {
  it('has the 33 vectors', () => {
    expect(withHtlcTxs.reduce((n, t) => n + t.htlc_txs!.length, 0)).toBe(33);
  });

  for (const t of withHtlcTxs) {
    describe(t.name, () => {
      const commitment = buildCommitmentTransaction(
        paramsFor(common, {
          channelType: ChannelType.StaticRemoteKey,
          htlcIndices: t.htlc_indices,
          toLocalMsat: BigInt(t.to_local_msat),
          toRemoteMsat: BigInt(t.to_remote_msat),
          feerateSatPerKw: t.local_feerate_per_kw,
          dustLimitSat: BigInt(common.local_dust_limit_satoshi),
        }),
      );
      const htlcTxs = buildHtlcTransactions(commitment);

      it('builds one per untrimmed HTLC, in commitment output order', () => {
        expect(htlcTxs.map((h) => h.commitmentOutputIndex)).toEqual(
          t.htlc_txs!.map((v) => v.commitment_output_index),
        );
        expect(htlcTxs.map((h) => t.htlc_indices[h.htlcIndex!])).toEqual(
          t.htlc_txs!.map((v) => v.htlc_index),
        );
        expect(htlcTxs.map((h) => h.kind)).toEqual(t.htlc_txs!.map((v) => v.type));
        for (const h of htlcTxs) {
          expect(commitment.htlcOutputIndices[h.htlcIndex!]).toBe(h.commitmentOutputIndex);
        }
      });

      t.htlc_txs!.forEach((v, i) => {
        it(`output #${v.commitment_output_index}: ${v.type} for HTLC ${v.htlc_index}`, () => {
          const htlcTx = htlcTxs[i]!;
          const remoteInput = htlcSignableInput(htlcTx, 'remote');
          const localInput = htlcSignableInput(htlcTx, 'local');
          expect(remoteInput.sighashType).toBe(SighashType.All);
          const remoteSignature = signSignable(remoteInput, keys.remoteHtlc);
          const localSignature = signSignable(localInput, keys.localHtlc);
          expect(toHex(compactToDer(remoteSignature))).toBe(v.remote_htlc_signature);
          expect(toHex(compactToDer(localSignature))).toBe(v.local_htlc_signature);

          const preimage = fromHex(common.htlcs[v.htlc_index]!.payment_preimage);
          const signed = finalizeHtlcTransaction(htlcTx, {
            localSignature,
            remoteSignature,
            paymentPreimage: preimage,
          });
          expect(toHex(serializeTransaction(signed))).toBe(v.tx);

          // BOLT 3 Appendix A assumes 73-byte signatures, a 4-byte cltv_expiry push in the
          // received script, and adds one weight unit to HTLC-success for historical reasons.
          const witness = signed.inputs[0]!.witness;
          const sigShortfall = 146 - witness[1]!.length - witness[2]!.length;
          const expected =
            v.type === 'htlc-timeout'
              ? htlcTimeoutTxWeight(ChannelType.StaticRemoteKey)
              : htlcSuccessTxWeight(ChannelType.StaticRemoteKey) -
                1 -
                (4 - 2); /* cltv_expiry 500..506 pushes 2 bytes */
          expect(transactionWeight(signed)).toBe(expected - sigShortfall);
        });
      });
    });
  }
});
