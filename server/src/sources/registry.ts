/**
 * The connection types, listed once. Everything that depends on a connection's type (the model's
 * `ConnectionSchema`, rules, completion, analysis, staging, the runner, `--dry-run`) asks the
 * descriptor found here; nothing compares a type name (test/unit/connectorRegistry.test.ts).
 *
 * To add a connection type: write `sources/<type>/descriptor.ts` (sources/descriptor.ts says what
 * goes in it) and add it to CONNECTORS — the order is the order of the schema's `oneOf`, of
 * completions and of messages. The pure core imports this file: descriptors load their runtime
 * code lazily.
 */
import type { Connection } from "../pipeline/model";
import type { ConnectorDescriptor } from "./descriptor";
import { duckdbDescriptor } from "./duckdb/descriptor";
import { fileDescriptor } from "./file/descriptor";
import { httpDescriptor } from "./http/descriptor";
import { postgresDescriptor } from "./postgres/descriptor";
import { s3Descriptor } from "./s3/descriptor";

export const CONNECTORS = [postgresDescriptor, s3Descriptor, httpDescriptor, fileDescriptor, duckdbDescriptor] as const;

/** The zod schema of each connection type's keys, in registry order (the model's discriminated union). */
type SchemasOf<T extends readonly ConnectorDescriptor[]> = { -readonly [K in keyof T]: T[K]["schema"] };
export const CONNECTION_SCHEMAS = CONNECTORS.map((d) => d.schema) as SchemasOf<typeof CONNECTORS>;

const BY_TYPE = new Map<string, ConnectorDescriptor>(CONNECTORS.map((d) => [d.type, d]));

/** The descriptor of a connection type; undefined for a type no connector has (a typo in a file being edited). */
export function descriptorFor(type: string | undefined): ConnectorDescriptor | undefined {
  return type === undefined ? undefined : BY_TYPE.get(type);
}

/** The descriptor of a connection that passed the schema: its type is one of the registry's. */
export function descriptorOf(connection: Pick<Connection, "type">): ConnectorDescriptor {
  const descriptor = BY_TYPE.get(connection.type);
  if (!descriptor) throw new Error(`no descriptor for connection type ${connection.type}: the schema and the registry disagree`);
  return descriptor;
}

/** The connection types that have a capability, in registry order (for messages and completion). */
export function typesWhere(has: (d: ConnectorDescriptor) => unknown): string[] {
  return CONNECTORS.filter((d) => has(d)).map((d) => d.type);
}
