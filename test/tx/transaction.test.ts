// The transaction model: serialization, parsing, txids and weight, and the BIP 143 sighash,
// cross-checked against bitcoinjs-lib and against the signer's own sighash (src/keys), which is
// an independent implementation.
import { Transaction as BitcoinjsTransaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { parseSignable } from '../../src/keys/sighash.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { ChannelType } from '../../src/tx/channel-type.js';
import { buildCommitmentTransaction, commitmentSignableInput } from '../../src/tx/commitment.js';
import { buildHtlcTransactions, htlcSignableInput } from '../../src/tx/htlc-tx.js';
import { segwitV0Sighash, sighashOfSignable } from '../../src/tx/sighash.js';
import {
  computeTxid,
  parseTransaction,
  serializeTransaction,
  transactionWeight,
  txidFromHex,
  txidToHex,
} from '../../src/tx/transaction.js';
import { appendixC, appendixF, paramsFor } from './bolt03-fixtures.js';

const code = (c: string) => expect.objectContaining({ code: c });
const c = appendixC();
const f = appendixF();
const allTxHex = [
  ...c.tests.flatMap((t) => [t.output_commit_tx, ...(t.htlc_txs ?? []).map((h) => h.tx)]),
  ...f.tests.flatMap((t) => [
    t.ExpectedCommitmentTxHex,
    ...t.HtlcDescs.map((h) => h.ResolutionTxHex),
  ]),
];

describe('transaction serialization', () => {
  it('round-trips every BOLT 3 vector transaction and agrees with bitcoinjs-lib', () => {
    expect(allTxHex).toHaveLength(16 + 33 + 9 + 15);
    for (const hex of allTxHex) {
      const tx = parseTransaction(fromHex(hex));
      expect(toHex(serializeTransaction(tx))).toBe(hex);
      const reference = BitcoinjsTransaction.fromHex(hex);
      expect(txidToHex(computeTxid(tx))).toBe(reference.getId());
      expect(transactionWeight(tx)).toBe(reference.weight());
      for (const input of reference.ins) input.witness = [];
      expect(toHex(serializeTransaction(tx, { witness: false }))).toBe(reference.toHex());
    }
  });

  it('every HTLC transaction spends its commitment txid', () => {
    for (const t of c.tests) {
      const commitmentTxid = computeTxid(parseTransaction(fromHex(t.output_commit_tx)));
      for (const h of t.htlc_txs ?? []) {
        const tx = parseTransaction(fromHex(h.tx));
        expect(tx.inputs[0]!.prevout.txid).toEqual(commitmentTxid);
        expect(tx.inputs[0]!.prevout.vout).toBe(h.commitment_output_index);
      }
    }
  });

  it('converts txids between internal order and display hex', () => {
    const hex = c.common.funding_tx_id;
    expect(txidToHex(txidFromHex(hex))).toBe(hex);
    expect(txidFromHex(hex)[0]).toBe(parseInt(hex.slice(62), 16));
    expect(() => txidFromHex('00')).toThrow(code('DecodeError'));
  });

  it('rejects malformed bytes with DecodeError', () => {
    const good = fromHex(c.tests[0]!.output_commit_tx);
    const cases = [
      new Uint8Array(0),
      good.subarray(0, good.length - 1),
      Uint8Array.of(...good, 0),
      // A witness flag with every witness empty.
      fromHex(
        '02000000' +
          '0001' +
          '01' +
          '00'.repeat(32) +
          '00000000' +
          '00' +
          'ffffffff' +
          '00' +
          '00' +
          '00000000',
      ),
      // An input count larger than the data.
      fromHex('02000000' + 'fd0010' + '00'.repeat(10)),
      // A non-canonical varint.
      fromHex('02000000' + 'fd0100' + '00'.repeat(41) + '00' + '00000000'),
    ];
    for (const bytes of cases) {
      expect(() => parseTransaction(bytes)).toThrow(code('DecodeError'));
    }
  });
});

describe('BIP 143 sighash', () => {
  const signables = [
    ...c.tests.slice(1, 3).flatMap((t) => {
      const commitment = buildCommitmentTransaction(
        paramsFor(c.common, {
          channelType: ChannelType.StaticRemoteKey,
          htlcIndices: t.htlc_indices,
          toLocalMsat: BigInt(t.to_local_msat),
          toRemoteMsat: BigInt(t.to_remote_msat),
          feerateSatPerKw: t.local_feerate_per_kw,
          dustLimitSat: 546n,
        }),
      );
      return [
        commitmentSignableInput(commitment),
        ...buildHtlcTransactions(commitment).map((h) => htlcSignableInput(h, 'remote')),
      ];
    }),
    ...f.tests.slice(2, 4).flatMap((t) => {
      const commitment = buildCommitmentTransaction(
        paramsFor(f.common_from_appendix_c, {
          channelType: ChannelType.AnchorsZeroFeeHtlcTx,
          htlcIndices: t.htlc_indices,
          toLocalMsat: BigInt(t.LocalBalance),
          toRemoteMsat: BigInt(t.RemoteBalance),
          feerateSatPerKw: t.FeePerKw,
          dustLimitSat: BigInt(t.DustLimitSatoshis),
        }),
      );
      return buildHtlcTransactions(commitment).flatMap((h) => [
        htlcSignableInput(h, 'remote'),
        htlcSignableInput(h, 'local'),
      ]);
    }),
  ];

  it('agrees with bitcoinjs-lib and with the signer for SIGHASH_ALL and SINGLE|ANYONECANPAY', () => {
    expect(signables.some((s) => s.sighashType === 0x83)).toBe(true);
    for (const s of signables) {
      const ours = sighashOfSignable(s);
      expect(ours).toEqual(parseSignable(s).digest);
      const reference = BitcoinjsTransaction.fromBuffer(s.unsignedTx).hashForWitnessV0(
        s.inputIndex,
        s.witnessScript,
        s.valueSat,
        s.sighashType,
      );
      expect(ours).toEqual(reference);
    }
  });

  it('covers the other sighash types like bitcoinjs-lib does', () => {
    const s = signables[0]!;
    const tx = parseTransaction(s.unsignedTx);
    const twoOutputs = { ...tx, inputs: [tx.inputs[0]!, { ...tx.inputs[0]!, sequence: 7 }] };
    const reference = BitcoinjsTransaction.fromBuffer(serializeTransaction(twoOutputs));
    for (const type of [0x01, 0x02, 0x03, 0x81, 0x82, 0x83]) {
      for (const inputIndex of [0, 1]) {
        const args = { tx: twoOutputs, inputIndex, witnessScript: s.witnessScript, valueSat: 5n };
        expect(segwitV0Sighash({ ...args, sighashType: type })).toEqual(
          reference.hashForWitnessV0(inputIndex, s.witnessScript, 5n, type),
        );
      }
    }
  });

  it('rejects an input index out of range and undefined sighash types', () => {
    const tx = parseTransaction(signables[0]!.unsignedTx);
    const args = { tx, witnessScript: new Uint8Array(1), valueSat: 1n };
    expect(() => segwitV0Sighash({ ...args, inputIndex: 1, sighashType: 1 })).toThrow(
      code('APIMisuse'),
    );
    expect(() => segwitV0Sighash({ ...args, inputIndex: 0, sighashType: 0x04 })).toThrow(
      code('APIMisuse'),
    );
  });
});
