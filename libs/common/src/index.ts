export * from './batch-loader';
export * from './bloom';
export * from './event-loop';
export * from './recent-cache';
export * from './uuid-v7';
