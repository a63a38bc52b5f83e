import { describeProgressStoreConformance } from './conformance.js';
import { InMemoryProgressStore } from './in-memory-progress.store.js';

describeProgressStoreConformance("in memory (the use cases' unit tests)", () => new InMemoryProgressStore());
