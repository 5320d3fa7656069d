import express from 'express';
import { profileRouter } from './routes/profile.js';

const app = express();
app.use(express.json());
app.use('/profile', profileRouter);
app.listen(Number(process.env.PORT ?? 8080));
