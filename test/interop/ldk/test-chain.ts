/**
 * A regtest-shaped block chain for LDK test nodes: 80-byte headers linked by hash, no proof of
 * work. LDK only checks that each connected header builds on its best block, and it stamps its
 * invoices with the newest header's time, so headers carry wall-clock times.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';

/** Regtest genesis block hash as block explorers print it (byte-reversed). */
export const REGTEST_GENESIS_HASH_DISPLAY =
  '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';

/**
 * Regtest chain hash as BOLT 1 `init` `networks` carries it: the genesis hash in internal
 * (little-endian) byte order.
 */
export const REGTEST_CHAIN_HASH_HEX = hex.encode(
  hex.decode(REGTEST_GENESIS_HASH_DISPLAY).reverse(),
);

/** One block header and its height. `hash` is in internal byte order (double SHA-256 output). */
export interface TestBlock {
  readonly height: number;
  readonly header: Uint8Array;
  readonly hash: Uint8Array;
  readonly timeSecs: number;
}

/** Builds the chain a test node starts on: its own genesis at height 0, then empty blocks. */
export class TestChain {
  readonly blocks: TestBlock[] = [];

  constructor() {
    this.blocks.push(makeBlock(new Uint8Array(32), 0, nowSecs()));
  }

  get tip(): TestBlock {
    return this.blocks[this.blocks.length - 1]!;
  }

  /** Appends one block on the tip; times never go backwards. */
  mine(): TestBlock {
    const tip = this.tip;
    const block = makeBlock(tip.hash, tip.height + 1, Math.max(nowSecs(), tip.timeSecs + 1));
    this.blocks.push(block);
    return block;
  }
}

function nowSecs(): number {
  return Math.floor(Date.now() / 1000);
}

function makeBlock(prevHash: Uint8Array, height: number, timeSecs: number): TestBlock {
  const header = new Uint8Array(80);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0x20000000, true); // version
  header.set(prevHash, 4);
  // No real merkle root: LDK learns transactions from the txdata it is handed. The field holds
  // the height instead, so two headers of one chain never collide.
  view.setUint32(36, height, true);
  view.setUint32(68, timeSecs, true);
  view.setUint32(72, 0x207fffff, true); // regtest bits
  view.setUint32(76, 0, true); // nonce
  return { height, header, hash: sha256(sha256(header)), timeSecs };
}
