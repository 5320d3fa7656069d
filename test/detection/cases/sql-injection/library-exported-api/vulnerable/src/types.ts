export interface AuditEvent {
  id: number;
  actor: string;
  action: string;
  at: Date;
}

export interface EventFilter {
  actor?: string;
  limit?: number;
}
