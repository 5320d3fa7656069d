// Event history for operators: one line per event, with the stage (activity), attempt and failure.
import type { HistoryEvent } from './backend.js';

export function formatHistory(events: HistoryEvent[]): string {
  const lines = events.map((e) => {
    const parts = [String(e.eventId).padStart(4), (e.time ?? '').slice(0, 23).padEnd(23), String(e.type).padEnd(36)];
    for (const k of ['activityType', 'attempt', 'updateName', 'failure', 'result']) {
      if (e[k] !== undefined && e[k] !== null && e[k] !== '') parts.push(`${k}=${typeof e[k] === 'object' ? JSON.stringify(e[k]) : e[k]}`);
    }
    return parts.join('  ');
  });
  return lines.join('\n') + '\n';
}
