import express from 'express';
import health from './routes/health.js';

const app = express();
app.use('/status', health);
app.listen(8000);
