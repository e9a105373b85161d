// Module hooks for coverageEntry.mjs: resolves the bundle the process was started on to its source entry.
let redirect;

export function initialize(data) {
  redirect = data;
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (redirect && resolved.url === redirect.from) return { ...resolved, url: redirect.to, shortCircuit: true };
  return resolved;
}
