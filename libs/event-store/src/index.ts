export * from './errors';
export * from './event-store.port';
export * from './hash-chain';
export * from './postgres/postgres-event-store';
export * from './copy-store';
export * from './upcasters';
