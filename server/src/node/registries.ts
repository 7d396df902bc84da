// Builds the registry stack for a host (CLI or server): transport (network or a recorded snapshot),
// clock, disk cache, RegistryHttp, and the Project that owns each wing's clients.

import { homedir } from 'node:os';
import { dirname } from 'node:path';
import type { RegistrySettings } from '../core/ecosystem';
import { CredentialSources } from '../core/http/credentials';
import { RegistryHttp } from '../core/http/registryHttp';
import type { Transport } from '../core/http/types';
import { Project } from '../core/project/project';
import { createFileCacheStore } from './cacheStore';
import { systemClock } from './clock';
import { withFileUrls } from './fileTransport';
import { createSnapshotTransport } from './snapshotTransport';
import { createNodeTransport } from './transport';
import { hostCrc32, hostPlatform } from './host';

export interface HostRegistryOptions {
  settings: RegistrySettings;
  /** Disk cache folder; undefined keeps the cache in memory only. */
  cacheDir?: string;
  /** Read the disk cache with blocking reads (FileCacheStoreOptions.blockingReads): the CLI's choice. */
  blockingCacheReads?: boolean;
  /** Answer from memory and write the disk cache after (RegistryHttpOptions.writeBehind): the CLI's choice; close() waits for the writes. */
  writeBehindCache?: boolean;
  offline?: boolean;
  /** A recorded registry snapshot to answer from instead of the network. */
  snapshot?: string;
  /** The editor's http.proxy; else HTTPS_PROXY and friends. */
  proxy?: string;
  maxConcurrentPerHost?: number;
  env: Record<string, string | undefined>;
  readFile: (path: string) => Promise<string | undefined>;
}

export interface HostRegistries {
  project: Project;
  http: RegistryHttp;
  close(): Promise<void>;
}

/** Assembles the registry stack; throws only for a snapshot that cannot be read. */
export function createHostRegistries(options: HostRegistryOptions): HostRegistries {
  let transport: Transport;
  let close = async () => {};
  if (options.snapshot) {
    transport = createSnapshotTransport(options.snapshot);
  } else {
    const node = createNodeTransport({ env: options.env, proxy: options.proxy, maxSockets: options.maxConcurrentPerHost });
    transport = node;
    close = () => node.close();
  }
  const credentials = new CredentialSources();
  const http = new RegistryHttp({
    transport: withFileUrls(transport),
    clock: systemClock,
    // A snapshot's answers live under the real registries' URLs: on disk they would stand in for
    // those registries in every later session. They stay in memory, which is as fast as the file.
    store: options.cacheDir && !options.snapshot ? createFileCacheStore(options.cacheDir, { blockingReads: options.blockingCacheReads }) : undefined,
    offline: options.offline,
    maxConcurrentPerHost: options.maxConcurrentPerHost,
    userAgent: 'pinsight/0.1.0',
    // zlib.crc32 (Node 20.15+) checks a warm run's cache entries natively.
    checksum: hostCrc32(),
    writeBehind: options.writeBehindCache,
  });
  const project = new Project({
    http,
    credentials,
    settings: options.settings,
    env: options.env,
    home: options.env.HOME ?? homedir(),
    platform: hostPlatform(),
    readFile: options.readFile,
    npmGlobalPrefix: dirname(dirname(process.execPath)),
  });
  // Answers still on their way to the disk cache are written before the transport closes.
  const closeTransport = close;
  return { project, http, close: () => http.flush().then(closeTransport) };
}
