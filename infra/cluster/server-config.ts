// The Temporal server's configuration for a loopback cluster on PostgreSQL (the `postgres12` plugin):
// persistence and visibility in two databases, the four services on their own ports, found by each other
// through the membership table in the database.
import type { TemporalServiceName } from './services.js';

export interface ClusterPorts {
  /** gRPC port of each service; the frontend's is the one clients dial. */
  grpc: Record<TemporalServiceName, number>;
  /** Membership (ringpop) port of each service. */
  membership: Record<TemporalServiceName, number>;
  /** The frontend's HTTP API. */
  frontendHttp: number;
}

export interface ServerConfigInput {
  host: string;
  postgres: { host: string; port: number; user: string };
  databases: { persistence: string; visibility: string };
  ports: ClusterPorts;
  /** Path of the dynamic config file (renderDynamicConfig). */
  dynamicConfigFile: string;
  /** How many history shards (fixed for the life of the database; small for a test cluster). */
  historyShards: number;
}

/** The variable the rendered config reads the database password from, so the password is never in a file. */
export const DB_PASSWORD_ENV = 'VIGIL_CLUSTER_DB_PASSWORD';

/**
 * The server's config file. The server renders it as a Go template (the `enable-template` comment), and the
 * only thing it fills in is the password, from DB_PASSWORD_ENV in each service's environment.
 */
export function renderServerConfig(c: ServerConfigInput): string {
  const datastore = (database: string, maxConns: number) => `      sql:
        pluginName: "postgres12"
        databaseName: "${database}"
        connectAddr: "${c.postgres.host}:${c.postgres.port}"
        connectProtocol: "tcp"
        user: "${c.postgres.user}"
        password: "{{ env "${DB_PASSWORD_ENV}" }}"
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: "1h"`;
  const service = (name: TemporalServiceName, extra = '') => `  ${name}:
    rpc:
      grpcPort: ${c.ports.grpc[name]}
      membershipPort: ${c.ports.membership[name]}
      bindOnIP: "${c.host}"${extra}`;
  const frontend = `${c.host}:${c.ports.grpc.frontend}`;
  return `# enable-template
# Written by infra/cluster (Vigil): a Temporal cluster on PostgreSQL, on loopback ports.
log:
  stdout: true
  level: warn

persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${c.historyShards}
  datastores:
    postgres-default:
${datastore(c.databases.persistence, 20)}
    postgres-visibility:
${datastore(c.databases.visibility, 10)}

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "${c.host}"

services:
${service('frontend', `\n      httpPort: ${c.ports.frontendHttp}`)}
${service('history')}
${service('matching')}
${service('worker')}

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "${frontend}"

dcRedirectionPolicy:
  policy: "noop"

publicClient:
  hostPort: "${frontend}"

dynamicConfigClient:
  filepath: "${c.dynamicConfigFile}"
  pollInterval: "10s"
`;
}

/** Dynamic config: search attributes visible as soon as they are registered (callers start workflows right after). */
export function renderDynamicConfig(): string {
  return `# Written by infra/cluster (Vigil).
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
    constraints: {}
limit.maxIDLength:
  - value: 255
    constraints: {}
`;
}
