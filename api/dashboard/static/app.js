// Vigil review dashboard. Plain browser JavaScript, no build step and no dependency: it reads and writes
// through the /v1 API with the API key the user signed in with (kept in sessionStorage for this tab).
// Findings quote scanned code, which an attacker may have written: every value reaches the page through
// textContent or an attribute set by the DOM API, never as markup (the CSP forbids inline scripts too).

const KEY_STORAGE = 'vigil.apiKey';
const SEVERITIES = ['critical', 'high', 'medium', 'low'];
const CONFIDENCES = ['high', 'medium', 'low'];
const RUNNING_STAGES = ['queued', 'snapshot', 'merkle_sync', 'reasoning', 'verification', 'scoring', 'applying', 'reporting'];
const SCAN_ID = /^scn_[A-Za-z0-9_-]{1,64}$/;

const state = { key: sessionStorage.getItem(KEY_STORAGE), me: null, timer: null, renderToken: 0 };

// ---------- DOM helpers ----------

/** h('div', {class: 'x', dataset: {testid: 'y'}}, child, 'text') — text children become text nodes. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const $ = (id) => document.getElementById(id);

// ---------- API ----------

class ApiFailure extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(path, opts = {}) {
  const headers = { authorization: `Bearer ${opts.key ?? state.key}` };
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method: opts.method ?? 'GET',
    headers,
    body: opts.json !== undefined ? JSON.stringify(opts.json) : undefined,
    cache: 'no-store',
    credentials: 'omit',
  });
  if (opts.raw && res.ok) return res.text();
  const text = await res.text();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = { message: text };
  }
  if (!res.ok) {
    if (res.status === 401 && !opts.key) signOut('Your key was not accepted any more; sign in again.');
    throw new ApiFailure(res.status, body);
  }
  return body;
}

// ---------- formatting ----------

function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

function fmtDuration(startIso, endIso) {
  if (!startIso) return '—';
  const ms = (endIso ? new Date(endIso) : new Date()) - new Date(startIso);
  if (!(ms >= 0)) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

function stageBadge(stage) {
  const cls = RUNNING_STAGES.includes(stage) ? 'running' : stage ?? '';
  return h('span', { class: `stage ${cls}`, dataset: { testid: 'stage' } }, (stage ?? 'unknown').replace(/_/g, ' '));
}

function sevBadge(sev) {
  return h('span', { class: `sev ${SEVERITIES.includes(sev) ? sev : ''}` }, sev);
}

function countsCell(counts) {
  if (!counts) return h('span', { class: 'muted' }, '—');
  return h(
    'span',
    { class: 'counts' },
    SEVERITIES.map((s) => h('span', { title: s }, h('span', { class: `sev ${s}` }, s[0].toUpperCase()), ' ', String(counts[s] ?? 0))),
  );
}

// ---------- sign in / out ----------

async function signIn(key) {
  const me = await api('/v1/me', { key });
  state.key = key;
  state.me = me;
  sessionStorage.setItem(KEY_STORAGE, key);
}

function signOut(message) {
  sessionStorage.removeItem(KEY_STORAGE);
  state.key = null;
  state.me = null;
  stopPolling();
  showSignIn(message);
}

function showSignIn(message) {
  $('signin').hidden = false;
  $('view').hidden = true;
  $('sign-out').hidden = true;
  $('who').textContent = '';
  $('signin-error').textContent = message ?? '';
  $('api-key').value = '';
  $('api-key').focus();
}

function showApp() {
  $('signin').hidden = true;
  $('view').hidden = false;
  $('sign-out').hidden = false;
  const me = state.me;
  $('who').textContent = `${me.name} · tenant ${me.tenant} · ${me.roles.join(', ')}`;
}

function canDecide() {
  return Boolean(state.me?.roles?.includes('approver'));
}

// ---------- routing ----------

function stopPolling() {
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
}

function poll(fn, ms) {
  stopPolling();
  state.timer = setTimeout(fn, ms);
}

async function route() {
  stopPolling();
  if (!state.key) return showSignIn();
  if (!state.me) {
    try {
      state.me = await api('/v1/me');
    } catch (err) {
      return showSignIn(err instanceof ApiFailure && err.status === 401 ? 'Sign in again.' : err.message);
    }
  }
  showApp();
  const token = ++state.renderToken;
  // #/scans/<id>, or #/scans/<id>/findings/<findingId> (a precedent's link: the scan, scrolled to that finding).
  const m = /^#\/scans\/([^/]+)(?:\/findings\/([^/]+))?$/.exec(location.hash);
  const view = $('view');
  if (m && SCAN_ID.test(decodeURIComponent(m[1]))) {
    await renderScan(view, decodeURIComponent(m[1]), token);
    if (m[2] && token === state.renderToken) focusFinding(view, decodeURIComponent(m[2]));
  } else {
    await renderScans(view, token);
  }
}

// ---------- scans list ----------

async function renderScans(view, token) {
  let list;
  try {
    list = await api('/v1/scans?limit=50');
  } catch (err) {
    view.replaceChildren(h('p', { class: 'error' }, `Could not list scans: ${err.message}`));
    return;
  }
  // Details give the live stage, the commit and counts by severity; scans are few per page.
  const details = await Promise.all(
    list.scans.map((s) => (s.scanId && SCAN_ID.test(s.scanId) ? api(`/v1/scans/${encodeURIComponent(s.scanId)}`).catch(() => null) : null)),
  );
  if (token !== state.renderToken) return;
  const rows = list.scans.map((s, i) => {
    const d = details[i];
    const stage = d?.stage ?? s.stage;
    const commit = d?.coverage?.snapshot?.commit ?? d?.status?.counts?.snapshot?.commit ?? null;
    const open = () => {
      if (s.scanId) location.hash = `#/scans/${encodeURIComponent(s.scanId)}`;
    };
    return h(
      'tr',
      { class: 'scan-row', dataset: { testid: 'scan-row', scanId: s.scanId ?? '' }, onclick: open, tabindex: '0', onkeydown: (e) => e.key === 'Enter' && open() },
      h('td', {}, stageBadge(stage)),
      h('td', { class: 'mono' }, s.repoKey ?? '—'),
      h('td', { class: 'mono' }, commit ? commit.slice(0, 12) : '—'),
      h('td', {}, countsCell(d?.findingCounts)),
      h('td', {}, fmtTime(s.startTime)),
      h('td', {}, fmtDuration(s.startTime, s.closeTime)),
      h('td', { class: 'mono' }, s.scanId ?? s.workflowId),
    );
  });
  view.replaceChildren(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Scans'), h('span', { class: 'muted' }, list.note)),
    rows.length
      ? h(
          'table',
          { dataset: { testid: 'scans' } },
          h('thead', {}, h('tr', {}, ['Stage', 'Repository', 'Commit', 'Findings', 'Started', 'Duration', 'Scan'].map((t) => h('th', {}, t)))),
          h('tbody', {}, rows),
        )
      : h('p', { class: 'muted' }, 'No scans yet. Start one with `vigil scan <path>` or POST /v1/scans.'),
  );
  const running = list.scans.some((s, i) => RUNNING_STAGES.includes(details[i]?.stage ?? s.stage));
  poll(() => token === state.renderToken && renderScans(view, token), running ? 2000 : 10000);
}

// ---------- one scan ----------

function sortFindings(findings) {
  return [...findings].sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      CONFIDENCES.indexOf(a.confidence) - CONFIDENCES.indexOf(b.confidence) ||
      String(a.location?.file).localeCompare(String(b.location?.file)) ||
      (a.location?.startLine ?? 0) - (b.location?.startLine ?? 0),
  );
}

async function renderScan(view, scanId, token) {
  const path = `/v1/scans/${encodeURIComponent(scanId)}`;
  let detail;
  try {
    detail = await api(path);
  } catch (err) {
    view.replaceChildren(h('p', { class: 'error' }, `Could not load scan ${scanId}: ${err.message}`), h('a', { href: '#/' }, 'Back to scans'));
    return;
  }
  let findings = null;
  let findingsNote = '';
  try {
    findings = (await api(`${path}/findings`)).findings;
  } catch (err) {
    findingsNote = err.message;
  }
  if (token !== state.renderToken) return;

  const stage = detail.stage;
  const links = [];
  if (detail.links?.temporalUi) {
    links.push(h('a', { href: detail.links.temporalUi, target: '_blank', rel: 'noopener noreferrer', dataset: { testid: 'temporal-link' } }, 'Workflow in Temporal Web UI'));
  }
  for (const fmt of ['json', 'sarif', 'markdown']) {
    links.push(h('button', { type: 'button', class: 'link', onclick: () => downloadReport(scanId, fmt) }, `report.${fmt === 'markdown' ? 'md' : fmt}`));
  }

  // Keep a comment being typed across refreshes.
  const drafts = new Map([...view.querySelectorAll('textarea[data-finding-id]')].map((t) => [t.dataset.findingId, t.value]));

  view.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← Scans')),
    h('div', { class: 'toolbar' }, h('h1', { dataset: { testid: 'scan-title' } }, detail.repoKey), stageBadge(stage), ...links),
    h(
      'div',
      { class: 'card' },
      h(
        'dl',
        { class: 'kv' },
        h('dt', {}, 'Scan'),
        h('dd', { class: 'mono' }, detail.scanId),
        h('dt', {}, 'Workflow'),
        h('dd', { class: 'mono' }, `${detail.workflowId} / ${detail.runId}`),
        h('dt', {}, 'Commit'),
        h('dd', { class: 'mono' }, detail.coverage?.snapshot?.commit ?? '—'),
        h('dt', {}, 'Requested by'),
        h('dd', {}, detail.requestedBy),
        h('dt', {}, 'Started'),
        h('dd', {}, fmtTime(detail.execution?.startTime ?? detail.createdAt)),
        h('dt', {}, 'Duration'),
        h('dd', {}, fmtDuration(detail.execution?.startTime ?? detail.createdAt, detail.execution?.closeTime)),
        h('dt', {}, 'Findings'),
        h('dd', {}, countsCell(detail.findingCounts)),
        detail.status?.counts?.apply
          ? [
              h('dt', {}, 'Applied'),
              h(
                'dd',
                { dataset: { testid: 'apply' } },
                `${detail.status.counts.apply.applied} fix(es) applied, ${detail.status.counts.apply.rejected} rejected, ${detail.status.counts.apply.failed} failed`,
                detail.status.counts.apply.branch ? ` — branch ${detail.status.counts.apply.branch}` : '',
              ),
            ]
          : null,
        detail.status?.error ? [h('dt', {}, 'Error'), h('dd', { class: 'error' }, detail.status.error)] : null,
        detail.live ? null : [h('dt', {}, 'Live status'), h('dd', { class: 'muted' }, detail.liveUnavailableReason ?? 'unavailable')],
        detail.retrievalUnavailable
          ? [h('dt', {}, 'Similar past decisions'), h('dd', { class: 'muted', dataset: { testid: 'retrieval-unavailable' } }, `not shown — ${detail.retrievalUnavailable}`)]
          : null,
      ),
    ),
    coverageCard(detail),
    h('h2', {}, 'Findings'),
    findings && findings.length > 0 ? bulkDecisionForm(scanId, findings, stage) : null,
    findings === null
      ? h('p', { class: 'muted', dataset: { testid: 'findings-pending' } }, findingsNote)
      : findings.length === 0
        ? h('p', { class: 'muted' }, 'No findings.')
        : h('div', { dataset: { testid: 'findings' } }, sortFindings(findings).map((f) => findingCard(scanId, f, stage, drafts))),
  );
  const settled = stage === 'completed' || stage === 'failed';
  if (!settled) poll(() => token === state.renderToken && refreshScan(view, scanId, token, detail, findings), 1500);
}

/** Scrolls to a finding of the rendered scan and marks it (compared by value: the id is never a selector). */
function focusFinding(view, findingId) {
  const card = [...view.querySelectorAll('article.finding')].find((el) => el.dataset.findingId === findingId);
  if (!card) return;
  card.classList.add('focused');
  card.scrollIntoView({ block: 'start' });
}

