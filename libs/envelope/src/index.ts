export * from './data.dto';
export * from './envelope.dto';
export * from './validate-envelope';
