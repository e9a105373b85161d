/**
 * The one module that imports the AWS SDK. The bundles load it from its own file
 * (`dist/aws-sdk.js`, see esbuild.mjs), so starting the CLI or the language server does not compile
 * ~1.5 MB of SDK code that only S3 work needs.
 */
export { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
export type { ListObjectsV2CommandOutput, S3ClientConfig } from "@aws-sdk/client-s3";
export { Upload } from "@aws-sdk/lib-storage";
