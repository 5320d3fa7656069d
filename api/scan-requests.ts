// Turning a "scan this" request into a running workflow: resolve the source to a repository identity and
// revision, then start (or join) the one workflow for that tenant + repository + revision.
import { repoHash, scanEvent } from '../activities/events/make-event.js';
import type { Client } from '@temporalio/client';
import { createHash, randomBytes } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { failureType } from '../activities/errors.js';
import { checkGitHost } from '../activities/git/host-guard.js';
import { gitRevision, revisionLabel } from '../activities/git/revision.js';
import { checkPath, effectiveRoots, fileUrlPath, refusalMessage, type Narrowing, type PathPolicy } from '../activities/scan-roots.js';
import { allowedProtocols, checkGitSource, type CheckedGitSource } from '../activities/snapshot/git-source.js';
import type { Store } from '../activities/store/store.js';
import {
  SEARCH_ATTRIBUTES,
  scanWorkflowType,
  type ScanInput,
  type ScanSource,
} from '../workflows/definitions.js';
import { ApiError } from './http-errors.js';

export type SourceRequest = { path: string } | { url: string; ref?: string };

export interface ResolvedSource {
  source: ScanSource;
  /** The source as stored in the scan record and shown by the API: without credentials. */
  recordedSource: ScanSource;
  /** Stable identity of the repository: real path, or URL without credentials. */
  repoKey: string;
  /** What is being scanned: a commit (with +dirty for a modified work tree), a ref, or 'worktree'. */
  revision: string;
}

function invalidSource(message: string): ApiError {
  return new ApiError(400, 'invalid_source', message);
}

export interface ResolveOptions {
  /** Which local paths the caller may name; absent: any (the local CLI). */
  access?: PathAccess;
  /** The operator's git settings (GIT_ALLOW_PROTOCOL, VIGIL_GIT_ALLOW_HOSTS); defaults to process.env. */
  gitEnv?: NodeJS.ProcessEnv;
}

/** Which local paths the caller may name: the server's policy and the key's narrowing. */
export interface PathAccess {
  policy: PathPolicy;
  narrowing: Narrowing;
}

/** The API body's shape ({path} | {url, ref?}), which the CLI uses too, local or remote. */
export async function resolveSource(req: SourceRequest, opts: ResolveOptions = {}): Promise<ResolvedSource> {
  return 'path' in req ? resolveLocalSource(req.path, opts.access) : resolveGitSource(req, opts);
}

/** The real path of an allowed local directory; 403 path_not_allowed before anything is read outside the roots. */
async function allowedRealPath(path: string, access: PathAccess | undefined): Promise<string> {
  const missing = () =>
    invalidSource(
      `Source path ${path} does not exist on the API server (or is not readable by it); check the path, which must be a directory on the server's machine.`,
    );
  if (!access) return realpath(path).catch(() => Promise.reject(missing()));
  const checked = await checkPath(access.policy, access.narrowing, path);
  if (checked.ok) return checked.real;
  if (checked.refusal === 'missing') throw missing();
  const roots = effectiveRoots(access.policy, access.narrowing);
  throw new ApiError(403, 'path_not_allowed', refusalMessage(checked.refusal, path, roots));
}

async function resolveLocalSource(path: string, access?: PathAccess): Promise<ResolvedSource> {
  if (!isAbsolute(path)) {
    throw invalidSource(
      `Source path '${path}' is relative; send an absolute path to a directory on the API server's machine.`,
    );
  }
  const real = await allowedRealPath(path, access);
  if (!(await stat(real)).isDirectory()) {
    throw invalidSource(`Source path ${path} is a file, not a directory; pass the repository's root directory.`);
  }
  const source: ScanSource = { kind: 'local', path: real };
  return { source, recordedSource: source, repoKey: real, revision: await localRevision(real) };
}

/** HEAD's commit (+dirty when the tree differs from it), or 'worktree' when it is not a git repository. */
export async function localRevision(dir: string): Promise<string> {
  // The same definition the snapshot records (activities/git/revision.ts), so the two cannot disagree.
  return revisionLabel(await gitRevision(dir));
}

/** The URL with any user:password@ removed, so credentials never become part of an identity or a log. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1');
}

/** True when a URL embeds a secret: any user info over HTTP(S)/FTP (tokens pose as user names), or a password. */
export function carriesSecret(url: string): boolean {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#@]*)@/i.exec(url);
  if (!m) return false;
  const [, scheme, userinfo] = m;
  return /^(https?|ftps?)$/i.test(scheme) ? userinfo.length > 0 : userinfo.includes(':');
}

/** Our typed source failures as API errors; anything else is not ours to translate. */
function sourceApiError(err: unknown): unknown {
  const message = err instanceof Error ? err.message : String(err);
  switch (failureType(err)) {
    case 'InvalidSourceError':
      return new ApiError(400, 'invalid_source', `${message}.`);
    case 'DisallowedSourceError':
      return new ApiError(400, 'disallowed_source', `${message}.`);
    case 'GitHostRefusedError':
      return new ApiError(403, 'git_host_refused', `${message}.`);
    case 'GitUnreachableError':
      return new ApiError(400, 'git_host_unresolvable', `${message}.`);
    default:
      return err;
  }
}

