// The small part of bitcore-lib (11.5.x) that the script interpreter helper uses. bitcore-lib
// ships no types; these describe only what test/support/bitcore-interpreter.ts touches.
declare module 'bitcore-lib' {
  /** bn.js big number as bitcore uses it for script numbers. */
  interface BitcoreBN {
    toString(base?: number): string;
    toNumber(): number;
  }

  /** One parsed operation; pushes carry `buf` and `len`. */
  interface BitcoreChunk {
    opcodenum: number;
    buf?: Buffer;
    len?: number;
  }

  class BitcoreScript {
    chunks: BitcoreChunk[];
  }

  /** The interpreter state bitcore's `step()` reads and writes. */
  class BitcoreInterpreter {
    stack: Buffer[];
    altstack: Buffer[];
    pc: number;
    pbegincodehash: number;
    nOpCount: number;
    vfExec: boolean[];
    errstr: string;
    flags: number;
    sigversion: number;
    satoshis: number;
    nin: number;
    script: BitcoreScript;
    tx: unknown;
    execdata: Record<string, unknown>;
    initialize(): void;
    evaluate(): boolean;
    step(): boolean;
    checkLockTime(nLockTime: BitcoreBN): boolean;
    checkSequence(nSequence: BitcoreBN): boolean;
    _evalChecksigPreTapscript(sig: Buffer, pubkey: Buffer): { success: boolean; result: boolean };
    _evalChecksigTapscript(sig: Buffer, pubkey: Buffer): { success: boolean; result: boolean };
  }

  const bitcore: {
    Script: typeof BitcoreScript & { Interpreter: typeof BitcoreInterpreter };
    crypto: { BN: new (n: number) => BitcoreBN };
  };
  export default bitcore;
  export type { BitcoreBN, BitcoreChunk, BitcoreInterpreter, BitcoreScript };
}
