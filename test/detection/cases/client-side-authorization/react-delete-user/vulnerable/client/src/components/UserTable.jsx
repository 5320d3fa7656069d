import React from 'react';
import axios from 'axios';

export function UserTable({ users, currentUser, onChange }) {
  async function removeUser(id) {
    await axios.delete(`/api/users/${id}`);
    onChange();
  }

  return (
    <table>
      <tbody>
        {users.map((u) => (
          <tr key={u.id}>
            <td>{u.email}</td>
            <td>{u.name}</td>
            <td>{currentUser.role === 'admin' && <button onClick={() => removeUser(u.id)}>Delete</button>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
