/**
 * boltkit/node: adapters that need Node.js (TCP sockets, the filesystem, OpenSSL).
 */
export {
  connectOutbound,
  listenInbound,
  startBackgroundTimers,
  ConnectionFailedError,
  ConnectionFailure,
} from './node/tcp.js';
export type {
  ConnectOutboundOptions,
  OutboundConnection,
  ListenInboundOptions,
  InboundListener,
} from './node/tcp.js';
export { NodeSocketDescriptor } from './node/socket-descriptor.js';
export { netAddressOf } from './node/net-address.js';
export { nodeCryptoBackend, createNodeCryptoBackend } from './node/crypto-backend.js';
export type { NodeCryptoBackend } from './node/crypto-backend.js';
export { FilesystemStore } from './node/fs-store.js';
