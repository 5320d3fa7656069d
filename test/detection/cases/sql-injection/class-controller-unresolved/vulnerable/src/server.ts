import express from 'express';
import { attachControllers } from './lib/attach';
import { InvoiceController } from './controllers/InvoiceController';

const app = express();
attachControllers(app, [InvoiceController]);
app.listen(3000);
