export * from './aes-gcm';
export * from './keyring';
export * from './personal-cipher';
