export * from './ingestion/kafka-ingestor';
export * from './kafka.port';
export * from './kafkajs/connection';
export * from './kafkajs/kafkajs-publisher';
export * from './kafkajs/kafkajs-source';
export * from './publication/ledger-publication.projection';
export * from './dead-letters/dead-letter-value';
export * from './kafkajs/dead-letter-replay';
