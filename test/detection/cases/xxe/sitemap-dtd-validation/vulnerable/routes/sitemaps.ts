import { Router } from 'express';
import { validateSitemap } from '../validation/sitemap';

export const sitemapRouter = Router();

sitemapRouter.post('/validate', (req, res) => {
  const result = validateSitemap(String(req.body));
  res.status(result.ok ? 200 : 422).json(result);
});