/** Re-renders only when something changed, so reading (or typing a comment) is not disturbed. */
async function refreshScan(view, scanId, token, before, beforeFindings) {
  try {
    const detail = await api(`/v1/scans/${encodeURIComponent(scanId)}`);
    const sig = (d, f) => JSON.stringify([d.stage, d.findingCounts, d.status?.findings?.map((x) => x.status), f?.map((x) => x.status)]);
    const findings = detail.findingCounts ? (await api(`/v1/scans/${encodeURIComponent(scanId)}/findings`)).findings : null;
    if (token !== state.renderToken) return;
    if (sig(detail, findings) !== sig(before, beforeFindings)) return renderScan(view, scanId, token);
    poll(() => token === state.renderToken && refreshScan(view, scanId, token, detail, findings), 1500);
  } catch {
    if (token === state.renderToken) poll(() => refreshScan(view, scanId, token, before, beforeFindings), 3000);
  }
}

function coverageCard(detail) {
  const snap = detail.coverage?.snapshot;
  const scope = detail.coverage?.scope;
  const skipped = snap ? Object.entries(snap.skipped ?? {}).filter(([, n]) => n > 0) : [];
  return h(
    'div',
    { class: 'card', dataset: { testid: 'coverage' } },
    h('h2', {}, 'Coverage'),
    snap
      ? h(
          'p',
          {},
          `${snap.files} files snapshotted (${snap.bytes < 10_240 ? `${snap.bytes} bytes` : `${Math.round(snap.bytes / 1024)} KiB`}); skipped: `,
          skipped.length ? skipped.map(([why, n]) => `${n} ${why}`).join(', ') : 'none',
          '.',
        )
      : h('p', { class: 'muted' }, 'Snapshot counts are shown while a worker can answer for this scan.'),
    scope
      ? [
          h(
            'p',
            {},
            `${scope.mode === 'incremental' ? 'Incremental' : 'Full'} analysis: ${scope.analysedFiles.length} of ${scope.filesInScope.length} files in scope analysed` +
              (scope.carriedOver ? `, ${scope.carriedOver} results carried over from the previous scan` : '') +
              '.',
          ),
          h(
            'details',
            {},
            h('summary', {}, 'Files analysed'),
            h('ul', { class: 'mono' }, scope.analysedFiles.map((f) => h('li', {}, f))),
            scope.filesInScope.length > scope.analysedFiles.length
              ? [
                  h('p', {}, 'In scope but not analysed (not a language the engine reads):'),
                  h('ul', { class: 'mono' }, scope.filesInScope.filter((f) => !scope.analysedFiles.includes(f)).map((f) => h('li', {}, f))),
                ]
              : null,
          ),
        ]
      : h('p', { class: 'muted' }, 'Analysis scope is known once reasoning has run.'),
  );
}

