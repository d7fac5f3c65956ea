export * from './keyring';
export * from './personal-cipher';
