const form = document.querySelector('#smtp-form');

async function saveSmtp(event) {
  event.preventDefault();
  const body = Object.fromEntries(new FormData(form));
  await fetch('/api/settings/smtp', {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${localStorage.getItem('token')}` },
    body: JSON.stringify(body),
  });
}

if (window.currentUser && window.currentUser.isAdmin) {
  form.hidden = false;
  form.addEventListener('submit', saveSmtp);
}
