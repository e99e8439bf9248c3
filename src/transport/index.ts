/**
 * BOLT 8 transport: the Noise_XK handshake and the encrypted, key-rotating message stream.
 */
export { PeerTransport } from './peer-transport.js';
export type { PeerTransportOptions, TransportOutput } from './peer-transport.js';
export { TransportError, TransportFailure } from './errors.js';
export { MAX_MESSAGE_LENGTH } from './cipher-state.js';
