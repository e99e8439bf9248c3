// The in-memory regtest chain that functional tests run on (test/support/test-chain.ts):
// mining, the mempool's acceptance rules, reorganizations, listeners, and the wallet.
import { readFileSync } from 'node:fs';
import { Block as BitcoinBlock, script as bitcoinScript, Transaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import {
  blockHash,
  checkBlockMerkleRoot,
  decodeBlockHeader,
  encodeBlock,
} from '../../src/chain/block.js';
import type { Confirm } from '../../src/chain/confirm.js';
import type { Listen } from '../../src/chain/listen.js';
import type { OutPoint } from '../../src/chain/outpoint.js';
import { computeTxid, displayHexToHash, hashToDisplayHex } from '../../src/chain/txid.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import { concatBytes, fromHex, toHex } from '../../src/util/bytes.js';
import { ErrorCode } from '../../src/util/errors.js';
import { verifyTransaction } from '../support/script-interpreter.js';
import {
  COINBASE_MATURITY,
  REGTEST_GENESIS_BLOCK_HEX,
  REGTEST_GENESIS_HASH,
  TestChain,
  type SubmitResult,
} from '../support/test-chain.js';
import type { TestWallet } from '../support/test-wallet.js';

const funding = JSON.parse(
  readFileSync(new URL('../vectors/bolt03-funding-tx.json', import.meta.url), 'utf8'),
).vectors[0];
const START = 1_735_689_600;
const P2WSH_2OF2 = concatBytes(
  Uint8Array.of(0x00, 0x20),
  nobleBackend.sha256(fromHex(funding.funding_witness_script)),
);
const OTHER_SPK = concatBytes(Uint8Array.of(0x00, 0x14), new Uint8Array(20).fill(7));

/** A chain with mature coinbase coins in the wallet. */
function funded(): TestChain {
  const chain = new TestChain();
  chain.mineBlocks(COINBASE_MATURITY + 1);
  return chain;
}

function rejection(r: SubmitResult): string | undefined {
  return r.accepted ? undefined : r.reason;
}

/** Signs a P2WPKH wallet spend by hand, for shapes the wallet refuses to build. */
function handSpend(
  wallet: TestWallet,
  coin: { outpoint: OutPoint; valueSat: bigint },
  outputs: { scriptPubKey: Uint8Array; valueSat: bigint }[],
  opts: { version?: number; locktime?: number; sequence?: number } = {},
): Uint8Array {
  const tx = new Transaction();
  tx.version = opts.version ?? 2;
  tx.locktime = opts.locktime ?? 0;
  tx.addInput(displayHexToHash(coin.outpoint.txid), coin.outpoint.index, opts.sequence);
  for (const o of outputs) tx.addOutput(o.scriptPubKey, o.valueSat);
  const keyHash = nobleBackend.hash160(wallet.publicKey);
  const scriptCode = concatBytes(
    Uint8Array.of(0x76, 0xa9, 0x14),
    keyHash,
    Uint8Array.of(0x88, 0xac),
  );
  const digest = tx.hashForWitnessV0(0, scriptCode, coin.valueSat, 1);
  const sig = bitcoinScript.signature.encode(nobleBackend.sign(digest, wallet.secretKey), 1);
  tx.setWitness(0, [sig, wallet.publicKey]);
  return tx.toBuffer();
}

describe('TestChain: blocks', () => {
  it('starts at the real regtest genesis block', () => {
    const chain = new TestChain();
    expect(REGTEST_GENESIS_BLOCK_HEX).toBe(funding.chain.block0_genesis);
    expect(chain.tip).toEqual({ blockHash: REGTEST_GENESIS_HASH, height: 0 });
    expect(toHex(encodeBlock(chain.getBlock(0)!))).toBe(funding.chain.block0_genesis);
    expect(blockHash(chain.getHeader(0)!)).toBe(REGTEST_GENESIS_HASH);
  });

  it('mines linked, valid blocks with deterministic timestamps', () => {
    const chain = new TestChain();
    const hashes = chain.mineBlocks(12);
    expect(chain.height).toBe(12);
    for (let h = 1; h <= 12; h++) {
      const block = chain.getBlock(h)!;
      const header = decodeBlockHeader(block.header);
      expect(blockHash(block.header)).toBe(hashes[h - 1]);
      expect(header.prevBlockHash).toBe(chain.getBlockHash(h - 1));
      expect(header.time).toBe(START + 600 * (h - 1));
      expect(header.bits).toBe(0x207fffff);
      expect(checkBlockMerkleRoot(block)).toBe(true);
      const reference = BitcoinBlock.fromBuffer(encodeBlock(block));
      expect(reference.checkProofOfWork()).toBe(true);
      // BIP 34: the coinbase starts with the height; the reward is the regtest subsidy.
      const coinbase = Transaction.fromBuffer(block.transactions[0]!);
      expect(bitcoinScript.decompile(coinbase.ins[0]!.script)![0]).toBe(
        h <= 16 ? 0x50 + h : undefined,
      );
      expect(coinbase.outs[0]!.value).toBe(5_000_000_000n);
    }
    expect(chain.getBlock(hashes[3]!)).toEqual(chain.getBlock(4));
    // Median of the last 11 block times: block 7's time at tip 12.
    expect(chain.medianTimePast()).toBe(START + 600 * 6);
    expect(chain.getBlock(13)).toBeUndefined();
  });

  it('takes a custom start time and interval, and can advance the clock', () => {
    const chain = new TestChain({ startTime: 1_000_000, blockIntervalSec: 60 });
    chain.mineBlocks(2);
    chain.advanceTime(3600);
    chain.mineBlocks(1);
    const times = [1, 2, 3].map((h) => decodeBlockHeader(chain.getHeader(h)!).time);
    expect(times).toEqual([1_000_000, 1_000_060, 1_000_060 + 60 + 3600]);
  });

  it('halves the subsidy every 150 blocks and pays fees to the miner', () => {
    const chain = new TestChain();
    chain.mineBlocks(150);
    const reward = (h: number): bigint =>
      Transaction.fromBuffer(chain.getBlock(h)!.transactions[0]!).outs[0]!.value;
    const { tx } = chain.wallet.fundAddress(OTHER_SPK, 1_000_000n);
    const parsed = Transaction.fromBuffer(tx);
    const inSat = 5_000_000_000n;
    const outSat = parsed.outs.reduce((s, o) => s + o.value, 0n);
    chain.mineBlocks(1);
    expect(reward(149)).toBe(5_000_000_000n);
    expect(reward(150)).toBe(2_500_000_000n);
    expect(reward(151)).toBe(2_500_000_000n + (inSat - outSat));
    expect(inSat - outSat).toBeGreaterThan(0n);
  });

  it('commits to witnesses (BIP 141) when a block carries segwit transactions', () => {
    const chain = funded();
    const { txid } = chain.wallet.fundAddress(P2WSH_2OF2, 10_000_000n);
    chain.mineBlocks(1);
    const block = chain.getBlock(chain.height)!;
    expect(Transaction.fromBuffer(block.transactions[1]!).getId()).toBe(txid);
    const reference = BitcoinBlock.fromBuffer(encodeBlock(block));
    expect(reference.hasWitnessCommit()).toBe(true);
    expect(reference.checkTxRoots()).toBe(true);
  });
});

describe('TestChain: wallet and mempool acceptance', () => {
  it('the funding helper builds interpreter-valid, signed transactions', () => {
    const chain = funded();
    const tx = chain.wallet.createFundingTx([
      { scriptPubKey: P2WSH_2OF2, valueSat: 10_000_000n },
      { scriptPubKey: OTHER_SPK, valueSat: 20_000n },
    ]);
    const parsed = Transaction.fromBuffer(tx);
    expect(parsed.outs.map((o) => o.value).slice(0, 2)).toEqual([10_000_000n, 20_000n]);
    const prevouts = parsed.ins.map((i) => {
      const coin = chain.getUtxo({ txid: hashToDisplayHex(i.hash), index: i.index })!;
      return { scriptPubKey: coin.scriptPubKey, valueSat: coin.valueSat };
    });
    expect(verifyTransaction(tx, prevouts)).toEqual({ ok: true });
    const txid = chain.broadcast(tx);
    expect(txid).toBe(computeTxid(tx));
    expect(chain.getConfirmations(txid)).toBe(0);
    expect(chain.getTx(txid)).toEqual(tx);
    chain.mineBlocks(3);
    expect(chain.getConfirmations(txid)).toBe(3);
    expect(chain.getTxConfirmation(txid)).toEqual({
      height: chain.height - 2,
      blockHash: chain.getBlockHash(chain.height - 2),
      index: 1,
    });
    expect(chain.getUtxo({ txid, index: 0 })?.valueSat).toBe(10_000_000n);
    expect(chain.isSpent({ txid, index: 0 })).toBe(false);
    expect(chain.getConfirmations('00'.repeat(32))).toBeUndefined();
  });

  it('wallet builds never reuse a coin, spend mempool change last, and refuse when short', () => {
    const chain = funded();
    // At tip 101 the coinbases of blocks 1 and 2 are spendable in block 102.
    expect(chain.wallet.spendableCoins().map((c) => c.height)).toEqual([1, 2]);
    expect(chain.wallet.balanceSat()).toBe(10_000_000_000n);
    const a = chain.wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 1_000n }]);
    const b = chain.wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 1_000n }]);
    const aTxid = chain.broadcast(a);
    chain.broadcast(b);
    const c = chain.wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 1_000n }]);
    expect(Transaction.fromBuffer(c).ins.map((i) => hashToDisplayHex(i.hash))).toEqual([aTxid]);
    expect(chain.submit(c).accepted).toBe(true);
    expect(() =>
      new TestChain().wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 1n }]),
    ).toThrow(expect.objectContaining({ code: ErrorCode.APIMisuse }));
    expect(() =>
      chain.wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 1n }], {
        inputs: [{ txid: '00'.repeat(32), index: 0 }],
      }),
    ).toThrow(expect.objectContaining({ code: ErrorCode.APIMisuse }));
  });

  it('accepts a child of a mempool transaction and mines both in order', () => {
    const chain = funded();
    const parent = chain.wallet.fundAddress(chain.wallet.scriptPubKey, 50_000n);
    const child = chain.wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 40_000n }], {
      inputs: [parent.outpoint],
    });
    const childTxid = chain.broadcast(child);
    expect(chain.mempoolTxids()).toEqual([parent.txid, childTxid]);
    chain.mineBlocks(1);
    expect(chain.getTxConfirmation(parent.txid)?.index).toBe(1);
    expect(chain.getTxConfirmation(childTxid)?.index).toBe(2);
    expect(chain.mempoolTxids()).toEqual([]);
  });

  it('rejects malformed transactions, coinbases and duplicates', () => {
    const chain = funded();
    expect(rejection(chain.submit(Uint8Array.of(1, 2, 3)))).toBe('Malformed');
    expect(rejection(chain.submit(chain.getBlock(5)!.transactions[0]!))).toBe('Coinbase');
    const { tx, txid } = chain.wallet.fundAddress(OTHER_SPK, 5_000n);
    expect(chain.submit(tx)).toMatchObject({ accepted: false, reason: 'AlreadyInMempool', txid });
    chain.mineBlocks(1);
    expect(rejection(chain.submit(tx))).toBe('AlreadyConfirmed');
    expect(() => chain.broadcast(tx)).toThrow(
      expect.objectContaining({
        code: ErrorCode.APIMisuse,
        result: expect.objectContaining({ reason: 'AlreadyConfirmed' }),
      }),
    );
  });

  it('rejects a missing input, a double spend in the mempool and a spent input', () => {
    const chain = funded();
    const coin = chain.wallet.spendableCoins()[0]!;
    const first = chain.wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 1_000n }], {
      inputs: [coin.outpoint],
    });
    const second = chain.wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 2_000n }], {
      inputs: [coin.outpoint],
    });
    const firstTxid = chain.broadcast(first);
    expect(chain.submit(second)).toMatchObject({
      accepted: false,
      reason: 'MempoolConflict',
      conflictingTxid: firstTxid,
      inputIndex: 0,
    });
    expect(chain.getSpendingTxid(coin.outpoint)).toBe(firstTxid);
    chain.mineBlocks(1);
    expect(chain.submit(second)).toMatchObject({
      accepted: false,
      reason: 'InputSpent',
      conflictingTxid: firstTxid,
    });
    // The same transaction pointing at an output that never existed.
    const parsed = Transaction.fromBuffer(second);
    parsed.ins[0]!.hash = new Uint8Array(32).fill(0xab);
    expect(rejection(chain.submit(parsed.toBuffer()))).toBe('MissingInputs');
  });

  it('rejects a bad signature as a script failure on that input', () => {
    const chain = funded();
    const tx = Transaction.fromBuffer(
      chain.wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 1_000n }]),
    );
    const sig = tx.ins[0]!.witness[0]!.slice();
    sig[10] = sig[10]! ^ 1;
    tx.setWitness(0, [sig, tx.ins[0]!.witness[1]!]);
    expect(chain.submit(tx.toBuffer())).toMatchObject({
      accepted: false,
      reason: 'ScriptFailure',
      inputIndex: 0,
    });
    // Paying more than the inputs hold, correctly signed.
    const coin = chain.wallet.spendableCoins()[0]!;
    const over = handSpend(chain.wallet, coin, [
      { scriptPubKey: OTHER_SPK, valueSat: coin.valueSat + 1n },
    ]);
    expect(rejection(chain.submit(over))).toBe('InsufficientValue');
  });

  it('rejects an immature coinbase spend until it matures', () => {
    const chain = funded();
    // At tip 101 the next block is 102: the coinbase of block 3 has 99 confirmations then.
    const young = chain.listUnspent(chain.wallet.scriptPubKey).find((c) => c.height === 3)!;
    const tx = chain.wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 1_000n }], {
      inputs: [young.outpoint],
    });
    expect(rejection(chain.submit(tx))).toBe('ImmatureCoinbase');
    expect(chain.wallet.spendableCoins().some((c) => c.height === 3)).toBe(false);
    chain.mineBlocks(1);
    expect(chain.submit(tx).accepted).toBe(true);
  });

  it('rejects a transaction before its nLockTime height or time', () => {
    const chain = funded();
    const [c1, c2] = chain.wallet.spendableCoins();
    const byHeight = handSpend(chain.wallet, c1!, [{ scriptPubKey: OTHER_SPK, valueSat: 1_000n }], {
      locktime: chain.height + 3,
      sequence: 0xfffffffe,
    });
    expect(rejection(chain.submit(byHeight))).toBe('NonFinal');
    chain.mineBlocks(2);
    expect(rejection(chain.submit(byHeight))).toBe('NonFinal');
    chain.mineBlocks(1);
    expect(chain.submit(byHeight).accepted).toBe(true);

    const lockTime = chain.medianTimePast() + 3 * 3600;
    const byTime = handSpend(chain.wallet, c2!, [{ scriptPubKey: OTHER_SPK, valueSat: 1_000n }], {
      locktime: lockTime,
      sequence: 0xfffffffe,
    });
    expect(rejection(chain.submit(byTime))).toBe('NonFinal');
    chain.advanceTime(4 * 3600);
    chain.mineBlocks(6); // the median time past moves past the lock time
    expect(chain.medianTimePast()).toBeGreaterThan(lockTime);
    expect(chain.submit(byTime).accepted).toBe(true);
  });

  it('rejects a spend before its BIP 68 relative lock', () => {
    const chain = funded();
    const out = chain.wallet.fundAddress(chain.wallet.scriptPubKey, 100_000n);
    chain.mineBlocks(1);
    const confirmedAt = chain.height;
    const tx = handSpend(
      chain.wallet,
      { outpoint: out.outpoint, valueSat: 100_000n },
      [{ scriptPubKey: OTHER_SPK, valueSat: 90_000n }],
      { sequence: 10 },
    );
    expect(rejection(chain.submit(tx))).toBe('NonBip68Final');
    chain.mineBlocks(confirmedAt + 8 - chain.height);
    expect(rejection(chain.submit(tx))).toBe('NonBip68Final');
    chain.mineBlocks(1); // the next block is 10 blocks after the one that confirmed the output
    expect(chain.submit(tx).accepted).toBe(true);
  });

  it('mines exactly the given transactions when asked to leave the mempool out', () => {
    const chain = funded();
    const waiting = chain.wallet.fundAddress(OTHER_SPK, 1_000n);
    const coin = chain.wallet.spendableCoins()[0]!;
    const direct = chain.wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 2_000n }], {
      inputs: [coin.outpoint],
    });
    chain.mineBlocks(1, [direct], { includeMempool: false });
    expect(chain.getConfirmations(computeTxid(direct))).toBe(1);
    expect(chain.mempoolTxids()).toEqual([waiting.txid]);
    // A block refuses an invalid transaction with a typed error.
    expect(() => chain.mineBlocks(1, [direct], { includeMempool: false })).toThrow(
      expect.objectContaining({ code: ErrorCode.APIMisuse }),
    );
  });

  it('a block double-spending a mempool transaction evicts it and its children', () => {
    const chain = funded();
    const coin = chain.wallet.spendableCoins()[0]!;
    const parent = chain.wallet.createFundingTx(
      [{ scriptPubKey: chain.wallet.scriptPubKey, valueSat: 50_000n }],
      {
        inputs: [coin.outpoint],
      },
    );
    const parentTxid = chain.broadcast(parent);
    const child = chain.wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 40_000n }], {
      inputs: [{ txid: parentTxid, index: 0 }],
    });
    chain.broadcast(child);
    const rival = chain.wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 3_000n }], {
      inputs: [coin.outpoint],
    });
    chain.mineBlocks(1, [rival], { includeMempool: false });
    expect(chain.mempoolTxids()).toEqual([]);
    expect(chain.getSpendingTxid(coin.outpoint)).toBe(computeTxid(rival));
  });

  it('the broadcaster double records and submits', () => {
    const chain = funded();
    const broadcaster = chain.createBroadcaster();
    const tx = chain.wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 1_000n }]);
    broadcaster.broadcastTransactions([tx, tx]);
    expect(broadcaster.broadcasts).toEqual([tx, tx]);
    expect(broadcaster.results.map((r) => r.accepted)).toEqual([true, false]);
    expect(chain.inMempool(computeTxid(tx))).toBe(true);
  });
});

