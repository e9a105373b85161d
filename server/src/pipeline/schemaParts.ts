/**
 * Small zod builders shared by the model and the connection schemas each connector declares in its
 * descriptor (`sources/<type>/descriptor.ts`). They live apart from `model.ts` because the model is
 * built from the descriptors: a descriptor importing the model would be an import cycle.
 */
import { z } from "zod";

// Every schema here is used a few times per process (a pipeline, its connections, CLI arguments):
// zod's compiled fast path costs more to build than it saves (~8 ms for the first connection in the
// language server, against ~3 ms interpreted). Set here, the first module every schema builder loads.
z.config({ jitless: true });

export const DURATION_PATTERN = "^[0-9]+(ms|s|m|h)$";

export const duration = (description: string) =>
  z.string().regex(new RegExp(DURATION_PATTERN)).meta({ description, examples: ["30s", "10m", "2h"] });

/** The `type:` key of a connection schema. */
export const connectionTypeLiteral = <T extends string>(type: T, description: string) => z.literal(type).meta({ description });
