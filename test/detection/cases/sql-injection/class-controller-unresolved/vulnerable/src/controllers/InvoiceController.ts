import type { Request, Response } from 'express';
import mysql from 'mysql2/promise';

const pool = mysql.createPool({ host: process.env.DB_HOST, user: 'billing', database: 'billing' });

export class InvoiceController {
  static routes = [['get', '/invoices', 'list']];
  private db = pool;

  async list(request: Request, response: Response) {
    const { customer, sort } = request.query as Record<string, string>;
    const [rows] = await this.db.query(`SELECT id, total, issued_at FROM invoices WHERE customer_id = ? ORDER BY ${sort || 'issued_at'}`, [customer]);
    return response.json(rows);
  }
}
