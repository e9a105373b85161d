/** The DuckDB connector: streamed extracts, staged all-or-nothing loads and `sql` steps on a database file. */
import type { Connector } from "../types";
import { closeDatabases } from "./engine";
import { extractDuckdb } from "./extract";
import { loadDuckdb } from "./load";
import { runDuckdbSql } from "./sqlStep";

export const duckdbConnector: Connector = {
  type: "duckdb",
  extract: extractDuckdb,
  load: loadDuckdb,
  runSql: runDuckdbSql,
  close: closeDatabases,
};
