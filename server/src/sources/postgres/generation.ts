/** `agent-etl generate` from or into a PostgreSQL database: `postgres://user@host:5432/database`. */
import { UsageError } from "../../errors";
import { scrubSecrets } from "../../env/scrub";
import { envVarName, optionOf, SECRET_PARAM, type EnvVar, type LocateOptions, type Location } from "../generation";

/** The database a URL names; the password (or a credential in the query) becomes an env reference. */
export function locatePostgres(text: string, { role }: LocateOptions): Location {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${optionOf(role)}: ${JSON.stringify(scrubSecrets(text.replace(/\/\/[^@/]*@/, "//***@")))} is not a PostgreSQL URL; write postgres://user@host:5432/database`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || decodeURIComponent(url.username) || "postgres";
  const hasSecret = url.password !== "" || [...url.searchParams.keys()].some((k) => SECRET_PARAM.test(k));
  const env: EnvVar[] = [];
  let written: Record<string, unknown> = { type: "postgres", url: text };
  if (hasSecret) {
    const name = envVarName(role, "DATABASE_URL");
    env.push({ name, value: text, why: `the ${role} database URL (it holds a password)` });
    written = { type: "postgres", url: `\${env:${name}}` };
  }
  const live = { type: "postgres" as const, url: text };
  return {
    type: "postgres",
    label: database,
    what: `the PostgreSQL database ${database}`,
    live,
    written,
    env,
    notes: [],
    discover: async () => {
      // Generation reads every table once, not on an editor's clock: a longer limit than completions use.
      const { analyzePostgresCatalog } = await import("./analyze.js");
      const catalog = await analyzePostgresCatalog({ connection: live, connectionName: "source", baseDir: process.cwd(), secrets: env.map((e) => e.value), timeoutMs: 60_000 });
      return { shape: "catalog", catalog };
    },
  };
}
