import express from 'express';
import { sitemapRouter } from './routes/sitemaps';

const app = express();
app.use(express.text({ type: '*/xml' }));
app.use('/sitemaps', sitemapRouter);
app.listen(4000);
