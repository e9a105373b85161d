import { problem, type Problem } from "../problem";
import { envNameFor, findSecretRefs, isOnlyRef } from "../secrets";
import { forEachConnectionString } from "./missingEnv";
import type { Rule } from "./rule";
import { CONNECTORS } from "../../sources/registry";

/** Common names of secret keys, and every connection type's own (its descriptor's `secretKeys`). */
const SECRET_KEYS = new Set(["password", "token", "secret", "api_key", "apikey", "access_token", "client_secret", ...CONNECTORS.flatMap((d) => d.secretKeys)]);
const SECRET_HEADERS = /^(authorization|x-api-key|api-key|x-auth-token|proxy-authorization|cookie)$/i;
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]+)@/i;

/** A literal password, token, secret key or a URL with a password in a connection. */
export const hardcodedSecret: Rule = {
  code: "hardcoded-secret",
  check({ outline, text }) {
    const problems: Problem[] = [];
    for (const conn of outline.connections.values()) {
      forEachConnectionString(outline.doc, conn, text, (value, node, keys, at) => {
        const key = keys[keys.length - 1] ?? "";
        const inHeaders = keys[keys.length - 2] === "headers";
        if (value.trim() === "" || isOnlyRef(value)) return;
        const span = { start: node.range?.[0] ?? 0, end: node.range?.[1] ?? 0 };
        if (SECRET_KEYS.has(key.toLowerCase()) || (inHeaders && SECRET_HEADERS.test(key))) {
          if (findSecretRefs(value).length > 0) return; // e.g. `Bearer ${env:TOKEN}`
          const name = envNameFor(conn.name, inHeaders ? "token" : key);
          problems.push(
            problem("hardcoded-secret", "warning", `\`${key}\` holds a literal secret; anyone who reads the file can use it: write \`\${env:${name}}\` and set ${name} in the environment or a \`.env\` file`, span, {
              suggestion: `\${env:${name}}`,
            }),
          );
          return;
        }
        const m = URL_PASSWORD.exec(value);
        if (m && m[1] !== undefined && !isOnlyRef(m[1])) {
          const pwStart = value.indexOf(`:${m[1]}@`) + 1;
          const s = at(pwStart);
          const pwSpan = s.start === s.end ? { start: s.start, end: s.start + m[1].length } : span;
          const name = envNameFor(conn.name, "password");
          problems.push(
            problem("hardcoded-secret", "warning", `this URL holds a literal password; write \`\${env:${name}}\` in its place and set ${name} in the environment or a \`.env\` file`, pwSpan, {
              suggestion: `\${env:${name}}`,
            }),
          );
        }
      });
    }
    return problems;
  },
};
