// BOLT 3 "Legacy Closing Transaction": outputs to both shutdown scripts, fee from the funder,
// outputs below the signer's dust limit removed, BIP 69 order, locktime 0, final sequence.
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import { fromHex } from '../../src/util/bytes.js';
import {
  buildClosingTransaction,
  closingSignableInput,
  finalizeClosingTransaction,
  type ClosingParams,
} from '../../src/tx/closing.js';
import { sighashOfSignable } from '../../src/tx/sighash.js';
import { decodeScriptSignature } from '../../src/tx/signature-encoding.js';
import { p2wpkhScriptPubkey } from '../../src/tx/scripts/templates.js';
import { txidFromHex } from '../../src/tx/transaction.js';
import { appendixC, signingKeys, signSignable } from './bolt03-fixtures.js';

const code = (c: string) => expect.objectContaining({ code: c });
const { common } = appendixC();
const keys = signingKeys(common);
const localScript = p2wpkhScriptPubkey(fromHex(common.local_payment_basepoint));
const remoteScript = fromHex('a914' + '11'.repeat(20) + '87'); // a P2SH shutdown script

const base: ClosingParams = {
  fundingOutpoint: { txid: txidFromHex(common.funding_tx_id), vout: 0 },
  fundingValueSat: 10_000_000n,
  localFundingPubkey: fromHex(common.local_funding_pubkey),
  remoteFundingPubkey: fromHex(common.remote_funding_pubkey),
  localScriptPubkey: localScript,
  remoteScriptPubkey: remoteScript,
  toLocalMsat: 7_000_000_500n,
  toRemoteMsat: 2_999_999_500n,
  feeSat: 1_000n,
  funder: 'local',
  dustLimitSat: 546n,
};

describe('BOLT 3 legacy closing transaction', () => {
  it('pays both shutdown scripts, the fee from the funder, in BIP 69 order', () => {
    const closing = buildClosingTransaction(base);
    const { tx } = closing;
    expect(tx.version).toBe(2);
    expect(tx.locktime).toBe(0);
    expect(tx.inputs[0]!.sequence).toBe(0xffffffff);
    expect(tx.outputs).toEqual([
      { valueSat: 2_999_999n, scriptPubkey: remoteScript },
      { valueSat: 6_999_000n, scriptPubkey: localScript },
    ]);
    expect(closing.remoteOutputIndex).toBe(0);
    expect(closing.localOutputIndex).toBe(1);

    const remoteFunder = buildClosingTransaction({ ...base, funder: 'remote' });
    expect(remoteFunder.tx.outputs.map((o) => o.valueSat)).toEqual([2_998_999n, 7_000_000n]);
  });

  it('removes outputs below the dust limit, and our own on request', () => {
    const dusty = buildClosingTransaction({
      ...base,
      toLocalMsat: 9_999_500_000n,
      toRemoteMsat: 500_000n,
    });
    expect(dusty.tx.outputs).toHaveLength(1);
    expect(dusty.remoteOutputIndex).toBeNull();
    const omitted = buildClosingTransaction({ ...base, omitLocalOutput: true });
    expect(omitted.tx.outputs).toHaveLength(1);
    expect(omitted.localOutputIndex).toBeNull();
    expect(omitted.remoteOutputIndex).toBe(0);
  });

  it('produces a witness both funding keys signed, in key order', () => {
    const closing = buildClosingTransaction(base);
    const signable = closingSignableInput(closing);
    const localSignature = signSignable(signable, keys.localFunding);
    const remoteSignature = signSignable(signable, keys.remoteFunding);
    const signed = finalizeClosingTransaction(closing, { localSignature, remoteSignature });
    const witness = signed.inputs[0]!.witness;
    expect(witness).toHaveLength(4);
    expect(witness[0]).toEqual(new Uint8Array(0));
    const digest = sighashOfSignable(signable);
    // Local funding key 023da0… sorts before remote 030e9f…
    expect(
      nobleBackend.verify(
        decodeScriptSignature(witness[1]!).signature,
        digest,
        base.localFundingPubkey,
      ),
    ).toBe(true);
    expect(
      nobleBackend.verify(
        decodeScriptSignature(witness[2]!).signature,
        digest,
        base.remoteFundingPubkey,
      ),
    ).toBe(true);
    expect(witness[3]).toEqual(fromHex(common.funding_witness_script));
  });

  it('refuses what cannot be built', () => {
    expect(() => buildClosingTransaction({ ...base, feeSat: 7_000_001n })).toThrow(
      code('TransactionError'),
    );
    expect(() =>
      buildClosingTransaction({ ...base, dustLimitSat: 8_000_000n, omitLocalOutput: true }),
    ).toThrow(code('TransactionError'));
    expect(() => buildClosingTransaction({ ...base, toRemoteMsat: 1n })).toThrow(code('APIMisuse'));
    expect(() => buildClosingTransaction({ ...base, feeSat: -1n })).toThrow(code('APIMisuse'));
    expect(() =>
      buildClosingTransaction({ ...base, localFundingPubkey: new Uint8Array(33) }),
    ).toThrow(code('CryptoError'));
  });
});