describe('TestChain: reorganizations and listeners', () => {
  function recorder(chain: TestChain): string[] {
    const events: string[] = [];
    chain.onBlockConnected((b, h) => events.push(`+${h}:${blockHash(b.header).slice(0, 8)}`));
    chain.onBlockDisconnected((header, h) => events.push(`-${h}:${blockHash(header).slice(0, 8)}`));
    return events;
  }

  it('a depth-1 reorg returns the tip block transactions to the mempool', () => {
    const chain = funded();
    const { txid } = chain.wallet.fundAddress(OTHER_SPK, 10_000n);
    chain.mineBlocks(1);
    const oldTip = chain.tip;
    const events = recorder(chain);
    const [newA, newB] = chain.reorg(1);
    expect(chain.height).toBe(oldTip.height + 1);
    expect(chain.getBlockHash(oldTip.height)).not.toBe(oldTip.blockHash);
    expect(chain.getConfirmations(txid)).toBe(0);
    expect(events).toEqual([
      `-${oldTip.height}:${oldTip.blockHash.slice(0, 8)}`,
      `+${oldTip.height}:${newA!.slice(0, 8)}`,
      `+${oldTip.height + 1}:${newB!.slice(0, 8)}`,
    ]);
    chain.mineBlocks(1);
    expect(chain.getConfirmations(txid)).toBe(1);
  });

  it('a depth-5 reorg returns still-valid transactions in order and drops the rest', () => {
    const chain = new TestChain();
    chain.mineBlocks(COINBASE_MATURITY + 4); // tip 104
    const wallet = chain.wallet;
    // Block 105 confirms a parent, block 107 its child.
    const parent = wallet.fundAddress(wallet.scriptPubKey, 500_000n);
    chain.mineBlocks(2);
    const child = wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 400_000n }], {
      inputs: [parent.outpoint],
    });
    const childTxid = chain.broadcast(child);
    chain.mineBlocks(2);
    // Block 109 spends the coinbase of block 9, which matures exactly at height 109.
    const block9Coin = chain.listUnspent(wallet.scriptPubKey).find((c) => c.height === 9)!;
    const late = wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 7_000n }], {
      inputs: [block9Coin.outpoint],
    });
    chain.mineBlocks(1, [late]);
    const pending = wallet.fundAddress(OTHER_SPK, 3_000n); // unconfirmed before the reorg
    expect(chain.height).toBe(109);

    const events = recorder(chain);
    const newHashes = chain.reorg(5);
    expect(events.slice(0, 5)).toEqual(
      [109, 108, 107, 106, 105].map((h) => expect.stringMatching(new RegExp(`^-${h}:`))),
    );
    expect(events.slice(5)).toHaveLength(6);
    expect(newHashes).toHaveLength(6);
    expect(chain.height).toBe(110);
    // After the fork at 104 the next block is 105, where block 9's coinbase is immature again.
    expect(chain.getConfirmations(computeTxid(late))).toBeUndefined();
    expect(chain.mempoolTxids()).toEqual([parent.txid, childTxid, pending.txid]);
    chain.mineBlocks(1);
    for (const txid of [parent.txid, childTxid, pending.txid]) {
      expect(chain.getConfirmations(txid)).toBe(1);
    }
  });

  it('replacement blocks can confirm a conflicting transaction instead', () => {
    const chain = funded();
    const coin = chain.wallet.spendableCoins()[0]!;
    const original = chain.wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 1_000n }], {
      inputs: [coin.outpoint],
    });
    const rival = chain.wallet.createFundingTx([{ scriptPubKey: OTHER_SPK, valueSat: 2_000n }], {
      inputs: [coin.outpoint],
    });
    chain.mineBlocks(1, [original]);
    chain.mineBlocks(1);
    const hashes = chain.reorg(2, [[], [rival], []]);
    expect(hashes).toHaveLength(3);
    expect(chain.getConfirmations(computeTxid(rival))).toBe(2);
    expect(chain.getConfirmations(computeTxid(original))).toBeUndefined();
    expect(chain.mempoolTxids()).toEqual([]);
    expect(() => chain.reorg(0)).toThrow(expect.objectContaining({ code: ErrorCode.APIMisuse }));
    expect(() => chain.reorg(chain.height + 1)).toThrow(
      expect.objectContaining({ code: ErrorCode.APIMisuse }),
    );
  });

  it('feeds a Listen in chain order, replaying from a height', () => {
    const chain = new TestChain();
    chain.mineBlocks(3);
    const calls: string[] = [];
    const listen: Listen = {
      blockConnected: (block, height) =>
        calls.push(`connect ${height} ${block.transactions.length}`),
      blockDisconnected: (_header, height) => calls.push(`disconnect ${height}`),
    };
    const detach = chain.attachListen(listen, 2);
    chain.mineBlocks(1);
    chain.reorg(2, 1);
    detach();
    chain.mineBlocks(1);
    expect(calls).toEqual([
      'connect 2 1',
      'connect 3 1',
      'connect 4 1',
      'disconnect 4',
      'disconnect 3',
      'connect 3 1',
    ]);
  });

  it('feeds a Confirm: confirmations, then unconfirmations before reconfirmations', () => {
    const chain = funded();
    const calls: string[] = [];
    const relevant = new Map<string, { height: number; blockHash: string }>();
    const confirm: Confirm = {
      transactionsConfirmed: (header, txdata, height) => {
        for (const [index, tx] of txdata) {
          if (index === 0) continue; // not interested in coinbases
          const txid = computeTxid(tx);
          relevant.set(txid, { height, blockHash: blockHash(header) });
          calls.push(`confirmed ${txid.slice(0, 8)} at ${height}`);
        }
      },
      transactionUnconfirmed: (txid) => {
        relevant.delete(txid);
        calls.push(`unconfirmed ${txid.slice(0, 8)}`);
      },
      bestBlockUpdated: (_header, height) => calls.push(`tip ${height}`),
      getRelevantTxids: () => [...relevant].map(([txid, v]) => ({ txid, ...v })),
    };
    chain.attachConfirm(confirm);
    const { txid } = chain.wallet.fundAddress(OTHER_SPK, 10_000n);
    chain.mineBlocks(1);
    chain.reorg(1, [[chain.getTx(txid)!]]);
    const t = txid.slice(0, 8);
    expect(calls).toEqual([
      `confirmed ${t} at 102`,
      'tip 102',
      `unconfirmed ${t}`,
      'tip 101',
      `confirmed ${t} at 102`,
      'tip 102',
    ]);
  });
});
