import { MemoryKVStore } from '../../src/persist/memory-store.js';
import { kvStoreSuite } from './kv-store-suite.js';

kvStoreSuite('MemoryKVStore', async () => ({ store: new MemoryKVStore() }));
