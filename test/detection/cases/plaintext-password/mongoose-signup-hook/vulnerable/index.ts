import express from 'express';
import { users } from './routes/users';

const app = express();
app.use(express.json());
app.use('/api', users);
app.listen(Number(process.env.PORT ?? 4000));
