/** Test databases: one migrated template, cloned per test file (CREATE DATABASE ... TEMPLATE). */
export const TEMPLATE_DATABASE = 'reelay_test_template';

const base = () => new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');

export function databaseUrl(name: string): string {
  const url = base();
  url.pathname = `/${name}`;
  return url.toString();
}

export const adminUrl = () => databaseUrl('postgres');
