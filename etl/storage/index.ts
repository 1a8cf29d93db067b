/** Public surface of the storage layer. */
export type { Body, ListOptions, ObjectMeta, ObjectStore } from './object-store.js';
export { compareKeys, joinKey, validateKey } from './keys.js';
export { LocalStore } from './local-store.js';
export { S3Store, type S3StoreOptions } from './s3-store.js';
export { createDefaultS3Client } from './s3-client.js';
export { parseS3Uri, type S3Location } from './s3-uri.js';
export { openStore, type OpenStoreOptions } from './open-store.js';
