import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");
export const FIXTURES = join(__dirname, "fixtures", "workspace");
export const RESULTS = join(ROOT, "test-results", "e2e");
