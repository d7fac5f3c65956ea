export * from './batch-loader';
export * from './event-loop';
