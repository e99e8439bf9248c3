export type { CryptoBackend } from './backend.js';
export { nobleBackend } from './noble.js';
