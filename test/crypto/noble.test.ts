// The pure-JS default backend against the CryptoBackend conformance suite.
import { nobleBackend } from '../../src/crypto/noble.js';
import { runBackendSuite } from './backend-suite.js';

runBackendSuite(nobleBackend);
