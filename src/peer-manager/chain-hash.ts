/**
 * Chain hashes of the well-known Bitcoin chains, as BOLT messages carry them (`init`'s
 * `networks`, `open_channel`, gossip): the genesis block hash in internal byte order, i.e. the
 * raw double-SHA256 output, NOT reversed the way `bitcoin-cli` displays block hashes (BOLT 0,
 * "chain_hash"). Regtest's genesis block shows as `0f9188f1…2206` in bitcoin-cli; its chain hash
 * is `06226e46…910f`.
 */
import { fromHex } from '../util/bytes.js';

/** Lowercase hex chain hashes, keyed by chain name. */
export const ChainHashHex = {
  /** BOLT 0 gives this value for Bitcoin mainnet. */
  bitcoin: '6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000',
  testnet: '43497fd7f826957108f4a30fd9cec3aeba79972084e90ead01ea330900000000',
  signet: 'f61eee3b63a380a477a063af32b2bbc97c9ff9f01f2c4225e973988108000000',
  regtest: '06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f',
} as const;
export type ChainName = keyof typeof ChainHashHex;

/** The 32-byte chain hash of a well-known chain (a fresh copy each call). */
export function chainHashOf(chain: ChainName): Uint8Array {
  return fromHex(ChainHashHex[chain], 32, 'chain hash');
}
