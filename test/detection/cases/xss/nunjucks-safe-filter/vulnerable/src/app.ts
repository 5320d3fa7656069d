import express, { type Request, type Response } from 'express';
import nunjucks from 'nunjucks';

const app = express();
nunjucks.configure('views', { autoescape: true, express: app });
app.set('view engine', 'njk');

app.post('/reviews/preview', express.urlencoded({ extended: true }), (req: Request, res: Response) => {
  const form: { rating?: string; summary?: string; details?: string } = req.body;
  const review = { rating: Number(form.rating ?? 0), summary: form.summary ?? '', details: form.details ?? '' };
  res.render('review-preview', { review });
});

app.listen(4000);
