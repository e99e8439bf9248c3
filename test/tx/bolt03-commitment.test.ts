// BOLT 3 Appendix C: Commitment and HTLC Transaction Test Vectors (option_static_remotekey).
// Every commitment transaction is rebuilt from the vector's parameters and signed with the
// vector's keys through the crypto backend; RFC 6979 makes the signatures, and so the whole
// signed transaction, reproducible byte for byte.
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { ChannelType } from '../../src/tx/channel-type.js';
import {
  buildCommitmentTransaction,
  commitmentSignableInput,
  finalizeCommitmentTransaction,
  type CommitmentTransaction,
} from '../../src/tx/commitment.js';
import { deriveCommitmentKeys } from '../../src/tx/commitment-keys.js';
import {
  commitmentNumberFromFields,
  commitmentObscuringFactor,
} from '../../src/tx/commitment-number.js';
import { compactToDer } from '../../src/tx/signature-encoding.js';
import { serializeTransaction, transactionWeight, txidToHex } from '../../src/tx/transaction.js';
import { commitmentTxWeight } from '../../src/tx/weights.js';
import { appendixC, paramsFor, privkey, signingKeys, signSignable } from './bolt03-fixtures.js';

const { common, tests } = appendixC();
const keys = signingKeys(common);

function build(t: (typeof tests)[number]): CommitmentTransaction {
  return buildCommitmentTransaction({
    ...paramsFor(common, {
      channelType: ChannelType.StaticRemoteKey,
      htlcIndices: t.htlc_indices,
      toLocalMsat: BigInt(t.to_local_msat),
      toRemoteMsat: BigInt(t.to_remote_msat),
      feerateSatPerKw: t.local_feerate_per_kw,
      dustLimitSat: BigInt(common.local_dust_limit_satoshi),
    }),
    // Only the "fee greater than funder amount" vector needs this; see CommitmentParams.
    allowFeeAboveFunderBalance: t.name === 'commitment tx with fee greater than funder amount',
  });
}

describe('BOLT 3 Appendix C: shared parameters', () => {
  it('obscuring factor from both payment basepoints, opener first', () => {
    const factor = commitmentObscuringFactor(
      fromHex(common.local_payment_basepoint),
      fromHex(common.remote_payment_basepoint),
    );
    expect(factor).toBe(parseInt(common.obscuring_factor, 16));
  });

  it('derives the commitment keys from basepoints and the per-commitment point', () => {
    const internal = common.internal_derivation_values;
    const basepoints = (fundingPubkey: string, payment: string, htlc: string) => ({
      fundingPubkey: fromHex(fundingPubkey),
      revocationBasepoint: fromHex(internal.remote_revocation_basepoint!),
      paymentBasepoint: fromHex(payment),
      delayedPaymentBasepoint: fromHex(internal.local_delayed_payment_basepoint!),
      htlcBasepoint: fromHex(htlc),
    });
    const derived = deriveCommitmentKeys({
      broadcaster: basepoints(
        common.local_funding_pubkey,
        common.local_payment_basepoint,
        common.local_htlc_basepoint,
      ),
      countersignatory: basepoints(
        common.remote_funding_pubkey,
        common.remote_payment_basepoint,
        common.remote_htlc_basepoint,
      ),
      perCommitmentPoint: fromHex(internal.local_per_commitment_point!),
    });
    expect(toHex(derived.revocationPubkey)).toBe(common.local_revocation_pubkey);
    expect(toHex(derived.localDelayedPubkey)).toBe(common.local_delayedpubkey);
    expect(toHex(derived.localHtlcPubkey)).toBe(common.local_htlcpubkey);
    expect(toHex(derived.remoteHtlcPubkey)).toBe(common.remote_htlcpubkey);
    expect(toHex(derived.remotePaymentPubkey)).toBe(common.remote_payment_basepoint);
    // The vector's signing keys belong to these derived keys.
    expect(toHex(nobleBackend.getPublicKey(keys.localHtlc))).toBe(common.local_htlcpubkey);
    expect(toHex(nobleBackend.getPublicKey(keys.remoteHtlc))).toBe(common.remote_htlcpubkey);
    expect(toHex(nobleBackend.getPublicKey(privkey(internal.local_delayed_privkey!)))).toBe(
      common.local_delayedpubkey,
    );
  });
});

