import express from 'express';
import { account } from './routes/account.js';

const app = express();
app.use(express.json());
app.use('/account', account);
app.listen(3000);
