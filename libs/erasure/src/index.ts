export * from './erasure-certificate';
export * from './erasure.projection';