describe('BOLT 3 Appendix C: commitment transactions', () => {
  it('has the 16 vectors', () => {
    expect(tests).toHaveLength(16);
  });

  for (const t of tests) {
    describe(t.name, () => {
      const commitment = build(t);
      const signable = commitmentSignableInput(commitment);
      const localSignature = signSignable(signable, keys.localFunding);
      const remoteSignature = signSignable(signable, keys.remoteFunding);
      const signed = finalizeCommitmentTransaction(commitment, { localSignature, remoteSignature });

      it('signs as the spec does', () => {
        expect(toHex(compactToDer(localSignature))).toBe(t.local_signature);
        expect(toHex(compactToDer(remoteSignature))).toBe(t.remote_signature);
      });

      it('reproduces the signed transaction byte for byte', () => {
        expect(toHex(serializeTransaction(signed))).toBe(t.output_commit_tx);
      });

      it('spends the funding outpoint and carries commitment number 42', () => {
        expect(commitment.fundingWitnessScript).toEqual(fromHex(common.funding_witness_script));
        expect(txidToHex(commitment.tx.inputs[0]!.prevout.txid)).toBe(common.funding_tx_id);
        const factor = parseInt(common.obscuring_factor, 16);
        const input = commitment.tx.inputs[0]!;
        expect(commitmentNumberFromFields(commitment.tx.locktime, input.sequence, factor)).toBe(
          common.commitment_number,
        );
      });

      it('has the listed outputs, amounts and witness scripts', () => {
        // outputs_info follows the spec's comment lines (grouped by type), not output order;
        // the order itself is checked by the byte-for-byte match and the HTLC vectors.
        const htlcOutputs = commitment.outputs.filter((o) => o.htlcIndex !== undefined);
        const expectedHtlcs = t.outputs_info.filter((o) => o.type.startsWith('htlc'));
        expect(htlcOutputs.map((o) => t.htlc_indices[o.htlcIndex!]).sort()).toEqual(
          expectedHtlcs.map((o) => o.htlc_index).sort(),
        );
        for (const info of t.outputs_info) {
          const kind = {
            to_local: 'to_local',
            to_remote: 'to_remote',
            htlc_offered: 'offered_htlc',
            htlc_received: 'received_htlc',
          }[info.type];
          const out = commitment.outputs.find(
            (o) =>
              o.kind === kind &&
              (info.htlc_index === undefined || t.htlc_indices[o.htlcIndex!] === info.htlc_index),
          );
          expect(out, info.type).toBeDefined();
          expect(Number(out!.valueSat)).toBe(info.amount_sat);
          if (info.witness_script !== undefined) {
            expect(toHex(out!.witnessScript!)).toBe(info.witness_script);
          }
        }
        expect(commitment.outputs.length).toBe(commitment.tx.outputs.length);
      });

      if (t.base_commitment_fee_sat !== undefined) {
        it('pays the base and actual fee the spec states', () => {
          expect(commitment.baseFeeSat).toBe(BigInt(t.base_commitment_fee_sat!));
          expect(commitment.feeSat).toBe(BigInt(t.actual_commitment_fee_sat!));
        });
      }

      it('weighs what BOLT 3 expects, less the bytes its worst case assumes', () => {
        const untrimmed = commitment.htlcOutputIndices.filter((i) => i !== null).length;
        const expected = commitmentTxWeight(ChannelType.StaticRemoteKey, untrimmed);
        // The expectation assumes 73-byte signatures (DER + sighash byte) and both main outputs.
        const sigShortfall = signed.inputs[0]!.witness.slice(1, 3).reduce(
          (s, w) => s + 73 - w.length,
          0,
        );
        const kinds = commitment.outputs.map((o) => o.kind);
        const missing =
          (kinds.includes('to_local') ? 0 : 4 * 43) + (kinds.includes('to_remote') ? 0 : 4 * 31);
        expect(transactionWeight(signed)).toBe(expected - sigShortfall - missing);
      });
    });
  }
});
