// BOLT 3 Appendix B: Funding Transaction Test Vectors, and the funding output checks the
// channel layer runs on a host-built funding transaction.
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/util/bytes.js';
import {
  findFundingOutput,
  hasOnlySegwitInputs,
  verifyFundingOutput,
} from '../../src/tx/funding.js';
import {
  fundingScriptPubkey,
  fundingWitnessScript,
  sortFundingPubkeys,
} from '../../src/tx/scripts/funding.js';
import {
  computeTxid,
  parseTransaction,
  serializeTransaction,
  txidFromHex,
  txidToHex,
  withWitness,
  type Transaction,
} from '../../src/tx/transaction.js';
import { loadVector } from './bolt03-fixtures.js';

interface FundingVector {
  local_funding_pubkey: string;
  remote_funding_pubkey: string;
  funding_witness_script: string;
  input_txid: string;
  input_index: number;
  input_satoshis: number;
  funding_satoshis: number;
  change_satoshis: number;
  funding_output_index: number;
  funding_tx: string;
  funding_txid: string;
}

const v = (loadVector('bolt03-funding-tx.json') as { vectors: FundingVector[] }).vectors[0]!;
const local = fromHex(v.local_funding_pubkey);
const remote = fromHex(v.remote_funding_pubkey);
const fundingTx = fromHex(v.funding_tx);

describe('BOLT 3 Appendix B: funding transaction', () => {
  it('builds the 2-of-2 witness script with sorted keys, whichever side is local', () => {
    expect(toHex(fundingWitnessScript(local, remote))).toBe(v.funding_witness_script);
    expect(toHex(fundingWitnessScript(remote, local))).toBe(v.funding_witness_script);
    expect(sortFundingPubkeys(remote, local)).toEqual([local, remote]);
  });

  it('parses the funding transaction and computes its txid', () => {
    const tx = parseTransaction(fundingTx);
    expect(toHex(serializeTransaction(tx))).toBe(v.funding_tx);
    expect(txidToHex(computeTxid(tx))).toBe(v.funding_txid);
    expect(txidToHex(tx.inputs[0]!.prevout.txid)).toBe(v.input_txid);
    expect(tx.outputs[1]!.valueSat).toBe(BigInt(v.change_satoshis));
  });

  it('finds the funding output', () => {
    const found = findFundingOutput(fundingTx, {
      localFundingPubkey: local,
      remoteFundingPubkey: remote,
    });
    expect(found?.outpoint.vout).toBe(v.funding_output_index);
    expect(found?.valueSat).toBe(BigInt(v.funding_satoshis));
    expect(txidToHex(found!.outpoint.txid)).toBe(v.funding_txid);
    expect(
      findFundingOutput(fundingTx, { localFundingPubkey: local, remoteFundingPubkey: local }),
    ).toBeUndefined();
  });

  it('verifies the agreed funding output and names what differs', () => {
    const expected = {
      txid: txidFromHex(v.funding_txid),
      outputIndex: 0,
      valueSat: BigInt(v.funding_satoshis),
      localFundingPubkey: local,
      remoteFundingPubkey: remote,
    };
    expect(() => {
      verifyFundingOutput(fundingTx, expected);
    }).not.toThrow();
    for (const bad of [
      { ...expected, valueSat: expected.valueSat + 1n },
      { ...expected, outputIndex: 1 },
      { ...expected, outputIndex: 2 },
      { ...expected, txid: new Uint8Array(32) },
    ]) {
      expect(() => {
        verifyFundingOutput(fundingTx, bad);
      }).toThrow(expect.objectContaining({ code: 'TransactionError' }));
    }
  });

  it('flags the vector funding transaction as spending a legacy input', () => {
    // Appendix B spends a P2PKH coinbase output, which BOLT 2 forbids in practice (malleable).
    expect(hasOnlySegwitInputs(fundingTx)).toBe(false);
    const tx = parseTransaction(fundingTx);
    const native: Transaction = withWitness(
      { ...tx, inputs: tx.inputs.map((i) => ({ ...i, scriptSig: new Uint8Array(0) })) },
      0,
      [new Uint8Array(72), new Uint8Array(33)],
    );
    expect(hasOnlySegwitInputs(native)).toBe(true);
    // P2SH-wrapped P2WPKH: scriptSig is one push of a v0 witness program.
    const program = Uint8Array.of(0x00, 0x14, ...new Uint8Array(20));
    const wrapped: Transaction = {
      ...native,
      inputs: native.inputs.map((i) => ({ ...i, scriptSig: Uint8Array.of(22, ...program) })),
    };
    expect(hasOnlySegwitInputs(wrapped)).toBe(true);
  });

  it('rejects a malformed funding transaction with DecodeError', () => {
    expect(() =>
      findFundingOutput(fundingTx.subarray(0, 50), {
        localFundingPubkey: local,
        remoteFundingPubkey: remote,
      }),
    ).toThrow(expect.objectContaining({ code: 'DecodeError' }));
  });

  it('rejects invalid funding keys with CryptoError', () => {
    const offCurve = fromHex('02' + 'ff'.repeat(32));
    expect(() => fundingScriptPubkey(local, offCurve)).toThrow(
      expect.objectContaining({ code: 'CryptoError' }),
    );
    expect(() => fundingScriptPubkey(local, local.subarray(0, 32))).toThrow(
      expect.objectContaining({ code: 'CryptoError' }),
    );
  });
});
