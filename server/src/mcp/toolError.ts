/** A tool call that cannot be done as asked: becomes an `isError` result whose message says what to do. */
import { EtlError } from "../errors";

export class ToolError extends EtlError {}
