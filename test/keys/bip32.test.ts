// BIP 32 Test vector 1 (bip-0032.mediawiki "Test Vectors"): the extended private keys of the
// chain m/0H/1/2H/2/1000000000 from seed 000102030405060708090a0b0c0d0e0f. Each xprv string is
// decoded here (base58check, BIP 32 "Serialization format") into its chain code and secret key.
import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { HARDENED, deriveChild, derivePath, masterKeyFromSeed } from '../../src/keys/bip32.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { ErrorCode } from '../../src/util/errors.js';

const seed = '000102030405060708090a0b0c0d0e0f';
const chain: [string, number[], string][] = [
  [
    'm',
    [],
    'xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi',
  ],
  [
    'm/0H',
    [HARDENED + 0],
    'xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7',
  ],
  [
    'm/0H/1',
    [HARDENED + 0, 1],
    'xprv9wTYmMFdV23N2TdNG573QoEsfRrWKQgWeibmLntzniatZvR9BmLnvSxqu53Kw1UmYPxLgboyZQaXwTCg8MSY3H2EU4pWcQDnRnrVA1xe8fs',
  ],
  [
    'm/0H/1/2H',
    [HARDENED + 0, 1, HARDENED + 2],
    'xprv9z4pot5VBttmtdRTWfWQmoH1taj2axGVzFqSb8C9xaxKymcFzXBDptWmT7FwuEzG3ryjH4ktypQSAewRiNMjANTtpgP4mLTj34bhnZX7UiM',
  ],
  [
    'm/0H/1/2H/2',
    [HARDENED + 0, 1, HARDENED + 2, 2],
    'xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in334',
  ],
  [
    'm/0H/1/2H/2/1000000000',
    [HARDENED + 0, 1, HARDENED + 2, 2, 1000000000],
    'xprvA41z7zogVVwxVSgdKUHDy1SKmdb533PjDz7J6N6mV6uS3ze1ai8FHa8kmHScGpWmj4WggLyQjgPie1rFSruoUihUZREPSL39UNdE3BBDu76',
  ],
];

/** version(4) depth(1) fingerprint(4) child(4) chaincode(32) 0x00 key(32). */
function decodeXprv(xprv: string): { chainCode: string; secretKey: string } {
  const raw = createBase58check(sha256).decode(xprv);
  expect(raw.length).toBe(78);
  expect(raw[45]).toBe(0);
  return { chainCode: toHex(raw.slice(13, 45)), secretKey: toHex(raw.slice(46, 78)) };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('BIP 32 test vector 1', () => {
  const master = masterKeyFromSeed(fromHex(seed));
  for (const [name, path, xprv] of chain) {
    it(name, () => {
      const key = derivePath(master, path);
      const want = decodeXprv(xprv);
      expect(toHex(key.chainCode)).toBe(want.chainCode);
      expect(toHex(key.secretKey)).toBe(want.secretKey);
    });
  }

  it('known master secret (written out)', () => {
    expect(toHex(master.secretKey)).toBe(
      'e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35',
    );
    expect(toHex(master.chainCode)).toBe(
      '873dff81c02f525623fd1fe5167eac3a55a049de3d314bb42ee227ffed37d508',
    );
  });
});

describe('BIP 32 argument checks', () => {
  it('rejects seeds outside 16..64 bytes and bad indices with APIMisuse', () => {
    expect(codeOf(() => masterKeyFromSeed(new Uint8Array(15)))).toBe(ErrorCode.APIMisuse);
    expect(codeOf(() => masterKeyFromSeed(new Uint8Array(65)))).toBe(ErrorCode.APIMisuse);
    expect(codeOf(() => masterKeyFromSeed('00' as unknown as Uint8Array))).toBe(
      ErrorCode.APIMisuse,
    );
    const master = masterKeyFromSeed(fromHex(seed));
    expect(codeOf(() => deriveChild(master, 2 ** 32))).toBe(ErrorCode.APIMisuse);
    expect(codeOf(() => deriveChild(master, -1))).toBe(ErrorCode.APIMisuse);
  });
});
