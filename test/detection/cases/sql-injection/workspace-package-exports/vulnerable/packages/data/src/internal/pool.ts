import pg from 'pg';

export const sql = new pg.Pool({ connectionString: process.env.DATABASE_URL });
