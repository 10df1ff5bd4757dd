// `@marquee/kit/cassandra`: loads cassandra-driver; only Cassandra adapters import it.
export {
  applyMigrations,
  type MigrateOptions,
  type Migration,
  MigrationError,
  MigrationLock,
} from "./migrations.js";
export { type CassandraOptions, openCassandra } from "./session.js";
