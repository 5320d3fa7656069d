import express from 'express';
import { showMember, previewMember } from './controllers/members.js';

const app = express();
app.set('view engine', 'pug');
app.use(express.json());

app.get('/members/:handle', showMember);
app.post('/members/preview', previewMember);

export default app;
