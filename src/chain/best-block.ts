/**
 * The chain tip a component has last seen. Kept by `ChannelManager` and every `ChannelMonitor`
 * and persisted with them, so on restart the host knows from which block to replay the chain.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { APIMisuseError } from '../util/errors.js';
import { blockHash } from './block.js';

export interface BestBlock {
  /** Display-order lowercase hex block hash. */
  readonly blockHash: string;
  /** Height of that block (the genesis block is 0). */
  readonly height: number;
}

/**
 * The `BestBlock` for an 80-byte header at `height`. Throws `DecodeError` for a header of
 * another length and `APIMisuseError` for a height that is not an integer u32.
 */
export function bestBlockFromHeader(
  header: Uint8Array,
  height: number,
  crypto: CryptoBackend = nobleBackend,
): BestBlock {
  checkHeight(height);
  return { blockHash: blockHash(header, crypto), height };
}

/** Throws `APIMisuseError` unless `height` is an integer in [0, 2^32 - 1]. */
export function checkHeight(height: number): number {
  if (
    typeof height !== 'number' ||
    !Number.isInteger(height) ||
    height < 0 ||
    height > 0xffffffff
  ) {
    throw new APIMisuseError('height: expected an integer in [0, 4294967295]');
  }
  return height;
}
