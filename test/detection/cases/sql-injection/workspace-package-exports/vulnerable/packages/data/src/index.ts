export { sql } from '#internal/pool';
