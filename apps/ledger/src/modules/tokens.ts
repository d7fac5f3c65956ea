/**
 * Injection tokens for the ports the modules provide, where the port is an interface or a value
 * rather than a class (a class is its own token: Keyring, LedgerWriter, AccessLog, …).
 */
export const LEDGER_CONFIG = Symbol('LedgerConfig');
export const POLICY = Symbol('Policy');
export const MASTER_KEY = Symbol('MasterKey');
export const DATABASE_HOST = Symbol('DatabaseHost');
export const POOL = Symbol('Pool');
export const EVENT_STORE = Symbol('EventStore');
export const SUBJECT_DIRECTORY = Symbol('SubjectDirectory');
export const KAFKA = Symbol('Kafka');
/** The verifiable log's tree (PostgresTreeStore) and what signs and proves it (TreeLog). */
export const TREE_STORE = Symbol('TreeStore');
export const TREE_LOG = Symbol('TreeLog');
