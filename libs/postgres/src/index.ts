export * from './embedded-server';
export * from './migrations';
export * from './pool';
