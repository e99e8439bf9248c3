/**
 * boltkit/node: adapters that need Node.js (TCP sockets, the filesystem, OpenSSL).
 */
export {};
