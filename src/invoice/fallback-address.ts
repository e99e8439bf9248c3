/**
 * On-chain fallback addresses (the `f` field): a 5-bit version, then a witness program for
 * versions 0-16, a public key hash for 17 (P2PKH) or a script hash for 18 (P2SH). A payer whose
 * Lightning payment fails may pay the first one it understands. Each decoded fallback carries
 * its address string for the invoice's network: bech32 for witness version 0, bech32m for 1 and
 * up (BIP 350), base58check for P2PKH and P2SH.
 *
 * See BOLT 11, "Tagged Fields" (`f`) and the `f` writer and reader requirements.
 */
import { bech32, bech32m, createBase58check } from '@scure/base';
import type { CryptoBackend } from '../crypto/backend.js';
import { APIMisuseError } from '../util/errors.js';
import { networkParams, type Network } from './network.js';

/** `f` version meaning "a 20-byte public key hash" (P2PKH). */
export const FALLBACK_VERSION_P2PKH = 17;
/** `f` version meaning "a 20-byte script hash" (P2SH). */
export const FALLBACK_VERSION_P2SH = 18;

export type FallbackAddressType = 'p2pkh' | 'p2sh' | 'p2wpkh' | 'p2wsh' | 'p2tr' | 'witness';

export interface FallbackAddress {
  /** 0..16: witness version; 17: P2PKH; 18: P2SH. */
  readonly version: number;
  /** The witness program, public key hash or script hash. */
  readonly program: Uint8Array;
  readonly type: FallbackAddressType;
  /** The address as a wallet shows it, for the invoice's network. */
  readonly address: string;
}

/**
 * Why `program` cannot follow `version`, or `undefined` when it can. BIP 141 bounds witness
 * programs to 2..40 bytes and version 0 to 20 (P2WPKH) or 32 (P2WSH).
 */
export function fallbackProgramProblem(version: number, program: Uint8Array): string | undefined {
  if (!Number.isInteger(version) || version < 0 || version > FALLBACK_VERSION_P2SH) {
    return `version ${version} is not 0..18`;
  }
  if (version === FALLBACK_VERSION_P2PKH || version === FALLBACK_VERSION_P2SH) {
    return program.length === 20
      ? undefined
      : `a ${version === 17 ? 'P2PKH' : 'P2SH'} hash is 20 bytes, got ${program.length}`;
  }
  if (program.length < 2 || program.length > 40) {
    return `a witness program is 2..40 bytes, got ${program.length}`;
  }
  if (version === 0 && program.length !== 20 && program.length !== 32) {
    return `a version 0 witness program is 20 or 32 bytes, got ${program.length}`;
  }
  return undefined;
}

function typeOf(version: number, program: Uint8Array): FallbackAddressType {
  if (version === FALLBACK_VERSION_P2PKH) return 'p2pkh';
  if (version === FALLBACK_VERSION_P2SH) return 'p2sh';
  if (version === 0) return program.length === 20 ? 'p2wpkh' : 'p2wsh';
  if (version === 1 && program.length === 32) return 'p2tr';
  return 'witness';
}

function params(network: Network): NonNullable<ReturnType<typeof networkParams>> {
  const p = networkParams(network);
  if (p === undefined) throw new APIMisuseError(`fallback address: unknown network ${network}`);
  return p;
}

/**
 * A fallback from its version and program, with the address string for `network`. Throws
 * `APIMisuseError` when the program does not fit the version (see `fallbackProgramProblem`).
 */
export function makeFallbackAddress(
  version: number,
  program: Uint8Array,
  network: Network,
  crypto: CryptoBackend,
): FallbackAddress {
  if (!(program instanceof Uint8Array)) {
    throw new APIMisuseError('fallback address: program must be a Uint8Array');
  }
  const problem = fallbackProgramProblem(version, program);
  if (problem !== undefined) throw new APIMisuseError(`fallback address: ${problem}`);
  const p = params(network);
  let address: string;
  if (version === FALLBACK_VERSION_P2PKH || version === FALLBACK_VERSION_P2SH) {
    const prefix = version === FALLBACK_VERSION_P2PKH ? p.p2pkhVersion : p.p2shVersion;
    const payload = new Uint8Array(21);
    payload[0] = prefix;
    payload.set(program, 1);
    address = createBase58check((data: Uint8Array) => crypto.sha256(data)).encode(payload);
  } else {
    const coder = version === 0 ? bech32 : bech32m;
    address = coder.encode(p.segwitHrp, [version, ...coder.toWords(program)]);
  }
  return { version, program: program.slice(), type: typeOf(version, program), address };
}

/**
 * Parses an address string of `network` into a fallback, for writers that hold addresses rather
 * than scripts. Throws `APIMisuseError` for an address that is malformed, fails its checksum,
 * uses the wrong bech32 variant for its witness version, or belongs to another network.
 */
export function parseFallbackAddress(
  address: string,
  network: Network,
  crypto: CryptoBackend,
): FallbackAddress {
  if (typeof address !== 'string') throw new APIMisuseError('fallback address: expected a string');
  const p = params(network);
  if (address.toLowerCase().startsWith(`${p.segwitHrp}1`)) {
    // BIP 350: version 0 uses bech32, every later version bech32m.
    const v0 = bech32.decodeUnsafe(address, 90);
    const v1 = bech32m.decodeUnsafe(address, 90);
    const decoded = v0 ?? v1;
    const version = decoded?.words[0];
    if (decoded === undefined || version === undefined || decoded.prefix !== p.segwitHrp) {
      throw new APIMisuseError(
        `fallback address: ${address} is not a valid ${network} segwit address`,
      );
    }
    if ((version === 0) !== (decoded === v0)) {
      throw new APIMisuseError(
        `fallback address: ${address} uses the wrong bech32 variant for version ${version}`,
      );
    }
    const program = bech32.fromWordsUnsafe(decoded.words.slice(1));
    if (version > 16 || program === undefined) {
      throw new APIMisuseError(`fallback address: ${address} has a malformed witness program`);
    }
    return makeFallbackAddress(version, program, network, crypto);
  }
  let payload: Uint8Array;
  try {
    payload = createBase58check((data: Uint8Array) => crypto.sha256(data)).decode(address);
  } catch (e) {
    throw new APIMisuseError(`fallback address: ${address} is not a valid address`, { cause: e });
  }
  const prefix = payload[0];
  if (payload.length !== 21 || (prefix !== p.p2pkhVersion && prefix !== p.p2shVersion)) {
    throw new APIMisuseError(
      `fallback address: ${address} is not a ${network} P2PKH or P2SH address`,
    );
  }
  const version = prefix === p.p2pkhVersion ? FALLBACK_VERSION_P2PKH : FALLBACK_VERSION_P2SH;
  return makeFallbackAddress(version, payload.slice(1), network, crypto);
}
