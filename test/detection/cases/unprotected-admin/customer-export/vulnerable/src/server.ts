import express from 'express';
import { customersRouter } from './routes/customers';

const app = express();
app.use(express.json());
app.use('/api/customers', customersRouter);

app.listen(Number(process.env.PORT ?? 3000));