function diffView(diff) {
  return h(
    'pre',
    { class: 'diff', dataset: { testid: 'patch' } },
    diff.split('\n').map((line) => {
      const cls = line.startsWith('+') && !line.startsWith('+++') ? 'add' : line.startsWith('-') && !line.startsWith('---') ? 'del' : line.startsWith('@@') ? 'hunk' : '';
      return h('span', { class: cls }, line + '\n');
    }),
  );
}

function findingCard(scanId, f, stage, drafts) {
  const where = `${f.location.file}:${f.location.startLine}`;
  const reasons = f.verdict?.reasons ?? [];
  return h(
    'article',
    { class: 'card finding', dataset: { testid: 'finding', findingId: f.id } },
    h('h3', {}, sevBadge(f.severity), ' ', h('span', { dataset: { testid: 'finding-title' } }, f.title)),
    h(
      'div',
      { class: 'meta' },
      h('span', { class: 'mono', dataset: { testid: 'finding-location' } }, where),
      h('span', {}, `confidence ${f.confidence}`),
      h('span', {}, f.cwe),
      h('span', { class: 'mono' }, f.ruleId),
      h('span', { class: `status ${f.status}`, dataset: { testid: 'finding-status' } }, f.status),
      f.decisionCarriedOver ? h('span', { class: 'baseline' }, 'decision carried over') : null,
      h('span', { class: 'mono muted' }, f.id),
    ),
    h('p', { dataset: { testid: 'explanation' } }, f.explanation),
    f.trace?.length
      ? [
          h('h4', {}, 'Dataflow trace'),
          h(
            'ol',
            { class: 'trace', dataset: { testid: 'trace' } },
            f.trace.map((s) =>
              h(
                'li',
                { dataset: { testid: 'trace-step' } },
                h('span', { class: 'kind' }, s.kind),
                h('span', { class: 'mono' }, `${s.file}:${s.line}`),
                ' — ',
                s.label,
                s.snippet ? h('pre', {}, h('code', {}, s.snippet)) : null,
              ),
            ),
          ),
        ]
      : null,
    h('h4', {}, `Verification: ${f.verdict?.verdict ?? 'unknown'}`, h('span', { class: 'muted' }, f.verdict?.verifier ? ` (${f.verdict.verifier})` : '')),
    reasons.length ? h('ul', { dataset: { testid: 'verdict-reasons' } }, reasons.map((r) => h('li', {}, r))) : null,
    f.guidance ? guidanceSection(f.guidance) : null,
    f.similarDecisions?.length ? similarDecisionsPanel(f.similarDecisions) : null,
    f.patch ? [h('h4', {}, 'Suggested patch', h('span', { class: 'muted' }, f.patch.description ? ` — ${f.patch.description}` : '')), diffView(f.patch.diff)] : null,
    f.decision
      ? h(
          'p',
          { dataset: { testid: 'decision' } },
          `${f.decision.decision === 'approve' ? 'Approved' : 'Rejected'} by ${f.decision.actor}`,
          f.decision.comment ? `: “${f.decision.comment}”` : '',
          ` (${fmtTime(f.decision.decidedAt)})`,
        )
      : null,
    decisionControls(scanId, f, stage, drafts),
  );
}

