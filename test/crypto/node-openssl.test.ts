// The Node backend (OpenSSL hashes and AEAD) against the CryptoBackend conformance suite, on
// noble curve operations and, where the native addon is built, on libsecp256k1.
import { describe, expect, it } from 'vitest';
import { createNodeCryptoBackend, nodeCryptoBackend } from '../../src/node/crypto-backend.js';
import { runBackendSuite } from './backend-suite.js';

const withNoble = createNodeCryptoBackend({ nativeSecp256k1: false });
runBackendSuite(withNoble, 'node-openssl (noble secp256k1)');

const native = createNodeCryptoBackend({ nativeSecp256k1: true });
if (native.secp256k1 === 'libsecp256k1-native') {
  runBackendSuite(native, 'node-openssl (native libsecp256k1)');
}

describe('nodeCryptoBackend', () => {
  it('is named node-openssl and reports its curve implementation', () => {
    expect(nodeCryptoBackend.name).toBe('node-openssl');
    expect(withNoble.secp256k1).toBe('noble');
    expect(['noble', 'libsecp256k1-native']).toContain(nodeCryptoBackend.secp256k1);
    expect(nodeCryptoBackend.secp256k1).toBe(native.secp256k1);
  });
});
