// The public surface: what a host imports from `boltkit` and `boltkit/node`, and nothing internal.
import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import * as node from '../src/node.js';

describe('public API', () => {
  it('exports the host-facing classes and functions from the core entry', () => {
    for (const name of [
      'PeerManager',
      'PeerTransport',
      'KeysManager',
      'InMemorySigner',
      'Features',
      'MemoryKVStore',
      'decodeInvoice',
      'encodeInvoice',
      'BoltkitError',
      'DecodeError',
      'ErrorCode',
      'nobleBackend',
      'ChannelMonitorUpdateStatus',
      'ChannelMonitor',
      'ChainMonitor',
      'ConfirmationTarget',
      'ChainMonitor',
      'KVStoreMonitorPersister',
      'readChannelMonitors',
      'ANTI_REORG_DELAY',
      'ChannelManager',
      'defaultUserConfig',
      'routeParamsForInvoice',
      'routeParamsForNode',
      'DEFAULT_RETRY',
      'DuplicatePaymentError',
      'HTLC_FAIL_BACK_BUFFER',
      'MIN_FINAL_CLTV_EXPIRY_DELTA',
      'PaymentFailureReason',
      'SimpleRouter',
      'RouteNotFoundError',
      'RouteNotFoundReason',
      'pathFeeMsat',
      'pathFinalValueMsat',
      'pathTotalCltvDelta',
      'pathTotalMsat',
    ]) {
      expect(core, name).toHaveProperty(name);
    }
  });

  it('exports the Node adapters from boltkit/node', () => {
    for (const name of [
      'connectOutbound',
      'listenInbound',
      'startBackgroundTimers',
      'nodeCryptoBackend',
      'createNodeCryptoBackend',
      'FilesystemStore',
    ]) {
      expect(node, name).toHaveProperty(name);
    }
  });

  it('keeps codecs and internals out of the core entry', () => {
    for (const name of ['WireReader', 'WireWriter', 'encodeMessage', 'decodeMessage', 'Channel']) {
      expect(core, name).not.toHaveProperty(name);
    }
  });

  it('every exported error code is a distinct string', () => {
    const codes = Object.values(core.ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
