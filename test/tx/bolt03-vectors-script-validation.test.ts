// The BOLT 3 vector transactions themselves (Appendix B funding, Appendix C commitment and HTLC
// transactions, Appendix F anchors variants) run through the script interpreter helper with
// Core's standard flags: each passes, and each fails once any one of its signatures has a byte
// flipped. This checks the spec's transactions against consensus and policy script rules
// independently of our builders (which bolt03-commitment.test.ts checks byte for byte).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { ConsensusFlags, verifyTransaction, type Prevout } from '../support/script-interpreter.js';
import { decodeTx, encodeTx, txidOf, type Tx } from '../support/script-interpreter-tx.js';

const vectorDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');
const load = (name: string): unknown => JSON.parse(readFileSync(join(vectorDir, name), 'utf8'));
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface Common {
  funding_tx_id: string;
  funding_amount_satoshi: number;
  funding_witness_script: string;
}
interface AppendixC {
  common: Common;
  tests: {
    name: string;
    output_commit_tx: string;
    htlc_txs?: { type: string; htlc_index: number; tx: string }[];
  }[];
}
interface AppendixF {
  common_from_appendix_c: Common;
  tests: {
    Name: string;
    ExpectedCommitmentTxHex: string;
    HtlcDescs: { ResolutionTxHex: string }[];
  }[];
}
interface FundingVector {
  vectors: { chain: { block1_coinbase_tx: string }; funding_tx: string; funding_txid: string }[];
}

/** A named transaction with the outputs its inputs spend. */
interface Case {
  readonly name: string;
  readonly kind: 'funding' | 'commitment' | 'htlc';
  readonly tx: Uint8Array;
  readonly prevouts: Prevout[];
  /** Witness item indices (input 0) that hold signatures; scriptSig pushes for legacy inputs. */
  readonly signatureItems: number[];
}

function p2wsh(script: Uint8Array): Uint8Array {
  return Uint8Array.of(0x00, 0x20, ...sha256(script));
}

/** Commitment cases spend the funding output; HTLC cases spend the commitment's outputs. */
function commitmentCases(
  name: string,
  common: Common,
  commitmentHex: string,
  htlcs: { name: string; tx: string }[],
): Case[] {
  const funding: Prevout = {
    scriptPubKey: p2wsh(hex(common.funding_witness_script)),
    valueSat: BigInt(common.funding_amount_satoshi),
  };
  const commitment = decodeTx(hex(commitmentHex));
  expect(toHex(commitment.inputs[0]!.prevTxid.slice().reverse())).toBe(common.funding_tx_id);
  const commitmentTxid = txidOf(commitment);
  const cases: Case[] = [
    {
      name,
      kind: 'commitment',
      tx: hex(commitmentHex),
      prevouts: [funding],
      signatureItems: [1, 2],
    },
  ];
  for (const h of htlcs) {
    const htlcTx = decodeTx(hex(h.tx));
    const input = htlcTx.inputs[0]!;
    expect(toHex(input.prevTxid)).toBe(toHex(commitmentTxid));
    const spent = commitment.outputs[input.prevIndex]!;
    cases.push({
      name: `${name}: ${h.name}`,
      kind: 'htlc',
      tx: hex(h.tx),
      prevouts: [{ scriptPubKey: spent.scriptPubKey, valueSat: spent.valueSat }],
      signatureItems: [1, 2],
    });
  }
  return cases;
}

const appendixC = load('bolt03-commitment-txs.json') as AppendixC;
const appendixF = load('bolt03-commitment-txs-anchors.json') as AppendixF;
const fundingVector = (load('bolt03-funding-tx.json') as FundingVector).vectors[0]!;

const staticRemoteKeyCases = appendixC.tests.flatMap((t) =>
  commitmentCases(
    t.name,
    appendixC.common,
    t.output_commit_tx,
    (t.htlc_txs ?? []).map((h) => ({ name: `${h.type} #${h.htlc_index}`, tx: h.tx })),
  ),
);
const anchorCases = appendixF.tests.flatMap((t) =>
  commitmentCases(
    `anchors: ${t.Name}`,
    appendixF.common_from_appendix_c,
    t.ExpectedCommitmentTxHex,
    t.HtlcDescs.map((h, i) => ({ name: `HTLC tx ${i}`, tx: h.ResolutionTxHex })),
  ),
);