const GUIDANCE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*#[a-z0-9]+(?:-{1,2}[a-z0-9]+)*$/;

/** The guidance passage that best answers the finding: its title as a link that opens the passage below it. */
function guidanceSection(g) {
  if (typeof g.id !== 'string' || !GUIDANCE_ID.test(g.id)) return null;
  const passage = h('pre', { class: 'guidance-passage', dataset: { testid: 'guidance-passage' }, hidden: true });
  // A button, not an href: the passage needs the key, which only this page's requests carry.
  const link = h(
    'button',
    {
      type: 'button',
      class: 'link',
      'aria-expanded': 'false',
      dataset: { testid: 'guidance-link', guidanceId: g.id },
      onclick: async () => {
        link.setAttribute('aria-expanded', String(passage.hidden));
        if (!passage.hidden) {
          passage.hidden = true;
          return;
        }
        passage.hidden = false;
        if (passage.textContent) return;
        passage.textContent = 'Loading…';
        try {
          // The passage is Markdown; shown as text (never as markup), like everything else here.
          passage.textContent = (await api(`/v1/guidance/${encodeURIComponent(g.id)}`)).markdown;
        } catch (err) {
          passage.textContent = `Could not load the guidance: ${err.message}`;
        }
      },
    },
    `${g.title} — ${g.heading}`,
  );
  return h(
    'section',
    { class: 'guidance', dataset: { testid: 'guidance' } },
    h('h4', {}, 'Guidance'),
    h('p', {}, link, h('span', { class: 'muted' }, ` (similarity ${Number(g.similarity).toFixed(2)})`)),
    passage,
  );
}

