import type { NextApiRequest, NextApiResponse } from 'next';
import { unfurl } from '../../lib/unfurl';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'GET') return res.status(405).end();
  const link = req.query.link;
  if (typeof link !== 'string') return res.status(400).json({ error: 'link is required' });
  try {
    res.status(200).json(await unfurl(link));
  } catch {
    res.status(502).json({ error: 'could not fetch the link' });
  }
}
