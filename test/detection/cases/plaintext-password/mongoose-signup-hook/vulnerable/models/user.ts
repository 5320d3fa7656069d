import mongoose, { Schema } from 'mongoose';

export interface UserDoc {
  email: string;
  password: string;
  name?: string;
}

const userSchema = new Schema<UserDoc>({
  email: { type: String, required: true, unique: true, lowercase: true },
  password: { type: String, required: true, select: false },
  name: String,
});

export const User = mongoose.model<UserDoc>('User', userSchema);