/**
 * The team's most similar past decisions (decision memory): decision, similarity, comment and a link to the
 * earlier finding. Comments are people's text and may hold markup: text nodes only, like everything else.
 */
function similarDecisionsPanel(similar) {
  return h(
    'section',
    { class: 'precedents', dataset: { testid: 'similar-decisions' } },
    h('h4', {}, 'Similar past decisions', h('span', { class: 'muted' }, ' — precedent only; this finding is decided on its own')),
    h(
      'ul',
      {},
      similar.map((s) =>
        h(
          'li',
          { dataset: { testid: 'similar-decision' } },
          h('span', { class: `status ${s.decision === 'approve' ? 'approved' : 'rejected'}` }, s.decision === 'approve' ? 'approved' : 'rejected'),
          h('span', { class: 'similarity', title: 'cosine similarity of the two findings' }, `similarity ${Number(s.similarity).toFixed(2)}`),
          SCAN_ID.test(s.scanId)
            ? h('a', { href: `#/scans/${encodeURIComponent(s.scanId)}/findings/${encodeURIComponent(s.findingId)}`, class: 'mono', dataset: { testid: 'similar-link' } }, `${s.findingId} in ${s.scanId}`)
            : h('span', { class: 'mono' }, `${s.findingId} in ${s.scanId}`),
          s.comment ? h('p', { class: 'comment', dataset: { testid: 'similar-comment' } }, s.comment) : null,
        ),
      ),
    ),
  );
}

