export * from './errors';
export * from './event-store.port';
export * from './hash-chain';
export * from './postgres/postgres-event-store';
export * from './kurrentdb/kurrentdb-event-store';
export * from './kurrentdb/kurrentdb-mapping';
export * from './copy-store';
