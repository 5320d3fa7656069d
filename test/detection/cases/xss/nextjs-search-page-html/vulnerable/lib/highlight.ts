/** Wraps each occurrence of the search term in <mark>. */
export function highlight(text: string, term: string): string {
  if (!term) return text;
  return text.split(term).join(`<mark>${term}</mark>`);
}

export function summary(term: string, count: number): string {
  return `${count} result${count === 1 ? '' : 's'} for <strong>${term}</strong>`;
}
