export * from './merkle';
export * from './merkle-verify';
export * from './memory-tree';
export * from './tree-appender';
export * from './signed-note';
export * from './checkpoint';
export * from './leaves';
export * from './offline-verifier';
