export * from './embedded-server';
export * from './migrations';
export * from './pool';
export * from './copy';
export * from './transient-faults';
export * from './roles';
export * from './ledger-roles';
