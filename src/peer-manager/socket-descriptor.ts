/**
 * What the host hands the `PeerManager` for each connection. boltkit never opens or reads a
 * socket itself (sans-I/O): the host owns the socket, feeds received bytes to
 * `PeerManager.readEvent` and writes what the manager passes to `sendData`. The same design as
 * LDK's `SocketDescriptor` (lightning/src/ln/peer_handler.rs).
 */

/**
 * One connection's socket, as the host sees it. The manager keys its connection table on the
 * object itself, so pass the same object to every call about one connection and a new object
 * for every new connection.
 */
export interface SocketDescriptor {
  /** A short label for logs (such as `tcp:203.0.113.5:9735#12`); need not be unique. */
  readonly id: string;
  /**
   * Writes as much of `bytes` as the socket accepts now and returns how many bytes that was
   * (0 to `bytes.length`). Returning less than `bytes.length` means "full": the manager keeps
   * the rest and writes nothing more to this socket until the host calls
   * `PeerManager.writeBufferSpaceAvail`.
   *
   * `resumeRead` false asks the host to stop calling `readEvent` for this socket (stop reading
   * from it) until a later `sendData` call passes true; the manager uses it when too many of our
   * answers to this peer are waiting, so a peer that sends requests but never reads the answers
   * cannot make us buffer without bound. `bytes` may be empty when only `resumeRead` changes.
   *
   * Must not call back into the `PeerManager` synchronously. The manager does not keep `bytes`
   * after the call returns; copy what you keep.
   */
  sendData(bytes: Uint8Array, resumeRead: boolean): number;
  /**
   * Closes the socket. Called by the manager when it drops the connection; the host need not
   * (but may) call `PeerManager.socketDisconnected` afterwards. Must not call back into the
   * `PeerManager` synchronously.
   */
  disconnectSocket(): void;
}