function decisionControls(scanId, f, stage, drafts) {
  if (f.status !== 'pending') return null;
  if (!canDecide()) {
    return h('p', { class: 'readonly-note', dataset: { testid: 'read-only' } }, 'Read-only: deciding needs a key with the approver role.');
  }
  if (stage !== 'awaiting_decisions') return h('p', { class: 'muted' }, 'Decisions open once the scan awaits them.');
  const comment = h('textarea', { rows: '2', placeholder: 'Comment (optional)', dataset: { findingId: f.id, testid: 'comment' }, maxlength: '2000' });
  comment.value = drafts.get(f.id) ?? '';
  const error = h('p', { class: 'error', role: 'alert' });
  const decide = async (decision, buttons) => {
    buttons.forEach((b) => (b.disabled = true));
    error.textContent = '';
    try {
      await api(`/v1/scans/${encodeURIComponent(scanId)}/findings/${encodeURIComponent(f.id)}/decision`, {
        method: 'POST',
        json: { decision, ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) },
      });
      comment.value = '';
      await route();
    } catch (err) {
      error.textContent = err.message;
      buttons.forEach((b) => (b.disabled = false));
    }
  };
  const approve = h('button', { type: 'button', class: 'approve', dataset: { testid: 'approve' } }, 'Approve');
  const reject = h('button', { type: 'button', class: 'reject', dataset: { testid: 'reject' } }, 'Reject');
  approve.addEventListener('click', () => decide('approve', [approve, reject]));
  reject.addEventListener('click', () => decide('reject', [approve, reject]));
  return h('div', { class: 'decide' }, h('label', {}, 'Your decision'), comment, h('div', { class: 'buttons' }, approve, reject), error);
}

/** The same selection as the API's: every criterion given must hold; the path prefix matches whole segments. */
function matchesFilter(f, filter) {
  if (filter.ruleId && f.ruleId !== filter.ruleId) return false;
  if (filter.severity && !filter.severity.includes(f.severity)) return false;
  if (filter.pathPrefix) {
    const prefix = filter.pathPrefix.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
    const file = f.location.file;
    if (prefix && file !== prefix && !file.startsWith(`${prefix}/`)) return false;
  }
  return true;
}

