import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { postStoreContract } from './post-store.contract.js';

postStoreContract('MemoryPostStore', async () => new MemoryPostStore());
