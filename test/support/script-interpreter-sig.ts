/**
 * Signature and public key rules of Bitcoin Core's interpreter, for the script interpreter
 * helper: BIP 66 strict DER, the low-S rule, defined hash types, Core's format-only public key
 * check (`IsCompressedOrUncompressedPubKey`), and verification with libsecp256k1 (WASM, through
 * `tiny-secp256k1`) after Core's lax DER parsing and low-S normalisation, so that historical
 * signatures that are not strict DER still verify when no flag forbids them.
 */
import * as ecc from 'tiny-secp256k1';
import { taggedHash } from './script-interpreter-sighash.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N >> 1n;

function toBigint(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

function to32(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/**
 * BIP 66 strict DER check of a signature that still carries its hash-type byte:
 * 0x30 len 0x02 rlen R 0x02 slen S hashtype, with minimal positive integers.
 */
export function isValidSignatureEncoding(sig: Uint8Array): boolean {
  if (sig.length < 9 || sig.length > 73) return false;
  if (sig[0] !== 0x30 || sig[1] !== sig.length - 3) return false;
  const lenR = sig[3]!;
  if (5 + lenR >= sig.length) return false;
  const lenS = sig[5 + lenR]!;
  if (lenR + lenS + 7 !== sig.length) return false;
  if (sig[2] !== 0x02 || lenR === 0 || (sig[4]! & 0x80) !== 0) return false;
  if (lenR > 1 && sig[4] === 0x00 && (sig[5]! & 0x80) === 0) return false;
  if (sig[lenR + 4] !== 0x02 || lenS === 0 || (sig[lenR + 6]! & 0x80) !== 0) return false;
  if (lenS > 1 && sig[lenR + 6] === 0x00 && (sig[lenR + 7]! & 0x80) === 0) return false;
  return true;
}

/**
 * libsecp256k1's lax DER parser (what Core verifies with): tolerates wrong lengths, padding and
 * negative integers. Returns r and s, with (0, 0) for values of n or more, or `undefined` when
 * the bytes are not even loosely a DER signature.
 */
export function parseDerLax(der: Uint8Array): { r: bigint; s: bigint } | undefined {
  let pos = 0;
  const len = der.length;
  if (pos === len || der[pos] !== 0x30) return undefined;
  pos++;
  if (pos === len) return undefined;
  let lenByte = der[pos++]!;
  if ((lenByte & 0x80) !== 0) {
    lenByte -= 0x80;
    if (lenByte > len - pos) return undefined;
    pos += lenByte;
  }
  const readInt = (): { start: number; length: number } | undefined => {
    if (pos === len || der[pos] !== 0x02) return undefined;
    pos++;
    if (pos === len) return undefined;
    let l = der[pos++]!;
    let intLen: number;
    if ((l & 0x80) !== 0) {
      l -= 0x80;
      if (l > len - pos) return undefined;
      while (l > 0 && der[pos] === 0) {
        pos++;
        l--;
      }
      if (l >= 8) return undefined;
      intLen = 0;
      while (l > 0) {
        intLen = intLen * 256 + der[pos]!;
        pos++;
        l--;
      }
    } else {
      intLen = l;
    }
    if (intLen > len - pos) return undefined;
    const start = pos;
    pos += intLen;
    return { start, length: intLen };
  };
  const rPart = readInt();
  if (rPart === undefined) return undefined;
  const sPart = readInt();
  if (sPart === undefined) return undefined;
  const value = (p: { start: number; length: number }): bigint | undefined => {
    let { start, length } = p;
    while (length > 0 && der[start] === 0) {
      start++;
      length--;
    }
    return length > 32 ? undefined : toBigint(der.subarray(start, start + length));
  };
  const r = value(rPart);
  const s = value(sPart);
  if (r === undefined || s === undefined || r >= N || s >= N) return { r: 0n, s: 0n };
  return { r, s };
}

/** Core's `IsLowDERSignature` (after the strict encoding check): S at most n/2. */
export function hasLowS(sigWithHashType: Uint8Array): boolean {
  const parsed = parseDerLax(sigWithHashType.subarray(0, sigWithHashType.length - 1));
  return parsed !== undefined && parsed.s <= HALF_N;
}

/** Core's `IsDefinedHashtypeSignature`: ALL, NONE or SINGLE, optionally with ANYONECANPAY. */
export function hasDefinedHashType(sig: Uint8Array): boolean {
  if (sig.length === 0) return false;
  const base = sig[sig.length - 1]! & ~0x80;
  return base >= 1 && base <= 3;
}

/** Core's `IsCompressedOrUncompressedPubKey`: a format check only, no curve arithmetic. */
export function isCompressedOrUncompressedPubKey(key: Uint8Array): boolean {
  if (key.length < 33) return false;
  if (key[0] === 0x04) return key.length === 65;
  if (key[0] === 0x02 || key[0] === 0x03) return key.length === 33;
  return false;
}

/** Core's `IsCompressedPubKey`, which witness v0 requires under WITNESS_PUBKEYTYPE. */
export function isCompressedPubKey(key: Uint8Array): boolean {
  return key.length === 33 && (key[0] === 0x02 || key[0] === 0x03);
}

/**
 * The key as libsecp256k1 parses it: 33-byte compressed, 65-byte uncompressed, or 65-byte
 * hybrid (0x06/0x07, whose prefix must match the parity of y), returned in a form
 * `tiny-secp256k1` accepts; `undefined` when Core's `CPubKey` would be invalid.
 */
function parsePubKey(key: Uint8Array): Uint8Array | undefined {
  const prefix = key[0];
  if ((prefix === 0x02 || prefix === 0x03) && key.length === 33) return key;
  if (prefix === 0x04 && key.length === 65) return key;
  if ((prefix === 0x06 || prefix === 0x07) && key.length === 65) {
    if ((key[64]! & 1) !== (prefix & 1)) return undefined;
    const out = key.slice();
    out[0] = 0x04;
    return out;
  }
  return undefined;
}

/**
 * ECDSA check as Core's `CPubKey::Verify`: lax DER parse, S normalised to the lower half, then
 * libsecp256k1 verification. Never throws.
 */
export function verifyEcdsa(derSig: Uint8Array, pubKey: Uint8Array, digest: Uint8Array): boolean {
  const key = parsePubKey(pubKey);
  if (key === undefined) return false;
  const parsed = parseDerLax(derSig);
  if (parsed === undefined || parsed.r === 0n || parsed.s === 0n) return false;
  const s = parsed.s > HALF_N ? N - parsed.s : parsed.s;
  const compact = new Uint8Array(64);
  compact.set(to32(parsed.r), 0);
  compact.set(to32(s), 32);
  try {
    return ecc.verify(digest, key, compact, true);
  } catch {
    return false;
  }
}

/** BIP 340 verification of a 64-byte signature against a 32-byte x-only key. Never throws. */
export function verifySchnorr(
  sig64: Uint8Array,
  xOnlyKey: Uint8Array,
  digest: Uint8Array,
): boolean {
  try {
    return ecc.verifySchnorr(digest, xOnlyKey, sig64);
  } catch {
    return false;
  }
}

/** BIP 341 leaf hash: TaggedHash("TapLeaf", leafVersion || CompactSize(script) || script). */
export function tapleafHash(leafVersion: number, script: Uint8Array): Uint8Array {
  const n = script.length;
  let size: Uint8Array;
  if (n < 253) size = Uint8Array.of(n);
  else if (n <= 0xffff) size = Uint8Array.of(253, n & 0xff, n >>> 8);
  else size = Uint8Array.of(254, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
  return taggedHash('TapLeaf', Uint8Array.of(leafVersion), size, script);
}

/** BIP 341 Merkle path from a control block; each step hashes the smaller node first. */
export function taprootMerkleRoot(control: Uint8Array, leafHash: Uint8Array): Uint8Array {
  let k = leafHash;
  for (let off = 33; off < control.length; off += 32) {
    const node = control.subarray(off, off + 32);
    k = compare(k, node) < 0 ? taggedHash('TapBranch', k, node) : taggedHash('TapBranch', node, k);
  }
  return k;
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/**
 * BIP 341 commitment check: the output key equals the internal key (from the control block)
 * tweaked by TaggedHash("TapTweak", internal || merkleRoot), with the parity the control block
 * states.
 */
export function verifyTaprootCommitment(
  control: Uint8Array,
  outputKey: Uint8Array,
  leafHash: Uint8Array,
): boolean {
  const internal = control.subarray(1, 33);
  const tweak = taggedHash('TapTweak', internal, taprootMerkleRoot(control, leafHash));
  try {
    return ecc.xOnlyPointAddTweakCheck(internal, tweak, outputKey, (control[0]! & 1) as 0 | 1);
  } catch {
    return false;
  }
}