/** "Reject all 40 of this rule in test/": one decision for every pending finding a filter selects. */
function bulkDecisionForm(scanId, findings, stage) {
  if (!canDecide() || stage !== 'awaiting_decisions' || !findings.some((f) => f.status === 'pending')) return null;
  const rules = [...new Set(findings.map((f) => f.ruleId))].sort();
  const rule = h('select', { dataset: { testid: 'bulk-rule' } }, h('option', { value: '' }, 'any rule'), rules.map((r) => h('option', { value: r }, r)));
  const prefix = h('input', { type: 'text', placeholder: 'path prefix, e.g. test/', dataset: { testid: 'bulk-path' }, maxlength: '1024' });
  const severity = h(
    'select',
    { dataset: { testid: 'bulk-severity' } },
    h('option', { value: '' }, 'any severity'),
    ['critical', 'high', 'medium', 'low'].map((s) => h('option', { value: s }, s)),
  );
  const comment = h('input', { type: 'text', placeholder: 'Comment (optional)', dataset: { testid: 'bulk-comment' }, maxlength: '2000' });
  const approve = h('button', { type: 'button', class: 'approve', dataset: { testid: 'bulk-approve' } });
  const reject = h('button', { type: 'button', class: 'reject', dataset: { testid: 'bulk-reject' } });
  const note = h('p', { class: 'muted', role: 'status', dataset: { testid: 'bulk-result' } });
  const filter = () => ({
    ...(rule.value ? { ruleId: rule.value } : {}),
    ...(prefix.value.trim() ? { pathPrefix: prefix.value.trim() } : {}),
    ...(severity.value ? { severity: [severity.value] } : {}),
  });
  // The count shown on the buttons: pending findings the filter selects (decided ones are never changed).
  const update = () => {
    const f = filter();
    const none = Object.keys(f).length === 0;
    const n = none ? 0 : findings.filter((x) => x.status === 'pending' && matchesFilter(x, f)).length;
    approve.textContent = `Approve all ${n}`;
    reject.textContent = `Reject all ${n}`;
    approve.disabled = reject.disabled = n === 0;
  };
  for (const el of [rule, prefix, severity]) el.addEventListener(el === prefix ? 'input' : 'change', update);
  update();
  const decide = async (decision) => {
    approve.disabled = reject.disabled = true;
    note.className = 'muted';
    try {
      const r = await api(`/v1/scans/${encodeURIComponent(scanId)}/decisions`, {
        method: 'POST',
        json: { decision, filter: filter(), ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) },
      });
      note.textContent = `${r.changed.length} finding(s) ${r.status}` + (r.conflicts.length ? `; ${r.conflicts.length} already decided the other way, kept` : '');
      await route();
    } catch (err) {
      note.className = 'error';
      note.textContent = err.message;
      update();
    }
  };
  approve.addEventListener('click', () => decide('approve'));
  reject.addEventListener('click', () => decide('reject'));
  return h(
    'div',
    { class: 'card bulk', dataset: { testid: 'bulk' } },
    h('label', {}, 'Decide many: every pending finding of'),
    h('div', { class: 'buttons' }, rule, prefix, severity),
    comment,
    h('div', { class: 'buttons' }, approve, reject),
    note,
  );
}

async function downloadReport(scanId, format) {
  try {
    const text = await api(`/v1/scans/${encodeURIComponent(scanId)}/report?format=${format}`, { raw: true });
    const type = format === 'markdown' ? 'text/markdown' : 'application/json';
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = h('a', { href: url, download: `${scanId}.${format === 'markdown' ? 'md' : format === 'sarif' ? 'sarif' : 'json'}` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    alert(`The ${format} report is not available: ${err.message}`);
  }
}

// ---------- start ----------

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const key = $('api-key').value.trim();
  $('signin-submit').disabled = true;
  try {
    await signIn(key);
    $('api-key').value = '';
    await route();
  } catch (err) {
    $('signin-error').textContent = err instanceof ApiFailure && err.status === 401 ? 'That key is not recognised.' : err.message;
  } finally {
    $('signin-submit').disabled = false;
  }
});
$('sign-out').addEventListener('click', () => signOut());
window.addEventListener('hashchange', () => route());
route();
