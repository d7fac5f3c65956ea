import { stopTestEmbeddedPostgres } from './postgres-servers';

export default async function globalTeardown(): Promise<void> {
  await stopTestEmbeddedPostgres();
}