/** Flips the last byte of S in signature `item` of input 0 (witness, or scriptSig push). */
function flipSignatureByte(txBytes: Uint8Array, item: number): Uint8Array {
  const tx = decodeTx(txBytes);
  const input = tx.inputs[0]!;
  if (input.witness.length > 0) {
    const witness = input.witness.map((w) => w.slice());
    const sig = witness[item]!;
    sig[sig.length - 2]! ^= 0x01;
    const changed: Tx = { ...tx, inputs: [{ ...input, witness }, ...tx.inputs.slice(1)] };
    return encodeTx(changed, true);
  }
  // Legacy: the scriptSig's first push is the signature; flip a byte inside it.
  const scriptSig = input.scriptSig.slice();
  const sigLength = scriptSig[0]!;
  scriptSig[sigLength - 1]! ^= 0x01;
  return encodeTx({ ...tx, inputs: [{ ...input, scriptSig }, ...tx.inputs.slice(1)] }, true);
}

describe('BOLT 3 Appendix B funding transaction', () => {
  const coinbase = decodeTx(hex(fundingVector.chain.block1_coinbase_tx));
  const spent = coinbase.outputs[0]!;
  const funding: Case = {
    name: 'funding tx',
    kind: 'funding',
    tx: hex(fundingVector.funding_tx),
    prevouts: [{ scriptPubKey: spent.scriptPubKey, valueSat: spent.valueSat }],
    signatureItems: [0],
  };

  it('spends the block 1 coinbase (P2PKH) under standard flags', () => {
    expect(toHex(txidOf(decodeTx(funding.tx)).reverse())).toBe(fundingVector.funding_txid);
    expect(verifyTransaction(funding.tx, funding.prevouts)).toEqual({ ok: true });
  });

  it('fails with a signature byte flipped', () => {
    const r = verifyTransaction(flipSignatureByte(funding.tx, 0), funding.prevouts);
    expect(r).toEqual({ ok: false, error: 'NULLFAIL', inputIndex: 0 });
  });
});

describe.each([
  ['Appendix C (option_static_remotekey)', staticRemoteKeyCases, 16, 33],
  ['Appendix F (option_anchors)', anchorCases, 9, 15],
] as const)('BOLT 3 %s', (_, cases, commitments, htlcTxs) => {
  it('has every commitment and HTLC transaction', () => {
    expect(cases.filter((c) => c.kind === 'commitment')).toHaveLength(commitments);
    expect(cases.filter((c) => c.kind === 'htlc')).toHaveLength(htlcTxs);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s passes standard script checks', (_, c) => {
    expect(verifyTransaction(c.tx, c.prevouts)).toEqual({ ok: true });
  });

  it.each(cases.map((c) => [c.name, c] as const))(
    '%s fails when a signature byte is flipped',
    (_, c) => {
      for (const item of c.signatureItems) {
        const tampered = flipSignatureByte(c.tx, item);
        expect(verifyTransaction(tampered, c.prevouts)).toEqual({
          ok: false,
          error: 'NULLFAIL',
          inputIndex: 0,
        });
        // Consensus rules alone reject it too (without NULLFAIL the multisig just fails).
        expect(verifyTransaction(tampered, c.prevouts, { flags: ConsensusFlags }).ok).toBe(false);
      }
    },
  );
});

describe('BOLT 3 vector lock times', () => {
  const mtp = 1_700_000_000;

  it('commitment transactions are final (time-based obscured locktime, no relative lock)', () => {
    const c = staticRemoteKeyCases[0]!;
    expect(
      verifyTransaction(c.tx, c.prevouts, {
        spendHeight: 1000,
        spendMedianTimePast: mtp,
        prevoutHeights: [999],
      }),
    ).toEqual({ ok: true });
  });

  it('HTLC-timeout transactions are final only above their cltv_expiry', () => {
    const timeouts = appendixC.tests
      .flatMap((t) => t.htlc_txs ?? [])
      .filter((h) => h.type === 'htlc-timeout');
    expect(timeouts.length).toBeGreaterThan(0);
    const c = staticRemoteKeyCases.find((x) => x.name.includes('htlc-timeout'))!;
    const locktime = decodeTx(c.tx).lockTime;
    expect(locktime).toBeGreaterThanOrEqual(500);
    const at = (height: number): ReturnType<typeof verifyTransaction> =>
      verifyTransaction(c.tx, c.prevouts, { spendHeight: height, prevoutHeights: [100] });
    expect(at(locktime + 1)).toEqual({ ok: true });
    expect(at(locktime)).toEqual({ ok: false, error: 'bad-txns-nonfinal' });
  });

  it('anchor HTLC transactions wait one block after the commitment (nSequence 1)', () => {
    const c = anchorCases.find((x) => x.kind === 'htlc')!;
    const locktime = decodeTx(c.tx).lockTime;
    const height = Math.max(locktime + 1, 200);
    expect(
      verifyTransaction(c.tx, c.prevouts, { spendHeight: height, prevoutHeights: [height - 1] }),
    ).toEqual({ ok: true });
    expect(
      verifyTransaction(c.tx, c.prevouts, { spendHeight: height, prevoutHeights: [height] }),
    ).toEqual({ ok: false, error: 'non-BIP68-final' });
  });
});
