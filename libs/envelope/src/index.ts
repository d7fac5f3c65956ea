export * from './data.dto';
export * from './envelope.dto';
export * from './validate-envelope';
export * from './input-limits';
