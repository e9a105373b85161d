/** The `s3` connection type: an S3 bucket or S3-compatible store (descriptor: sources/descriptor.ts). */
import { z } from "zod";
import { connectionTypeLiteral } from "../../pipeline/schemaParts";
import type { ConnectorDescriptor } from "../descriptor";
import { dataColumnsRequest, hasTemplate, liveDataRequest, nonEmpty } from "../descriptor";

export const S3ConnectionSchema = z
  .strictObject({
    type: connectionTypeLiteral("s3", "An S3 bucket, or a bucket on an S3-compatible store (MinIO, Ceph, R2…)."),
    bucket: z.string().min(1).meta({ description: "Bucket name." }),
    region: z.string().optional().meta({ description: "AWS region, e.g. `eu-west-1`.", examples: ["us-east-1"] }),
    endpoint: z.string().optional().meta({ description: "Endpoint URL of an S3-compatible store, e.g. `http://localhost:9000`. Leave out for AWS." }),
    force_path_style: z.boolean().optional().meta({ description: "Address the bucket as `endpoint/bucket/key` instead of `bucket.endpoint/key` (most S3-compatible stores need `true`)." }),
    prefix: z.string().optional().meta({ description: "Key prefix added in front of every key used with this connection, e.g. `raw/`." }),
    access_key_id: z.string().optional().meta({ description: "Access key id; leave out to use the AWS default credential chain. Use `${env:AWS_ACCESS_KEY_ID}`." }),
    secret_access_key: z.string().optional().meta({ description: "Secret access key; leave out to use the AWS default credential chain. Use `${env:AWS_SECRET_ACCESS_KEY}`, never a literal." }),
  })
  .meta({ description: "An S3 bucket (or S3-compatible store)." });

export const s3Descriptor: ConnectorDescriptor<typeof S3ConnectionSchema> = {
  type: "s3",
  noun: "an S3 bucket",
  schema: S3ConnectionSchema,
  snippets: [
    { label: "s3", detail: "An S3 bucket (credentials from the environment or the default chain)", body: ["${1:lake}:", "  type: s3", "  bucket: ${2:my-bucket}", "  region: ${3:us-east-1}", "$0"] },
    {
      label: "minio",
      detail: "A bucket on an S3-compatible store (MinIO, Ceph, R2)",
      body: ["${1:store}:", "  type: s3", "  bucket: ${2:my-bucket}", "  endpoint: ${3:http://localhost:9000}", "  force_path_style: true", "  access_key_id: \\${env:${4:S3_ACCESS_KEY_ID}}", "  secret_access_key: \\${env:${5:S3_SECRET_ACCESS_KEY}}", "$0"],
    },
  ],
  secretKeys: ["secret_access_key"],
  extract: { keys: ["key", "format", "csv", "incremental", "partition_columns"], oneOf: ["key"], incremental: { own: ["by", "initial", "lag"], needs: ["by"] } },
  load: {
    keys: ["key", "format", "compression"],
    oneOf: ["key"],
    forms: [{ key: "key", form: "scalar", message: "an S3 `key` is one object key (a string)" }],
    streamsIn: false,
  },
  staging: {
    shared: true,
    open: async (o) => {
      const { S3StagingStore } = await import("./staging.js");
      return new S3StagingStore(o.connection as ConstructorParameters<typeof S3StagingStore>[0], { prefix: o.prefix, connectionName: o.connectionName, secrets: o.secrets });
    },
  },
  place: (connection, _name, _baseDir, where) => {
    const c = connection as { bucket?: string; prefix?: string };
    return `s3://${c.bucket ?? ""}/${c.prefix ?? ""}${where ?? ""}`;
  },
  analysis: {
    requests: ["folder", "data-columns"],
    // The AWS SDK draws on its default credential chain even when the file names no secret.
    localOnly: false,
    addressed: () => true,
    connectionRequest: { kind: "folder", prefix: "" },
    stepRequest: (extract) => (extract.key === undefined || extract.key === "" ? undefined : dataColumnsRequest(extract.key, extract.format, extract.csv)),
    liveRequest: (extract) => {
      const key = nonEmpty(extract["key"]);
      return key && !hasTemplate(key) ? liveDataRequest(key, extract) : undefined;
    },
    cacheTtlSeconds: 300,
    analyzer: async () => (await import("./analysis.js")).analyzeS3,
  },
  dataFileKey: "key",
  generate: {
    schemes: ["s3"],
    example: "an s3:// prefix",
    locate: async (text) => (await import("./generation.js")).locateS3(text),
  },
  connector: async () => (await import("./connector.js")).s3Connector,
};