async function resolveGitSource(req: { url: string; ref?: string }, opts: ResolveOptions): Promise<ResolvedSource> {
  const env = opts.gitEnv ?? process.env;
  let checked: CheckedGitSource;
  try {
    checked = checkGitSource({ url: req.url, ref: req.ref }, allowedProtocols(env));
  } catch (err) {
    throw sourceApiError(err);
  }
  if (carriesSecret(checked.url)) {
    throw new ApiError(
      400,
      'credentials_in_url',
      'The git URL carries a password or token, which would be recorded in workflow history. Send the URL without it, ' +
        "or an ssh URL for a private repository: the worker's git authenticates with its own SSH key (credential helpers are not used).",
    );
  }
  if (opts.access && checked.protocol === 'file') {
    // A file-protocol URL (allowed only when the operator lists "file" in GIT_ALLOW_PROTOCOL) reads the
    // server's disk like a path source, so the same roots apply; a relative one would depend on the worker's cwd.
    const local = fileUrlPath(checked.url);
    if (typeof local !== 'string') {
      throw new ApiError(400, 'invalid_source', `The git URL ${checked.url} is a relative local path; give an absolute path or a file:/// URL.`);
    }
    await allowedRealPath(local, opts.access);
  }
  try {
    // A quick answer for a refused host; the snapshot activity checks again and pins the address it clones.
    await checkGitHost(checked.url, checked.protocol, { env, resolve: false });
  } catch (err) {
    throw sourceApiError(err);
  }
  const repoKey = withoutCredentials(checked.url);
  const ref = checked.ref ? { ref: checked.ref } : {};
  return {
    source: { kind: 'git', url: checked.url, ...ref },
    recordedSource: { kind: 'git', url: repoKey, ...ref },
    repoKey,
    revision: checked.ref ?? 'HEAD',
  };
}

/** One workflow per tenant + repository + revision: a second request while it runs joins it. */
export function scanWorkflowId(tenant: string, repoKey: string, revision: string): string {
  const digest = createHash('sha256').update(`${repoKey}@${revision}`).digest('hex');
  return `vigil-scan-${tenant}-${digest.slice(0, 20)}`;
}

export function newScanId(): string {
  return `scn_${randomBytes(10).toString('hex')}`;
}

export interface ScanStarterDeps {
  client: Client;
  store: Store;
  taskQueue: string;
  /** The operator's git settings (GIT_ALLOW_PROTOCOL, VIGIL_GIT_ALLOW_HOSTS); defaults to process.env. */
  gitEnv?: NodeJS.ProcessEnv;
}

/** Who asks: the API key's tenant and name (recorded as requestedBy; never the key itself). */
export interface Requester {
  tenant: string;
  name: string;
}

export interface StartedScan {
  scanId: string;
  workflowId: string;
  runId: string;
  stage: string;
  deduplicated: boolean;
}

/** Resolves the source and starts (or joins) its scan. Throws ApiError 400 for a bad source, 403 for a path outside `access`. */
export async function startScanRequest(
  deps: ScanStarterDeps,
  requester: Requester,
  request: { source: SourceRequest; engine: ScanInput['engine']; claude?: ScanInput['claude'] },
  access?: PathAccess,
): Promise<StartedScan> {
  const resolved = await resolveSource(request.source, { access, gitEnv: deps.gitEnv });
  return startScan(deps, requester, resolved, request.engine, request.claude);
}

export async function startScan(
  deps: ScanStarterDeps,
  requester: Requester,
  resolved: ResolvedSource,
  engine: ScanInput['engine'],
  claude?: ScanInput['claude'],
): Promise<StartedScan> {
  const { client, store } = deps;
  const { tenant } = requester;
  const scanId = newScanId();
  const workflowId = scanWorkflowId(tenant, resolved.repoKey, resolved.revision);
  const input: ScanInput = {
    scanId,
    tenant,
    repoKey: resolved.repoKey,
    source: resolved.source,
    engine,
    requestedBy: requester.name,
    ...(claude ? { claude } : {}),
  };
  const handle = await client.workflow.start(scanWorkflowType, {
    taskQueue: deps.taskQueue,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    memo: { scanId, tenant, repoKey: resolved.repoKey, requestedBy: requester.name },
    typedSearchAttributes: [
      { key: SEARCH_ATTRIBUTES.tenant, value: tenant },
      { key: SEARCH_ATTRIBUTES.repo, value: resolved.repoKey },
      { key: SEARCH_ATTRIBUTES.status, value: 'queued' },
    ],
  });
  // USE_EXISTING returns the running workflow if there is one; its memo says whose scan it is.
  const description = await handle.describe();
  const owner = description.memo?.scanId;
  if (typeof owner !== 'string') {
    throw new ApiError(
      409,
      'workflow_id_conflict',
      `Workflow ${workflowId} is running but was not started by Vigil's API; terminate it or wait for it to finish, then retry.`,
    );
  }
  const deduplicated = owner !== scanId;
  // The chain's first run names the scan (its workflow may have continued as new since).
  const runId = deduplicated ? description.raw.workflowExecutionInfo?.firstRunId || description.runId : handle.firstExecutionRunId;
  // For a joined scan, (re)write its record only if missing: its starter may have died before writing it.
  if (!deduplicated || !(await store.getScan(tenant, owner))) {
    await store.upsertScan({
      scanId: owner,
      tenant,
      workflowId,
      runId,
      repoKey: resolved.repoKey,
      source: resolved.recordedSource,
      requestedBy: deduplicated ? String(description.memo?.requestedBy ?? 'unknown') : requester.name,
      createdAt: (deduplicated ? description.startTime : new Date()).toISOString(),
    });
  }
  // Where the scan is recorded, its first event (idempotent: a joined scan re-appends the same id).
  await store.appendEvents([
    scanEvent(tenant, owner, 'dev.vigil.scan.requested.v1', {
      scanId: owner,
      workflowId,
      requestedBy: deduplicated ? String(description.memo?.requestedBy ?? 'unknown') : requester.name,
      engine,
      sourceKind: resolved.source.kind,
      repoHash: repoHash(resolved.repoKey),
    }),
  ]);
  const stage = description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status) ?? 'queued';
  return { scanId: owner, workflowId, runId, stage, deduplicated };
}
