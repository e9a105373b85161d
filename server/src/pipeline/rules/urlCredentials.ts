import { problem, type Problem } from "../problem";
import { forEachConnectionString } from "./missingEnv";
import type { Rule } from "./rule";
import { descriptorFor } from "../../sources/registry";

/** `scheme://userinfo@`: the user name (and password) written into a URL's authority. */
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@\s]*)@/i;

/**
 * An http connection's `base_url` with `user:password@`: HTTP clients (fetch among them) refuse to
 * send credentials from a URL, so every request would fail. Basic auth has its own keys.
 */
export const urlCredentials: Rule = {
  code: "url-credentials",
  check({ outline, text }) {
    const problems: Problem[] = [];
    for (const conn of outline.connections.values()) {
      const urlKeys = descriptorFor(conn.type)?.urlKeysWithoutCredentials;
      if (!urlKeys) continue;
      forEachConnectionString(outline.doc, conn, text, (value, node, keys, at) => {
        if (!urlKeys.includes(keys.join("."))) return;
        const m = USERINFO.exec(value);
        if (!m) return;
        const start = at((m[1] as string).length);
        const span = start.start === start.end ? { start: start.start, end: start.start + (m[2] as string).length + 1 } : { start: node.range?.[0] ?? 0, end: node.range?.[1] ?? 0 };
        problems.push(
          problem(
            "url-credentials",
            "error",
            "`base_url` holds credentials (`user:password@`), which are never sent from a URL: remove them and add `auth: {type: basic, username: …, password: ${env:…}}` to the connection (or `type: bearer` with `token: ${env:…}`)",
            span,
          ),
        );
      });
    }
    return problems;
  },
};
