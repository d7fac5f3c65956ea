export * from './batch-loader';
export * from './event-loop';
export * from './recent-cache';
export * from './uuid-v7';
