/** The `file` connection type: files in a local folder (descriptor: sources/descriptor.ts). */
import { join, resolve } from "node:path";
import { z } from "zod";
import { connectionTypeLiteral } from "../../pipeline/schemaParts";
import type { ConnectorDescriptor } from "../descriptor";
import { dataColumnsRequest, hasTemplate, liveDataRequest, nonEmpty } from "../descriptor";

const FileConnectionSchema = z
  .strictObject({
    type: connectionTypeLiteral("file", "Files in a local folder."),
    root: z.string().optional().meta({ description: "Folder that paths are relative to; default: the folder of the pipeline file. Paths may not leave it." }),
  })
  .meta({ description: "Local files under a root folder." });

export const fileDescriptor: ConnectorDescriptor<typeof FileConnectionSchema> = {
  type: "file",
  noun: "a local folder",
  schema: FileConnectionSchema,
  snippets: [{ label: "file", detail: "Local files under a folder", body: ["${1:files}:", "  type: file", "  root: ${2:./data}", "$0"] }],
  secretKeys: [],
  extract: { keys: ["path", "format", "csv", "incremental", "partition_columns"], oneOf: ["path"], incremental: { own: ["by", "initial", "lag"], needs: ["by"] } },
  load: { keys: ["path", "format", "compression"], oneOf: ["path"], streamsIn: false },
  staging: {
    shared: false,
    open: async (o, localFolder) => {
      const { confinePath, fileRoot } = await import("./root.js");
      return localFolder(confinePath(fileRoot(o.connection, o.baseDir), o.prefix || ".", o.connectionName));
    },
  },
  localFiles: { rootKey: "root", pathKey: "path" },
  place: (connection, _name, baseDir, where) => `file:${resolve(baseDir, (connection as { root?: string }).root ?? ".", where ?? "")}`,
  analysis: {
    requests: ["folder", "data-columns"],
    localOnly: true,
    addressed: () => true,
    connectionRequest: { kind: "folder", prefix: "" },
    stepRequest: (extract) => (extract.path === undefined || extract.path === "" ? undefined : dataColumnsRequest(extract.path, extract.format, extract.csv)),
    liveRequest: (extract) => {
      const path = nonEmpty(extract["path"]);
      return path && !hasTemplate(path) ? liveDataRequest(path, extract) : undefined;
    },
    cacheTtlSeconds: 60,
    analyzer: async () => (await import("./analysis.js")).analyzeFile,
  },
  dataFileKey: "path",
  generate: {
    schemes: ["file"],
    paths: { defaultTarget: async (baseDir) => (await import("./generation.js")).folder(join(baseDir, "out"), baseDir, undefined, "./out") },
    example: "a local folder",
    locate: async (text, options) => (await import("./generation.js")).locateFile(text, options),
  },
  connector: async () => (await import("../file.js")).fileConnector,
};
